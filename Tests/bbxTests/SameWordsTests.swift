import BBXTestSupport
import Foundation
import Testing

/// The REPL behaves like `bbx run`: the same refusal is said in the same words, whether the
/// session is piped or in a terminal.
@Suite("bbx run and the REPL say the same")
struct SameWordsTests {
    /// The message of bbx run's `bbx: error: …` (or `FILE:L:C: error: …`) line.
    static func message(_ stderr: String) -> String? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains("error: ") }),
            let range = line.range(of: "error: ")
        else { return nil }
        return String(line[range.upperBound...])
    }

    /// Where a statement is differs by nature (`<-e>:2`, `<repl>:1`): the words may not.
    static func withoutPlaces(_ text: String) -> String {
        text.replacingOccurrences(of: #"<[a-z-]+>:\d+(:\d+)?"#, with: "PLACE", options: .regularExpression)
            .replacingOccurrences(of: "\n", with: "")
    }

    static let cases: [(entry: String, name: String, environment: [String: String])] = [
        ("use acme/app\nupload \"build/*.zip\"", "a read-only credential", ["BITBUCKET_TOKEN": "reader"]),
        ("use acme/nope\nlist", "a missing repository", ["BITBUCKET_TOKEN": "reader"]),
        // The key is read after planning, before anything is sent (the REPL used to fail the
        // entry's first step "refused before sending" instead).
        (
            "use acme/app\nchecksums \"SHA256SUMS\" signed\nupload \"build/*.zip\"",
            "a signing key that cannot be read",
            ["BBX_SIGNING_KEY_FILE": "/nonexistent/bbx-signing.key"]
        ),
    ]

    @Test func aRefusalReadsAlikeInRunAPipeAndATerminal() async throws {
        try await EndToEnd.with(["--token", "reader:repository"]) { world in
            for (entry, name, extra) in Self.cases {
                let reader = world.environment.merging(extra) { $1 }
                let run = try await BBXProcess.launch(["run", "-e", entry], environment: reader, in: world.folder)
                #expect(run.status != 0)
                #expect(try await world.remote().isEmpty, "\(name): nothing is sent")
                guard let words = Self.message(run.stderr) else {
                    Issue.record("\(name): bbx run said no error: \(run.stderr)")
                    continue
                }
                let piped = try await BBXProcess.launch(
                    ["repl"], environment: reader, in: world.folder, stdin: entry + "\n")
                #expect(
                    Self.withoutPlaces(piped.stderr).contains("error: " + Self.withoutPlaces(words)),
                    "\(name)\nrun: \(words)\nrepl: \(piped.stderr)")

                var environment = reader
                environment["TERM"] = "xterm"
                environment["HOME"] = world.folder.path
                environment["BBX_HISTORY"] = world.folder.appendingPathComponent("history").path
                let tmux = try await Tmux(
                    [BBXProcess.executable.path, "repl"], environment: environment, in: world.folder, width: 400)
                do {
                    _ = try await tmux.waitForScreen { $0.contains("bbx>") }
                    for line in entry.split(separator: "\n") {
                        try await tmux.type(String(line))
                        try await tmux.press("Enter")
                    }
                    // The screen wraps long lines: compare without the breaks.
                    let expected = "error: " + Self.withoutPlaces(words)
                    let screen = try await tmux.waitForScreen { Self.withoutPlaces($0).contains(expected) }
                    #expect(
                        Self.withoutPlaces(screen).contains(expected), "\(name)\nrun: \(words)\nterminal:\n\(screen)")
                } catch {
                    await tmux.kill()
                    throw error
                }
                await tmux.kill()
            }
        }
    }
}
