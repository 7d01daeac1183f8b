import BBXTestSupport
import Foundation
import Testing

/// Bitbucket limits API calls per hour, so a big release is bound by requests: uploads go
/// several files to a request, the report says how many requests the run made, and a run near
/// the limit slows down instead of running into 429s.
@Suite("Fewer requests")
struct FewerRequestsTests {
    @Test func twoHundredFilesGoInAHandfulOfRequestsAndTheReportCountsThem() async throws {
        try await EndToEnd.with { world in
            for index in 1...200 {
                try world.write("many/file-\(index).bin", String(repeating: "x", count: 1024 + index))
            }
            try world.write(
                "many.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\nupload \"many/*.bin\" on conflict update\n")
            try await world.serve.clearRequests()
            let result = try await world.bbx(["run", "many.bbx", "--jobs", "4"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let requests = try await world.serve.requests()
            let posts = requests.filter { $0.method == "POST" }
            // 200 files in 7 requests of at most 32, and the manifest's one replacement.
            #expect(posts.count == 8, "\(posts.count) POSTs")
            let lists = requests.filter { $0.method == "GET" && $0.path.hasSuffix("/downloads") }
            // The plan's listing (one page: the repository was empty), and the one the manifest
            // takes its stored names and stamps from, which also confirms the uploads afterwards
            // (two pages of at most 100: the 200 files, before the manifest is written).
            #expect(lists.count == 3, "\(lists.count) listing pages")
            // The report's count is the emulator's (API and storage alike).
            #expect(
                result.stdout.hasSuffix("\(requests.count) HTTP requests.\n"), "\(requests.count): \(result.stdout)")
            // Every file has its line in the manifest.
            let manifest = try await Curl.run(
                ChecksumsEndToEndTests.auth + [
                    "-L", "\(world.serve.api)/2.0/repositories/acme/app/downloads/SHA256SUMS",
                ])
            #expect(manifest.text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 200)
        }
    }

    @Test func nearTheRateLimitItSaysSoOnceAndSlowsDown() async throws {
        // 36,000 calls an hour, 28,798 made: the run's second call (its upload) reaches 80 %, and
        // the listing that confirms it waits its turn.
        try await EndToEnd.with(["--rate-limit", "36000:28798"]) { world in
            try world.write("release.bbx", "use acme/app\nupload \"build/*.zip\"\nupload \"dist/app.tar.gz\"\n")
            let result = try await world.bbx(["run", "release.bbx", "--jobs", "1"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let notice =
                "Bitbucket says this credential is near its rate limit (36000 requests an hour): slowing to one request every 0.1 s rather than running into 429s"
            #expect(result.stderr.components(separatedBy: notice).count == 2, "once: \(result.stderr)")
            let statuses = try await world.serve.requests().map(\.status)
            #expect(!statuses.contains(429))
        }
    }
}
