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

/// A read that failed, already in words for the user, with its cause (the exit code).
public struct RemoteReadError: CausedError, CustomStringConvertible {
    public let description: String
    public let cause: FailureCause

    public init(_ description: String, cause: FailureCause = .script) {
        self.description = description
        self.cause = cause
    }
}
