import BitbucketModel

/// What planning may read from Bitbucket. Only reads: planning never changes anything, and the
/// executor is the only part that writes.
public protocol RemoteReader: Sendable {
    /// Every artifact of a repository's Downloads (all pages).
    func artifacts(in repository: RepositoryName) async throws(RemoteReadError) -> [Artifact]
    /// The repositories of a workspace the credential can see (all pages), sorted by full name.
    func repositories(in workspace: String) async throws(RemoteReadError) -> [RepositoryName]
    /// A small artifact's text (a checksum manifest); nil when there is no such artifact.
    func text(of name: String, in repository: RepositoryName) async throws(RemoteReadError) -> String?
    /// A Connect read (`linkers`, `linker "KEY" values`, …).
    func connectRead(_ read: ConnectRead) async throws(RemoteReadError) -> ConnectReadResult
    /// What the credential may do in a repository already listed, as Bitbucket's headers said;
    /// nil when unknown.
    func grant(for repository: RepositoryName) -> CredentialGrant?
}

extension RemoteReader {
    public func grant(for repository: RepositoryName) -> CredentialGrant? { nil }
}

/// The Connect statements that only read.
public enum ConnectRead: Hashable, Sendable {
    case linkers
    case linker(String)
    case values(linker: String)
    case value(linker: String, id: Int)
}

/// What a Connect read found: data (for `--json`, to export an installation before Connect
/// ends), and the lines a person reads.
public enum ConnectReadResult: Hashable, Sendable {
    case linkers([Linker])
    case linker(Linker)
    case values(linker: String, [LinkerValue])
    case value(linker: String, LinkerValue)

    public var lines: [String] {
        switch self {
        case .linkers(let linkers): linkers.isEmpty ? ["(no linkers)"] : linkers.map(Self.describe)
        case .linker(let linker): [Self.describe(linker)]
        case .values(let key, let values):
            values.isEmpty ? ["(linker \(key) has no values)"] : values.map { "\($0.id)\t\($0.value)" }
        case .value(_, let value): ["\(value.id)\t\(value.value)"]
        }
    }

    static func describe(_ linker: Linker) -> String {
        var parts = [linker.key]
        if let type = linker.linkType { parts.append("type \(type)") }
        if let url = linker.url { parts.append("url \(url)") }
        if let regex = linker.regex { parts.append("regex \(regex)") }
        if let values = linker.values { parts.append("values [\(values.map(\.value).joined(separator: ", "))]") }
        return parts.joined(separator: "  ")
    }
}

/// A read that failed, already in words for the user.
public struct RemoteReadError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// 401 or 403, or no credentials at all: bbx exits with 77.
    public let isCredentialProblem: Bool
    /// Bitbucket could not be reached or kept failing (network, 5xx): not a mistake in the
    /// script, so bbx exits with 1 and a later run may succeed.
    public let isUnavailable: Bool
    /// The run is out of requests: Bitbucket's hourly limit (429 after the retries) or
    /// `--max-requests`. bbx exits with 75: run again later.
    public let isOutOfRequests: Bool
    /// The repository does not exist, or the credential cannot see it: reported where the
    /// script named it.
    public let isMissingRepository: Bool

    public init(
        _ description: String, isCredentialProblem: Bool = false, isUnavailable: Bool = false,
        isOutOfRequests: Bool = false, isMissingRepository: Bool = false
    ) {
        self.description = description
        self.isCredentialProblem = isCredentialProblem
        self.isUnavailable = isUnavailable
        self.isOutOfRequests = isOutOfRequests
        self.isMissingRepository = isMissingRepository
    }
}
