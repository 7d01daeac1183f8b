import BBXSyntax

/// The script's expressions, not Foundation's predicate `Expression`.
typealias Expression = BBXSyntax.Expression

/// Why planning stopped: a diagnostic at the statement (or expression) responsible. Nothing has
/// been changed when one is thrown.
public struct PlanningError: Error, Sendable {
    public let diagnostic: Diagnostic
    /// Credentials missing or rejected while reading (exit 77 rather than 65).
    public let isCredentialProblem: Bool

    init(_ message: String, at range: SourceRange, id: String, notes: [Diagnostic.Note] = [], credentials: Bool = false)
    {
        diagnostic = Diagnostic(message, at: range, id: id, notes: notes)
        isCredentialProblem = credentials
    }
}
