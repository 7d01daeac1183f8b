import BBXSyntax
import BitbucketModel

/// The script's expressions, not Foundation's predicate `Expression`.
typealias Expression = BBXSyntax.Expression

/// Why planning stopped: a diagnostic at the statement (or expression) responsible. Nothing has
/// been changed when one is thrown.
public struct PlanningError: Error, Sendable {
    public let diagnostic: Diagnostic
    /// What the run's exit code says: a script error (65) unless a read failed otherwise.
    public let cause: FailureCause

    init(
        _ message: String, at range: SourceRange, id: DiagnosticID, notes: [Diagnostic.Note] = [],
        cause: FailureCause = .script
    ) {
        diagnostic = Diagnostic(message, at: range, id: id, notes: notes)
        self.cause = cause
    }

    /// A problem the checker also finds, in the checker's words (planning meets it where the
    /// checker could not know, or was not asked).
    init(_ diagnostic: Diagnostic) {
        self.diagnostic = diagnostic
        cause = .script
    }

    /// A refused credential is the credential's problem, not a line's: said once, without a
    /// caret under whichever statement first read, with what to do (the message carries it).
    /// `bbx run` and the REPL both say this.
    public var credentialRefusal: String? {
        isRefusedCredential ? diagnostic.message + "; nothing was changed" : nil
    }

    /// Bitbucket refused the credential on a read (401, 403, or none given), as opposed to a
    /// statement that needs credentials none of which are set (Connect's, shown at the line).
    public private(set) var isRefusedCredential = false

    /// A failed read, at the statement that needed it.
    init(_ error: RemoteReadError, at range: SourceRange) {
        self.init(error.description, at: range, id: .remote, cause: error.cause)
        isRefusedCredential = error.cause == .credentials
    }
}
