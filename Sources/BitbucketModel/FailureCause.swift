/// Why something could not be done, decided once where the fact is known (the client for an
/// answer, planning for the script), with the one exit code it ends a run with. Every layer
/// passes the cause along; none infers it again from a message.
public enum FailureCause: Hashable, Sendable, Codable {
    /// The script asks for what cannot be (an answer about the script: 400, 404, 409, …): 65.
    case script
    /// The repository does not exist, or the credential cannot see it: 65, shown where the
    /// script names the repository.
    case missingRepository
    /// Credentials missing, rejected (401, 403) or short of a scope: 77.
    case credentials
    /// Bitbucket out of reach, failing (5xx, 402) or answering nonsense, or a step that failed
    /// while applying: 1, and a later run may succeed.
    case unavailable
    /// Out of requests: `--max-requests N` (its `limit`) or, with no limit, Bitbucket's hourly
    /// one (429 beyond the retries): 75, run again to continue.
    case outOfRequests(limit: Int?)

    /// The exit status a run that stops for this cause ends with.
    public var exitCode: Int32 {
        switch self {
        case .script, .missingRepository: 65
        case .credentials: 77
        case .unavailable: 1
        case .outOfRequests: 75
        }
    }
}

/// An error that knows its cause (the client's errors do): the executor reads it without
/// knowing the client.
public protocol CausedError: Error {
    var cause: FailureCause { get }
}
