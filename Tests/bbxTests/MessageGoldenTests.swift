import BBXTestSupport
import Foundation
import Testing

/// What a user reads when something is wrong, as whole texts kept in Golden/messages (record
/// with BBX_RECORD=1, then review the diff): each message points at what is wrong.
@Suite("Messages that point at the right thing")
struct MessageGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/messages")

    /// The emulator's port, times of day and run times vary from run to run.
    static func normalized(_ text: String, _ world: EndToEnd) -> String {
        var text = text.replacingOccurrences(of: world.serve.api, with: "http://127.0.0.1:PORT")
        for (pattern, replacement) in [
            (#"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"#, "YYYY-MM-DD hh:mm:ss UTC"),
            (#"in \d+\.\d s"#, "in N.N s"),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    static func compare(_ actual: String, _ name: String) {
        let url = folder.appendingPathComponent(name)
        let expected = Golden.expected(actual, at: url)
        #expect(actual == expected, "\(name):\n\(Golden.diff(expected: expected ?? "", actual: actual))")
    }

    @Test func aRefusedCredentialIsTheCredentialsProblemNotALines() async throws {
        try await EndToEnd.with { world in
            try world.write(
                "release.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\nupload \"build/*.zip\" on conflict update\n")
            let run = try await world.bbx(
                ["run", "release.bbx"], environment: ["BITBUCKET_TOKEN": "expired-test-token"])
            #expect(run.status == 77)
            Self.compare(Self.normalized(run.stderr, world), "credential-refused.txt")
            #expect(!run.stderr.contains("^"), "no caret: \(run.stderr)")
            #expect(run.stderr.components(separatedBy: "401").count == 2, "said once: \(run.stderr)")
        }
    }

    @Test func aMissingRepositoryIsShownWhereTheScriptNamesIt() async throws {
        try await EndToEnd.with { world in
            try world.write("cleanup.bbx", "# Tidy up.\nuse acme/ap\n\nprune \"nightly-*\" keep 5\nlist\n")
            let run = try await world.bbx(["run", "cleanup.bbx"])
            #expect(run.status == 65)
            Self.compare(Self.normalized(run.stderr, world), "missing-repository.txt")
            try world.write("copy.bbx", "use acme/app\nlist \"*.zip\" in acme/wbe\n")
            let clause = try await world.bbx(["run", "copy.bbx"])
            #expect(clause.status == 65)
            Self.compare(Self.normalized(clause.stderr, world), "missing-repository-clause.txt")
        }
    }

    @Test func listShowsTheNewestFirstToTheSecond() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "nightly-a.zip", size: 2048, created: daysAgo(3))
            try await world.serve.seed("acme/app", "nightly-c.zip", size: 2048, created: daysAgo(1))
            try await world.serve.seed("acme/app", "nightly-b.zip", size: 2048, created: daysAgo(2))
            try await world.serve.seed("acme/app", "release.zip", size: 4096, created: daysAgo(1.5))
            let run = try await world.bbx(["run", "-e", "list \"*.zip\" in acme/app"])
            #expect(run.status == 0)
            Self.compare(Self.normalized(run.stdout, world), "list-newest-first.txt")
        }
    }

    @Test func aFailedDownloadTakesAwayTheFolderItMade() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "app.zip", size: 1000)
            // A manifest whose entry does not match what is stored.
            try world.write("manifest/SHA256SUMS", String(repeating: "0", count: 64) + "  app.zip\n")
            let uploaded = try await world.bbx(["run", "-e", "use acme/app\nupload \"manifest/SHA256SUMS\""])
            #expect(uploaded.status == 0, "\(uploaded.stderr)")
            try world.write(
                "fetch.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\ndownload \"app.zip\" to \"out/1.4.0/\"\n")
            let run = try await world.bbx(["run", "fetch.bbx"])
            #expect(run.status == 1)
            Self.compare(Self.normalized(run.stdout + run.stderr, world), "download-mismatch.txt")
            #expect(!FileManager.default.fileExists(atPath: world.folder.appendingPathComponent("out").path))
            // A folder that was there before stays, even when the download into it fails.
            try world.write("kept/.keep", "")
            try world.write("fetch2.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\ndownload \"app.zip\" to \"kept/\"\n")
            #expect(try await world.bbx(["run", "fetch2.bbx"]).status == 1)
            #expect(FileManager.default.fileExists(atPath: world.folder.appendingPathComponent("kept/.keep").path))
            #expect(!FileManager.default.fileExists(atPath: world.folder.appendingPathComponent("kept/app.zip").path))
        }
    }
}
