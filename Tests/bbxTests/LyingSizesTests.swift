import BBXTestSupport
import Foundation
import Testing

/// Sizes come from outside: a server may list an artifact with a negative size or with
/// `Int64.max` bytes (a sparse local file may claim exabytes too). Adding them up for the plan's
/// totals once crashed `bbx plan` with an overflow and a stack trace.
@Suite("Sizes a server lies about")
struct LyingSizesTests {
    /// One page, `values` as given (a server in Python: it shares nothing with the emulator).
    static let answer = #"""
        values = json.loads(args[0])
        return {"values": values, "pagelen": 100, "page": 1, "size": len(values)}
        """#

    static func artifact(_ name: String, _ size: Int64) -> String {
        #"{"name": "\#(name)", "size": \#(size), "created_on": "2026-11-20T08:19:49.123456+00:00"}"#
    }

    /// Plans `script` against a server listing `values`.
    static func plan(_ values: [String], _ script: String) async throws -> BBXProcess.Result {
        let server = try await ScriptedServer.start(Self.answer, arguments: ["[" + values.joined(separator: ",") + "]"])
        defer { server.stop() }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await BBXProcess.launch(
            ["plan", "-e", script],
            environment: ["BITBUCKET_URL": server.url, "BITBUCKET_TOKEN": "t0ken-sizes"], in: folder)
    }

    @Test func hugeSizesAddUpWithoutACrash() async throws {
        let result = try await Self.plan(
            [Self.artifact("a.zip", .max), Self.artifact("b.zip", .max)], "download \"*\" from acme/app to \"out/\"")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Plan: 2 to download"), "\(result.stdout)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
    }

    @Test func aNegativeSizeIsRefusedNamingTheArtifact() async throws {
        let result = try await Self.plan(
            [Self.artifact("a.zip", 10), Self.artifact("c.zip", -5)], "download \"*\" from acme/app to \"out/\"")
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("'c.zip' is listed with a size of -5 bytes"), "\(result.stderr)")
    }
}
