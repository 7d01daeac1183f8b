import BBXTestSupport
import BitbucketEmulator
import Foundation
import Testing

@testable import BitbucketAPI

/// Faults injected in the emulator; each test checks what the client did (the request log) and
/// what the remote ended up holding.
@Suite("Client: retries under faults")
struct RetryTests {
    let repo = Harness.repository
    /// Storage links are `/REPO-UUID/downloads/BLOB-UUID/NAME`; API paths start with `/2.0/`.
    static let storagePath = "/*/downloads/*/"

    @Test func listingRetriesThrough503And429() async throws {
        try await withHarness { harness in
            try await harness.seed("a.zip", size: 3)
            try await harness.addFault(#"{"status": 503, "count": 2, "method": "GET"}"#)
            try await harness.addFault(#"{"status": 429, "count": 1, "method": "GET"}"#)
            try await harness.clearRequests()
            let artifacts = try await harness.withClient { try await $0.artifacts(in: repo) }
            #expect(artifacts.map(\.name) == ["a.zip"])
            #expect(try await harness.requests().map(\.status) == [503, 503, 429, 200])
        }
    }

    @Test func aRejectedUploadIsSentAgainAfterCheckingTheList() async throws {
        try await withHarness { harness in
            let path = try harness.file("app", size: 300_000)
            try await harness.addFault(#"{"status": 503, "count": 1, "method": "POST"}"#)
            try await harness.clearRequests()
            let result = try await harness.withClient {
                try await $0.upload([UploadFile(path: path, name: "app.zip")], to: repo)
            }
            #expect(result.uploaded == ["app.zip"])
            let log = try await harness.requests()
            #expect(log.map { "\($0.method) \($0.status)" } == ["POST 503", "GET 200", "POST 201"])
            #expect(try await harness.remote() == ["app.zip": 300_000])
        }
    }

    @Test func aCutUploadIsSentAgainWhole() async throws {
        try await withHarness { harness in
            let path = try harness.file("app", size: 2_000_000)
            try await harness.addFault(#"{"cut": true, "count": 1, "method": "POST"}"#)
            try await harness.clearRequests()
            try await harness.withClient { try await $0.upload([UploadFile(path: path, name: "app.zip")], to: repo) }
            let posts = try await harness.requests().filter { $0.method == "POST" }
            #expect(posts.count == 2)
            #expect(posts.last?.status == 201)
            #expect(try await harness.remote() == ["app.zip": 2_000_000])
            let copy = harness.folder.appendingPathComponent("copy").path
            try await harness.withClient { try await $0.download("app.zip", from: repo, to: copy) }
            #expect(FileManager.default.contentsEqual(atPath: copy, andPath: path))
        }
    }

    @Test func aLostUploadResponseIsConfirmedByListingNotByUploadingTwice() async throws {
        try await withHarness { harness in
            let paths = [try harness.file("one", size: 100_000, seed: 1), try harness.file("two", size: 5, seed: 2)]
            // Bitbucket stores the upload, but its answer comes after the client stopped waiting.
            try await harness.addFault(#"{"delay_ms": 2500, "count": 1, "method": "POST"}"#)
            try await harness.clearRequests()
            let result = try await harness.withClient(
                .accessToken(Secret("write-token")), { $0.readTimeout = .seconds(1) }
            ) {
                try await $0.upload(
                    [UploadFile(path: paths[0], name: "one.zip"), UploadFile(path: paths[1], name: "two.zip")], to: repo
                )
            }
            #expect(result.uploaded.isEmpty)
            #expect(result.confirmedByListing == ["one.zip", "two.zip"])
            let log = try await harness.requests { $0.contains { $0.method == "POST" } }
            #expect(log.filter { $0.method == "POST" }.count == 1)
            #expect(log.filter { $0.method == "GET" }.count == 1)
            #expect(try await harness.remote() == ["one.zip": 100_000, "two.zip": 5])
        }
    }

    /// A brand-new name (no earlier artifact known to the plan): the first attempt is cut and
    /// stores nothing, and an older artifact of that name and size turns up in the listing. It
    /// is not the lost upload (created before the attempt began), so the file is sent again.
    @Test func anOlderArtifactIsNotTakenForABrandNewUpload() async throws {
        try await withHarness { harness in
            let path = try harness.file("new.zip", size: 4096)
            try await harness.addFault(#"{"cut": true, "count": 1, "method": "POST"}"#)
            try await harness.seed("new.zip", size: 4096, created: "2026-01-01T00:00:00.123456+00:00")
            try await harness.clearRequests()
            try await harness.withClient { try await $0.upload([UploadFile(path: path, name: "new.zip")], to: repo) }
            let posts = try await harness.requests().filter { $0.method == "POST" }
            #expect(posts.count == 2, "sent again: \(posts)")
            let listed = try await harness.withClient { try await $0.artifacts(in: repo) }
            #expect(listed.first?.createdOn?.hasPrefix("2026-01-01") == false, "the remote holds the new upload")
        }
    }

    @Test func anOldArtifactOfTheSameSizeIsNotMistakenForTheLostUpload() async throws {
        try await withHarness { harness in
            try await harness.seed("app.zip", size: 4096, created: "2026-01-01T00:00:00+00:00")
            let before = try await harness.withClient { try await $0.artifacts(in: repo) }
            let path = try harness.file("app", size: 4096)
            try await harness.addFault(#"{"status": 502, "count": 1, "method": "POST"}"#)
            try await harness.clearRequests()
            let result = try await harness.withClient {
                try await $0.upload(
                    [UploadFile(path: path, name: "app.zip")], to: repo,
                    previous: Dictionary(uniqueKeysWithValues: before.map { (ExactName($0.name), $0) }))
            }
            #expect(result.uploaded == ["app.zip"])
            #expect(
                try await harness.requests().map { "\($0.method) \($0.status)" } == ["POST 502", "GET 200", "POST 201"])
        }
    }

    @Test func aCutDownloadResumesWithARangeFromAFreshLink() async throws {
        try await withHarness { harness in
            try await harness.seed("big.bin", size: 3_000_000)
            try await harness.addFault(
                #"{"cut": true, "count": 1, "method": "GET", "path": "\#(Self.storagePath)big.bin"}"#)
            try await harness.clearRequests()
            let destination = harness.folder.appendingPathComponent("big.bin").path
            let size = try await harness.withClient {
                try await $0.download("big.bin", from: repo, to: destination, expectedSize: 3_000_000)
            }
            #expect(size == 3_000_000)
            let log = try await harness.requests()
            #expect(log.map { "\($0.host) \($0.status)" } == ["api 302", "storage 200", "api 302", "storage 206"])
            let reference = harness.folder.appendingPathComponent("reference")
            try Data(SeedContent.bytes(name: "big.bin", size: 3_000_000)).write(to: reference)
            #expect(FileManager.default.contentsEqual(atPath: destination, andPath: reference.path))
            #expect(harness.contents(of: harness.folder) == ["big.bin", "reference"])
        }
    }

    /// The artifact is replaced (same name, same size, other bytes) between the cut and the
    /// resume: the client must not join the old file's first part to the new one's rest.
    @Test func aResumedDownloadNeverJoinsTwoVersions() async throws {
        try await withHarness { harness in
            let size = 2_000_000
            try await harness.seed("v.bin", size: size)
            try await harness.addFault(
                #"{"cut": true, "count": 1, "method": "GET", "path": "\#(Self.storagePath)v.bin"}"#)
            try await harness.clearRequests()
            let destination = harness.folder.appendingPathComponent("v.bin").path
            let slowRetries = RetryPolicy(
                maxAttempts: 3, initialDelay: .seconds(4), maxDelay: .seconds(4), maxTotalDelay: .seconds(20))
            async let downloaded = harness.withClient(.accessToken(Secret("write-token")), { $0.retry = slowRetries }) {
                try await $0.download("v.bin", from: repo, to: destination, expectedSize: Int64(size))
            }
            // Once the first (cut) storage request is seen, the artifact is replaced.
            _ = try await harness.requests { $0.contains { $0.host == "storage" } }
            let newer = try harness.file("newer.bin", size: size)
            let upload = try await Curl.run([
                "-H", "Authorization: Bearer write-token", "-F", "files=@\(newer);filename=v.bin",
                harness.emulator.downloads("acme/app"),
            ])
            #expect(upload.status == 201)
            #expect(try await downloaded == Int64(size))
            #expect(FileManager.default.contentsEqual(atPath: destination, andPath: newer))
            let log = try await harness.requests().filter { $0.method == "GET" }
            #expect(log.map { "\($0.host) \($0.status)" } == ["api 302", "storage 200", "api 302", "storage 200"])
        }
    }

    /// A link the storage host refuses is renewed once through the API.
    @Test func aRefusedStorageLinkIsRenewedOnce() async throws {
        try await withHarness { harness in
            try await harness.seed("r.bin", size: 1000)
            try await harness.addFault(
                #"{"status": 403, "count": 1, "method": "GET", "path": "\#(Self.storagePath)r.bin"}"#)
            try await harness.clearRequests()
            let destination = harness.folder.appendingPathComponent("r.bin").path
            let size = try await harness.withClient { try await $0.download("r.bin", from: repo, to: destination) }
            #expect(size == 1000)
            let log = try await harness.requests()
            #expect(log.map { "\($0.host) \($0.status)" } == ["api 302", "storage 403", "api 302", "storage 200"])
        }
    }

    /// Links that keep failing: the message names the storage host, and it is not taken for a
    /// credential problem (bbx would exit 77 and send the user to their token).
    @Test func anExpiredLinkThatStaysExpiredNamesTheStorageHost() async throws {
        try await withHarness({ $0.storageLinkLifetime = -5 }) { harness in
            try await harness.seed("e.bin", size: 10)
            try await harness.clearRequests()
            let destination = harness.folder.appendingPathComponent("e.bin").path
            do {
                try await harness.withClient { try await $0.download("e.bin", from: repo, to: destination) }
                Issue.record("the download should fail")
            } catch let error as BitbucketError {
                #expect(error.cause != .credentials)
                let storageHost = try #require(URL(string: harness.emulator.storage)).port.map { "127.0.0.1:\($0)" }
                #expect(error.description.contains(storageHost ?? "?"), "\(error)")
                #expect(error.description.contains("Request has expired"))
                #expect(!error.description.contains("Signature"))
            }
            #expect(try await harness.requests().map(\.host) == ["api", "storage", "api", "storage"])
            #expect(harness.contents(of: harness.folder).isEmpty)
        }
    }

    @Test func aLostDeleteResponseCountsAsDeleted() async throws {
        try await withHarness { harness in
            try await harness.seed("old.zip", size: 1)
            try await harness.addFault(#"{"delay_ms": 2500, "count": 1, "method": "DELETE"}"#)
            try await harness.clearRequests()
            try await harness.withClient(.accessToken(Secret("write-token")), { $0.readTimeout = .seconds(1) }) {
                try await $0.delete("old.zip", from: repo)
            }
            let log = try await harness.requests { $0.count == 2 }
            #expect(
                log.map { "\($0.method) \($0.status)" }.sorted() == [
                    "DELETE 204", "DELETE 404",
                ])
            #expect(try await harness.remote().isEmpty)
        }
    }

    /// A DELETE answered 404 means the goal is met: done, whether the artifact went before bbx
    /// asked or an earlier attempt failed with a 5xx.
    @Test func aDeleteAnswered404IsDone() async throws {
        try await withHarness { harness in
            try await harness.withClient { try await $0.delete("gone.zip", from: repo) }
            try await harness.addFault(#"{"status": 503, "count": 1, "method": "DELETE"}"#)
            try await harness.clearRequests()
            try await harness.withClient { try await $0.delete("gone.zip", from: repo) }
            let log = try await harness.requests()
            #expect(log.map { "\($0.method) \($0.status)" } == ["DELETE 503", "DELETE 404"])
        }
    }

    @Test func backoffGrowsAndStaysWithinItsBounds() {
        let policy = RetryPolicy(
            maxAttempts: 8, initialDelay: .milliseconds(100), maxDelay: .seconds(2), maxTotalDelay: .seconds(60))
        #expect(policy.delay(after: 1, retryAfter: nil, random: 1) == .milliseconds(100))
        #expect(policy.delay(after: 1, retryAfter: nil, random: 0) == .milliseconds(50))
        #expect(policy.delay(after: 3, retryAfter: nil, random: 1) == .milliseconds(400))
        #expect(policy.delay(after: 10, retryAfter: nil, random: 1) == .seconds(2))
        #expect(policy.delay(after: 2, retryAfter: .seconds(1), random: 0) == .seconds(1))
        #expect(policy.delay(after: 2, retryAfter: .seconds(3600), random: 0) == .seconds(2))
        #expect(policy.delay(after: 2, retryAfter: .seconds(-30), random: 0) == .zero)
    }
}
