import BBXTestSupport
import Foundation
import Testing

/// Every script in `examples/` run as the README tells a newcomer: on the sandbox. They share
/// one sandbox store (`--sandbox-data`), so the download and cleanup examples find what the
/// release left.
@Suite("examples on the sandbox")
struct ExampleRunTests {
    @Test func everyExampleRunsOnTheSandbox() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("examples")
        try FileManager.default.copyItem(at: Paths.examples, to: copy)
        let store = folder.appendingPathComponent("sandbox").path
        func run(_ script: String, _ environment: [String: String] = [:]) async throws -> BBXProcess.Result {
            let result = try await BBXProcess.launch(
                ["run", script, "--sandbox-data", store], environment: environment, in: copy)
            #expect(result.status == 0, "\(script): \(result.stdout)\(result.stderr)")
            #expect(result.stdout.hasPrefix("sandbox: a local emulator at http://127.0.0.1:"), "\(result.stdout)")
            return result
        }
        var ran: [String] = []

        let first = try await run("release.bbx")
        #expect(first.stdout.contains("+ upload   dist/app.tar.gz → app-1.4.0.tar.gz"))
        #expect(first.stdout.contains("Applied: 4 uploaded"))
        for version in ["1.5.0", "1.6.0", "1.7.0", "1.8.0"] {
            let result = try await run("release.bbx", ["VERSION": version])
            #expect(!result.stdout.contains("- delete"), "\(result.stdout)")
            // app-latest.tar.gz matches the pattern, has no version, and is said to be left alone.
            #expect(result.stdout.contains("never deleted by a version rule: 'app-latest.tar.gz'"), "\(result.stdout)")
        }
        // Five versioned archives now: the sixth release prunes the oldest.
        let pruning = try await run("release.bbx", ["VERSION": "1.9.0"])
        #expect(pruning.stdout.contains("- delete   app-1.4.0.tar.gz"), "\(pruning.stdout)")
        #expect(pruning.stdout.contains("released 1.9.0"))
        ran.append("release.bbx")

        let download = try await run("download-latest.bbx")
        #expect(download.stdout.contains("↓ download app-latest.tar.gz → downloads/app-latest.tar.gz"))
        let fetched = FileManager.default.contents(
            atPath: copy.appendingPathComponent("downloads/app-latest.tar.gz").path)
        #expect(fetched == FileManager.default.contents(atPath: copy.appendingPathComponent("dist/app.tar.gz").path))
        ran.append("download-latest.bbx")

        let cleanup = try await run("nightly-cleanup.bbx")
        #expect(cleanup.stdout.contains("acme/app: 8 artifacts"), "\(cleanup.stdout)")
        ran.append("nightly-cleanup.bbx")

        let connect = try await run("connect-app.bbx")
        #expect(connect.stdout.contains("* connect  PUT /2.0/addon/linkers/jira-issues/values"))
        #expect(connect.stdout.contains("Applied: 3 Connect calls made"))
        ran.append("connect-app.bbx")

        let verified = try await run("verified-release.bbx")
        #expect(verified.stdout.contains("(not in SHA256SUMS)"), "\(verified.stdout)")
        #expect(verified.stdout.contains("# checksums SHA256SUMS"), "\(verified.stdout)")
        #expect(verified.stdout.contains(": verified, sha256 "), "\(verified.stdout)")
        let again = try await run("verified-release.bbx")
        #expect(again.stdout.contains("= unchanged build/app-1.4.0-linux.zip"), "\(again.stdout)")
        #expect(!again.stdout.contains("+ upload") && !again.stdout.contains("~ replace"), "\(again.stdout)")
        #expect(again.stdout.contains("Applied: 2 verified"), "\(again.stdout)")
        ran.append("verified-release.bbx")

        let examples = Paths.files(in: Paths.examples, withExtension: "bbx").map(\.lastPathComponent)
        #expect(ran.sorted() == examples, "an example without a sandbox run")
    }

    /// `--sandbox-seed`: the cleanup example tried on aged artifacts, as the guide shows it,
    /// without a `bbx serve` or curl.
    @Test func theCleanupExampleRunsOnASeededSandbox() async throws {
        let result = try await BBXProcess.launch(
            ["run", "--sandbox", "--sandbox-seed", "nightly-seed.json", "nightly-cleanup.bbx"], in: Paths.examples)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let deleted = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  - delete") }.map {
            String($0.split(separator: " ", omittingEmptySubsequences: true)[2])
        }
        // Nightly builds older than two weeks beyond the ten newest, a pull-request build of
        // five days, the two oldest release candidates, an unread log of ten days.
        #expect(
            deleted == (14...20).reversed().map { "nightly-\($0).zip" } + [
                "pr-101.zip", "app-1.4.0-rc1.zip", "app-1.4.0-rc2.zip", "build-1.log",
            ], "\(result.stdout)")
        #expect(result.stdout.contains("Applied: 11 deleted"))

        // A seed the emulator refuses is the command line's problem, said with the file's name.
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"[{"repo": "acme/app", "name": "a.zip", "size": 1, "age": "45 days"}]"#.utf8).write(
            to: folder.appendingPathComponent("seed.json"))
        let refused = try await BBXProcess.launch(
            ["run", "--sandbox-seed", "seed.json", "-e", "list in acme/app"], in: folder)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("--sandbox-seed: seed.json: acme/app a.zip: Invalid age '45 days'"),
            "\(refused.stderr)")
        try Data(#"{"repo": "acme/app"}"#.utf8).write(to: folder.appendingPathComponent("object.json"))
        let notArray = try await BBXProcess.launch(
            ["run", "--sandbox-seed", "object.json", "-e", "list in acme/app"], in: folder)
        #expect(notArray.status == 64)
        #expect(notArray.stderr.contains("is not a JSON array"), "\(notArray.stderr)")
    }
}
