import BBXSyntax

/// The script's expressions, not Foundation's predicate `Expression`.
typealias Expression = BBXSyntax.Expression

/// Why planning stopped: a diagnostic at the statement (or expression) responsible. Nothing has
/// been changed when one is thrown.
public struct PlanningError: Error, Sendable {
    public let diagnostic: Diagnostic
    /// Credentials missing or rejected while reading (exit 77 rather than 65).
    public let isCredentialProblem: Bool
    /// Bitbucket could not be read at all (exit 1 rather than 65: the script may be fine).
    public let isUnavailable: Bool
    /// The run ran out of requests while planning (exit 75: run again later).
    public let isOutOfRequests: Bool

    init(
        _ message: String, at range: SourceRange, id: DiagnosticID, notes: [Diagnostic.Note] = [],
        credentials: Bool = false,
        unavailable: Bool = false, outOfRequests: Bool = false
    ) {
        diagnostic = Diagnostic(message, at: range, id: id, notes: notes)
        isCredentialProblem = credentials
        isUnavailable = unavailable
        isOutOfRequests = outOfRequests
    }

    /// A problem the checker also finds, in the checker's words (planning meets it where the
    /// checker could not know, or was not asked).
    init(_ diagnostic: Diagnostic) {
        self.diagnostic = diagnostic
        isCredentialProblem = false
        isUnavailable = false
        isOutOfRequests = false
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
        self.init(
            error.description, at: range, id: "remote", credentials: error.isCredentialProblem,
            unavailable: error.isUnavailable, outOfRequests: error.isOutOfRequests)
        isRefusedCredential = error.isCredentialProblem
    }
}
