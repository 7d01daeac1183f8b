import BBXEvaluate
import BBXPlan
import BitbucketModel
import Foundation
import Synchronization

/// Bitbucket as planning sees it, in memory: repositories read by planning, changed by the plans
/// a test applies (as Bitbucket would be) or behind the planner's back; counts the listings it
/// serves. The one fake `RemoteReader` of the tests (a fake transport stays below the client).
public final class FakeReader: RemoteReader {
    let state: Mutex<[String: [Artifact]]>
    let failure: RemoteReadError?
    private let reads = Mutex<[String]>([])
    /// The Connect app's linkers and their values.
    public let linkers: [String: [LinkerValue]]

    public init(
        _ repositories: [String: [Artifact]], failure: RemoteReadError? = nil,
        linkers: [String: [LinkerValue]] = ["jira": [LinkerValue(id: 3, value: "OPS")]]
    ) {
        state = Mutex(repositories)
        self.failure = failure
        self.linkers = linkers
    }

    /// Artifacts' contents by repository and name (checksum manifests).
    public let texts = Mutex<[ArtifactKey: String]>([:])

    public func text(of name: String, in repository: RepositoryName) async throws(RemoteReadError) -> String? {
        if let failure { throw failure }
        return texts.withLock { $0[ArtifactKey(repository, name)] }
    }

    /// The repositories listed so far, in order.
    public var listed: [String] { reads.withLock { $0 } }

    public func artifacts(in name: RepositoryName) async throws(RemoteReadError) -> [Artifact] {
        let repository = name.description
        reads.withLock { $0.append(repository) }
        if let failure { throw failure }
        guard let artifacts = state.withLock({ $0[repository] }) else {
            throw RemoteReadError("repository \(repository) does not exist", cause: .missingRepository)
        }
        return artifacts
    }

    public func repositories(in workspace: String) async throws(RemoteReadError) -> [RepositoryName] {
        if let failure { throw failure }
        let names = state.withLock { $0.keys }.compactMap(RepositoryName.init(parsing:)).filter {
            $0.workspace.lowercased() == workspace.lowercased()
        }
        guard !names.isEmpty else { throw RemoteReadError("workspace \(workspace) does not exist") }
        return names.sorted { $0.description.lowercased() < $1.description.lowercased() }
    }

    /// Changes a repository behind the planner's back.
    public func change(_ repository: String, _ body: (inout [Artifact]) -> Void) {
        state.withLock { body(&$0[repository, default: []]) }
    }

    /// What an applied plan does to the repositories.
    public func apply(_ plan: Plan) {
        state.withLock { repositories in
            for step in plan.steps {
                guard let repository = step.repository?.description else { continue }
                switch step.kind {
                case .upload, .replace:
                    repositories[repository, default: []].removeAll { $0.name.isExactly(step.name) }
                    repositories[repository, default: []].append(
                        Artifact(name: step.name, size: step.size ?? 0, created: Date(), createdOn: "\(UUID())"))
                case .delete:
                    repositories[repository, default: []].removeAll { $0.name.isExactly(step.name) }
                case .download, .skip, .connect, .verify, .checksums:
                    break
                }
            }
        }
    }

    public func connectRead(_ read: ConnectRead) async throws(RemoteReadError) -> ConnectReadResult {
        func values(_ key: String) throws(RemoteReadError) -> [LinkerValue] {
            guard let values = linkers[key] else { throw RemoteReadError("The linker does not exist.") }
            return values
        }
        switch read {
        case .linkers:
            return .linkers(linkers.keys.sorted().map { Linker(key: $0, values: linkers[$0]) })
        case .linker(let key): return .linker(Linker(key: key, values: try values(key)))
        case .values(let key): return .values(linker: key, try values(key))
        case .value(let key, let id):
            guard let value = try values(key).first(where: { $0.id == id }) else {
                throw RemoteReadError("The linker value does not exist.")
            }
            return .value(linker: key, value)
        }
    }
}

/// Local files in memory: path → size (and contents for descriptors).
public struct FakeFiles: LocalFiles {
    public var sizes: [String: Int64]
    public var texts: [String: String]

    public init(sizes: [String: Int64], texts: [String: String] = [:]) {
        self.sizes = sizes
        self.texts = texts
    }

    public func expand(_ pattern: String) throws -> [LocalFile] {
        let glob = Glob(pattern, mode: .localPath)
        return sizes.filter { glob.matches($0.key) }.map { LocalFile(path: $0.key, size: $0.value) }
            .sorted { $0.path < $1.path }
    }

    public func exists(_ path: String) -> Bool { sizes[path] != nil }

    public func isDirectory(_ path: String) -> Bool { sizes.keys.contains { $0.hasPrefix(path + "/") } }

    /// A fake device or pipe: its kind is given in `texts` under `kind:PATH`.
    public func special(_ path: String) -> String? { texts["kind:" + path] }

    public func contents(of path: String) throws -> [UInt8] {
        guard let text = texts[path] else { throw LocalFileError("no such file '\(path)'") }
        return Array(text.utf8)
    }

    /// A fake file's hash: its text's SHA-256 hex is given in `texts` under `sha256:PATH`.
    public func sha256(of path: String) throws -> String {
        guard let hash = texts["sha256:" + path] else { throw LocalFileError("no hash for '\(path)'") }
        return hash
    }
}
