import BBXEvaluate
import BBXPlan
import BitbucketModel
import Foundation
import Synchronization

/// Bitbucket as planning sees it, in memory; counts the listings it serves.
final class FakeReader: RemoteReader {
    let repositories: [String: [Artifact]]
    let failure: RemoteReadError?
    private let reads = Mutex<[String]>([])

    init(_ repositories: [String: [Artifact]], failure: RemoteReadError? = nil) {
        self.repositories = repositories
        self.failure = failure
    }

    var listed: [String] { reads.withLock { $0 } }

    func artifacts(in repository: String) async throws(RemoteReadError) -> [Artifact] {
        reads.withLock { $0.append(repository) }
        if let failure { throw failure }
        guard let artifacts = repositories[repository] else {
            throw RemoteReadError("repository \(repository) does not exist")
        }
        return artifacts
    }

    /// The Connect app's linkers and their values.
    let linkers: [String: [LinkerValueInfo]] = ["jira": [LinkerValueInfo(id: 3, value: "OPS")]]

    func connectRead(_ read: ConnectRead) async throws(RemoteReadError) -> ConnectReadResult {
        func values(_ key: String) throws(RemoteReadError) -> [LinkerValueInfo] {
            guard let values = linkers[key] else { throw RemoteReadError("The linker does not exist.") }
            return values
        }
        switch read {
        case .linkers:
            return .linkers(linkers.keys.sorted().map { LinkerInfo(key: $0, values: linkers[$0]) })
        case .linker(let key): return .linker(LinkerInfo(key: key, values: try values(key)))
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
struct FakeFiles: LocalFiles {
    var sizes: [String: Int64]
    var texts: [String: String] = [:]

    func expand(_ pattern: String) throws -> [LocalFile] {
        let glob = Glob(pattern, mode: .localPath)
        return sizes.filter { glob.matches($0.key) }.map { LocalFile(path: $0.key, size: $0.value) }
            .sorted { $0.path < $1.path }
    }

    func exists(_ path: String) -> Bool { sizes[path] != nil }

    func isDirectory(_ path: String) -> Bool { sizes.keys.contains { $0.hasPrefix(path + "/") } }

    func contents(of path: String) throws -> [UInt8] {
        guard let text = texts[path] else { throw LocalFileError("no such file '\(path)'") }
        return Array(text.utf8)
    }
}

let now = Date(timeIntervalSince1970: 1_790_000_000)

func artifact(_ name: String, daysOld: Double, size: Int64 = 10) -> Artifact {
    Artifact(name: name, size: size, created: now.addingTimeInterval(-daysOld * 86_400))
}
