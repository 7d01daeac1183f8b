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

    func connectRead(_ read: ConnectRead) async throws(RemoteReadError) -> [String] {
        ["read \(read)"]
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
