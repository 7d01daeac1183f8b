import BBXTestSupport
import BitbucketAPI
import BitbucketModel
import Foundation
import Synchronization
import Testing

@Suite("Client: Downloads calls against bbx serve")
struct DownloadsTests {
    let repo = Harness.repository

    @Test func listFollowsNextThroughEveryPage() async throws {
        try await withHarness { harness in
            for index in 0..<205 {
                let created = String(format: "2026-01-01T%02d:%02d:00+00:00", index / 60, index % 60)
                try await harness.seed(String(format: "app-%03d.zip", index), size: index, created: created)
            }
            try await harness.clearRequests()
            let artifacts = try await harness.withClient { try await $0.artifacts(in: repo) }
            #expect(artifacts.count == 205)
            #expect(Set(artifacts.map(\.name)).count == 205)
            // Newest first, as Bitbucket sends them; the client keeps the server's order.
            #expect(artifacts.first?.name == "app-204.zip")
            #expect(artifacts.last?.name == "app-000.zip")
            let newest = try #require(artifacts.first)
            #expect(newest.size == 204)
            #expect(newest.created == Date(timeIntervalSince1970: 1_767_225_600 + 3 * 3600 + 24 * 60))
            #expect(newest.uploader?.displayName == "Seeded")
            let lists = try await harness.requests().filter { $0.method == "GET" }
            #expect(lists.count == 3)
            #expect(lists[0].query == "pagelen=100")
            #expect(lists.allSatisfy { $0.query.contains("pagelen=100") && $0.authorization })
            #expect(lists[2].query.contains("page=3"))
        }
    }

    @Test func uploadSeveralFilesInOneRequestThenDownloadThemByteForByte() async throws {
        try await withHarness { harness in
            let names = ["plain.zip", "with space.txt", "hash#and%percent.bin", "ünïcødé-日本.tar.gz", "a+b&c=d;e.txt"]
            let files = try names.enumerated().map { index, name in
                UploadFile(
                    path: try harness.file("local-\(index)", size: 1000 * (index + 1), seed: UInt8(index)), name: name)
            }
            try await harness.clearRequests()
            let result = try await harness.withClient { try await $0.upload(files, to: repo) }
            #expect(result.uploaded == names)
            #expect(result.confirmedByListing.isEmpty)
            #expect(try await harness.requests().filter { $0.method == "POST" }.count == 1)
            #expect(
                try await harness.remote()
                    == Dictionary(uniqueKeysWithValues: names.enumerated().map { (ExactName($1), 1000 * ($0 + 1)) }))

            let out = harness.folder.appendingPathComponent("out", isDirectory: true)
            try await harness.clearRequests()
            try await harness.withClient { client in
                for (index, name) in names.enumerated() {
                    let destination = out.appendingPathComponent("copy-\(index)").path
                    let bytes = try await client.download(name, from: repo, to: destination)
                    #expect(bytes == Int64(1000 * (index + 1)))
                    #expect(
                        FileManager.default.contentsEqual(atPath: destination, andPath: files[index].path), "\(name)")
                }
            }
            #expect(harness.contents(of: out) == (0..<names.count).map { "copy-\($0)" })
            // Each name went as one encoded path segment, and the storage host never saw credentials.
            let log = try await harness.requests()
            #expect(
                log.filter { $0.host == "api" }.map(\.path).contains(
                    "/2.0/repositories/acme/app/downloads/hash%23and%25percent.bin"))
            #expect(log.filter { $0.host == "api" }.allSatisfy { $0.authorization && $0.status == 302 })
            #expect(log.filter { $0.host == "storage" }.count == names.count)
            #expect(log.filter { $0.host == "storage" }.allSatisfy { !$0.authorization && $0.status == 200 })
        }
    }

    @Test func progressIsReportedForUploadsAndDownloads() async throws {
        try await withHarness { harness in
            let path = try harness.file("big", size: 3 * 1024 * 1024)
            let seen = Seen()
            try await harness.withClient { client in
                try await client.upload([UploadFile(path: path, name: "big.bin")], to: repo) { seen.add($0) }
                try await client.download(
                    "big.bin", from: repo, to: harness.folder.appendingPathComponent("big.copy").path
                ) { seen.add($0) }
            }
            let reports = seen.all
            #expect(reports.count > 4)
            #expect(reports.contains(TransferProgress(name: "big.bin", bytes: 3 * 1024 * 1024, total: 3 * 1024 * 1024)))
            #expect(reports.allSatisfy { $0.bytes <= 3 * 1024 * 1024 && $0.total == 3 * 1024 * 1024 })
        }
    }

    /// A named pipe where a planned file was (put there after planning) must not block the
    /// upload until some writer comes: it is refused, and nothing is sent.
    @Test func aNamedPipeIsRefusedNotWaitedOn() async throws {
        try await withHarness { harness in
            let pipe = harness.folder.appendingPathComponent("app.zip").path
            #expect(mkfifo(pipe, 0o600) == 0)
            try await harness.clearRequests()
            let error = await bitbucketError {
                try await harness.withClient {
                    _ = try await $0.upload([UploadFile(path: pipe, name: "app.zip")], to: repo)
                }
            }
            #expect(error?.description.contains("not a regular file") == true, "\(String(describing: error))")
            #expect(try await harness.remote().isEmpty)
        }
    }

    @Test func uploadReplacesAnArtifactOfTheSameName() async throws {
        try await withHarness { harness in
            try await harness.seed("app.zip", size: 10)
            let path = try harness.file("new", size: 2048)
            try await harness.withClient { try await $0.upload([UploadFile(path: path, name: "app.zip")], to: repo) }
            #expect(try await harness.remote() == ["app.zip": 2048])
        }
    }

    /// Deleting removes; deleting what is already gone meets the goal (done, not an error), but
    /// a repository that does not exist is still a clear error.
    @Test func deleteRemovesAndAMissingRepositoryIsAClearError() async throws {
        try await withHarness { harness in
            try await harness.seed("old.zip", size: 5)
            try await harness.withClient { try await $0.delete("old.zip", from: repo) }
            #expect(try await harness.remote().isEmpty)
            try await harness.withClient { try await $0.delete("old.zip", from: repo) }
            let error = await #expect(throws: BitbucketError.self) {
                try await harness.withClient {
                    try await $0.delete("old.zip", from: RepositoryName(parsing: "acme/nowhere")!)
                }
            }
            guard case .status(let failure) = error else { Issue.record("\(String(describing: error))"); return }
            #expect(failure.status == 404)
            #expect(
                failure.description.hasPrefix(
                    "DELETE /2.0/repositories/acme/nowhere/downloads/old.zip: 404 Not Found: "))
        }
    }

    /// Under `on conflict fail` a download never overwrites a file (or a dangling link) that
    /// appeared since the plan: the move into place is atomic and refuses an existing name.
    @Test func aDownloadThatMustNotReplaceLeavesAnExistingFileAlone() async throws {
        try await withHarness { harness in
            try await harness.seed("app.zip", size: 100)
            let target = harness.folder.appendingPathComponent("app.zip")
            try Data("mine".utf8).write(to: target)
            let link = harness.folder.appendingPathComponent("dangling.zip")
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/nonexistent/bbx")
            for path in [target.path, link.path] {
                let error = await bitbucketError {
                    try await harness.withClient {
                        _ = try await $0.download("app.zip", from: repo, to: path, replacing: false)
                    }
                }
                #expect(
                    error?.description.contains("not overwritten (on conflict fail)") == true,
                    "\(String(describing: error))")
            }
            #expect(try Data(contentsOf: target) == Data("mine".utf8))
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "/nonexistent/bbx")
            #expect(harness.contents(of: harness.folder) == ["app.zip", "dangling.zip"])
            // With replacing, it is overwritten.
            try await harness.withClient { _ = try await $0.download("app.zip", from: repo, to: target.path) }
            #expect(try Data(contentsOf: target).count == 100)
        }
    }

    @Test func aFailedDownloadLeavesNothingBehind() async throws {
        try await withHarness { harness in
            let out = harness.folder.appendingPathComponent("out", isDirectory: true)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try Data("keep me".utf8).write(to: out.appendingPathComponent("missing.zip"))
            await #expect(throws: BitbucketError.self) {
                try await harness.withClient {
                    try await $0.download("missing.zip", from: repo, to: out.appendingPathComponent("missing.zip").path)
                }
            }
            // The existing file is untouched and no partial file remains.
            #expect(harness.contents(of: out) == ["missing.zip"])
            #expect(try String(contentsOf: out.appendingPathComponent("missing.zip"), encoding: .utf8) == "keep me")
        }
    }

    @Test func aMissingLocalFileFailsBeforeAnyRequest() async throws {
        try await withHarness { harness in
            try await harness.clearRequests()
            let error = await #expect(throws: BitbucketError.self) {
                try await harness.withClient {
                    try await $0.upload([UploadFile(path: "/nonexistent/app.zip", name: "app.zip")], to: repo)
                }
            }
            #expect(error?.description == "/nonexistent/app.zip: No such file or directory")
            #expect(try await harness.requests().isEmpty)
        }
    }
}

/// Progress reports collected from any thread.
final class Seen: Sendable {
    private let reports = Mutex<[TransferProgress]>([])
    func add(_ report: TransferProgress) { reports.withLock { $0.append(report) } }
    var all: [TransferProgress] { reports.withLock { $0 } }
}
