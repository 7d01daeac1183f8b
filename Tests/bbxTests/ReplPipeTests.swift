import BBXTestSupport
import Foundation
import Testing

/// `bbx repl < file`: input from a file or a pipe is a script, and fails like one.
@Suite("bbx repl with piped input")
struct ReplPipeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let input: String
        let status: Int32
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "all entries go", input: "use acme/app\nlet x = 1\nlet x = 2\nprint x\n", status: 0),
        Case(name: "ends inside a block", input: "use acme/app\nif true {\nprint 1\n", status: 65),
        Case(name: "ends inside a string", input: "use acme/app\nprint \"open\n", status: 65),
        Case(name: "an entry fails", input: "use acme/app\nprint nope\nprint 1\n", status: 65),
        Case(name: "a file that is not there", input: "use acme/app\nupload \"missing-dir/x.zip\"\n", status: 65),
    ]

    @Test(arguments: cases)
    func exitStatus(_ example: Case) async throws {
        try await EndToEnd.with { world in
            let result = try await BBXProcess.launch(
                ["repl"], environment: world.environment, in: world.folder, stdin: example.input)
            #expect(result.status == example.status, "\(result.stdout)\(result.stderr)")
            if example.status != 0 { #expect(result.stderr.contains("error"), "\(result.stderr)") }
        }
    }

    /// Each entry's report counts the requests that entry made, not the session's total.
    @Test func eachEntrySaysTheRequestsItMade() async throws {
        try await EndToEnd.with { world in
            try await world.serve.clearRequests()
            // Two entries that apply something (an entry that changes nothing prints no report).
            let input = "use acme/app\nchecksums \"SHA256SUMS\"; upload \"build/*.zip\"\nverify\n"
            let result = try await BBXProcess.launch(
                ["repl"], environment: world.environment, in: world.folder, stdin: input)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let counts = result.stdout.split(separator: "\n").compactMap { line -> Int? in
                line.hasSuffix(" HTTP requests.") ? Int(line.split(separator: " ")[0]) : nil
            }
            #expect(counts.count == 2, "\(result.stdout)")
            let logged = try await world.serve.requests().count
            #expect(counts.reduce(0, +) == logged, "\(counts) against \(logged) in the emulator's log")
        }
    }

    /// A read-only token: the entry that uploads sends nothing, says why, and the session
    /// exits 1 (an entry failed) after the others ran.
    @Test func anEntryTheCredentialCannotRunSendsNothing() async throws {
        try await EndToEnd.with(["--token", "reader:repository"]) { world in
            try await world.serve.clearRequests()
            let result = try await BBXProcess.launch(
                ["repl"], environment: world.environment.merging(["BITBUCKET_TOKEN": "reader"]) { $1 },
                in: world.folder, stdin: "use acme/app\nupload \"build/*.zip\"\nlist\n")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "error: the credential cannot change acme/app's Downloads"),
                "\(result.stdout)\(result.stderr)")
            #expect(try await world.writes().isEmpty)
        }
    }

    /// SIGTERM while an entry downloads: the entry stops, its partial file is removed, and the
    /// session ends with 143 instead of going on to the next entry.
    @Test func sigtermDuringAnEntryCleansUpAndEnds() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "big.bin", size: 300_000)
            try await world.serve.addFault(
                #"{"delay_ms": 20000, "count": 1, "method": "GET", "path": "/2.0/repositories/acme/app/downloads/big.bin"}"#
            )
            let child = try ChildProcess(
                BBXProcess.executable, ["repl"], environment: world.environment, in: world.folder,
                stdin: "use acme/app\ndownload \"big.bin\" to \"out\"\nprint \"after\"\n")
            let out = world.folder.appendingPathComponent("out").path
            let waiting = await child.waitUntil {
                ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).contains {
                    $0.hasPrefix(".big.bin.")
                }
            }
            #expect(waiting, "\(child.stdout)\(child.stderr)")
            child.signal(SIGTERM)
            let result = await child.wait()
            #expect(result.status == 143, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("bbx: terminated: stopping this entry"))
            #expect(!result.stdout.contains("after"))
            // Nothing left: not the partial file, nor the folder the download made for itself.
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
