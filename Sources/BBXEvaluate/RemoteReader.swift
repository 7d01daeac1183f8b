import BitbucketModel

/// What planning may read from Bitbucket. Only reads: planning never changes anything, and the
/// executor is the only part that writes.
public protocol RemoteReader: Sendable {
    /// Every artifact of a repository's Downloads (all pages).
    func artifacts(in repository: String) async throws(RemoteReadError) -> [Artifact]
    /// A Connect read (`linkers`, `linker "KEY" values`, …), as the lines to print.
    func connectRead(_ read: ConnectRead) async throws(RemoteReadError) -> [String]
}

/// The Connect statements that only read.
public enum ConnectRead: Hashable, Sendable {
    case linkers
    case linker(String)
    case values(linker: String)
    case value(linker: String, id: Int)
}

/// A read that failed, already in words for the user.
public struct RemoteReadError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// 401 or 403, or no credentials at all: bbx exits with 77.
    public let isCredentialProblem: Bool
    /// Bitbucket could not be reached or kept failing (network, 5xx, 429 after retries): not a
    /// mistake in the script, so bbx exits with 1 and a later run may succeed.
    public let isUnavailable: Bool

    public init(_ description: String, isCredentialProblem: Bool = false, isUnavailable: Bool = false) {
        self.description = description
        self.isCredentialProblem = isCredentialProblem
        self.isUnavailable = isUnavailable
    }
}
