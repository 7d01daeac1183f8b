import BBXTestSupport
import Foundation
import Testing

/// The guide's and the README's examples, run: each command that shows its output runs against
/// the sandbox in a copy of `examples/`, and what it prints must be what the page shows. A page
/// that drifts from the tool fails here, not in a reader's hands.
@Suite("The guide's examples, run")
struct GuideExampleTests {
    static let documents = ["docs/guide.md", "README.md"]

    /// The bbx commands that reach Bitbucket, and so run against the example's sandbox.
    static let sandboxed: Set<String> = ["run", "plan", "repl"]

    struct Outcome {
        var ran = 0
        var notRun: [String] = []
    }

    @Test func everyExampleShowsWhatBbxPrints() async throws {
        var outcome = Outcome()
        for document in Self.documents {
            let text = try String(contentsOf: Paths.root.appendingPathComponent(document), encoding: .utf8)
            try await Self.run(GuideExample.parse(text), of: document, &outcome)
        }
        // The guide is the user's first hour: most of what it shows is checked.
        #expect(outcome.ran >= 25, "only \(outcome.ran) examples ran; not run: \(outcome.notRun)")
        print("doc tests: \(outcome.ran) examples ran, \(outcome.notRun.count) marked not run: \(outcome.notRun)")
    }

    static func run(_ examples: [GuideExample], of document: String, _ outcome: inout Outcome) async throws {
        var folder: URL?
        var state: URL?
        defer { if let folder { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) } }
        for example in examples {
            let place = "\(document):\(example.line)"
            if let reason = example.notRun {
                outcome.notRun.append("\(place) (\(reason))")
                continue
            }
            if !example.continues || folder == nil {
                if let folder { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
                let root = try BBXProcess.temporaryDirectory()
                let copy = root.appendingPathComponent("examples")
                try FileManager.default.copyItem(at: Paths.examples, to: copy)
                folder = copy
                state = root.appendingPathComponent("sandbox")
            }
            guard let folder, let state else { continue }
            for script in example.scripts {
                try Data(script.text.utf8).write(to: folder.appendingPathComponent(script.name))
            }
            for (index, command) in example.commands.enumerated() {
                guard let subcommand = command.arguments.first, !command.arguments.isEmpty else { continue }
                guard ["run", "plan", "apply", "repl", "check", "fmt", "keygen"].contains(subcommand) else {
                    Issue.record(
                        "\(place): '\(command.arguments.joined(separator: " "))' is no bbx command the doc tests run; mark the block '\(GuideExample.notRunMark) …'"
                    )
                    continue
                }
                // The shell's globbing, for `bbx check *.bbx`.
                var arguments = command.arguments.flatMap { word -> [String] in
                    guard word.contains("*"), !word.hasPrefix("-") else { return [word] }
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                    let matched = names.filter { fnmatch(word, $0, 0) == 0 }.sorted()
                    return matched.isEmpty ? [word] : matched
                }
                if Self.sandboxed.contains(subcommand), !arguments.contains(where: { $0.hasPrefix("--sandbox-seed") }) {
                    arguments.removeAll { $0 == "--sandbox" }
                    arguments += ["--sandbox-data", state.path]
                }
                let result = try await BBXProcess.launch(
                    arguments,
                    environment: ["BBX_HISTORY": "/dev/null"].merging(example.environment) { $1 }.merging(
                        command.environment
                    ) { $1 },
                    in: folder, stdin: command.input.isEmpty ? nil : command.input.joined(separator: "\n") + "\n")
                var actual = (result.stdout + result.stderr).components(separatedBy: "\n")
                while actual.last == "" { actual.removeLast() }
                if command.expected.first?.hasPrefix("sandbox:") != true {
                    actual.removeAll { $0.hasPrefix("sandbox: a local emulator at ") }
                }
                if let dump = ProcessInfo.processInfo.environment["BBX_GUIDE_ACTUAL"] {
                    // For writing the page: what each command printed, by the block's line.
                    try? (actual.joined(separator: "\n") + "\n").write(
                        toFile: "\(dump)/\(example.line)-\(index).txt", atomically: true, encoding: .utf8)
                }
                let status = example.status(of: index)
                #expect(
                    result.status == status,
                    "\(place): bbx \(arguments.joined(separator: " ")) exited \(result.status)\n\(actual.joined(separator: "\n"))"
                )
                #expect(
                    GuideExample.matches(command.expected, actual),
                    "\(place): bbx \(command.arguments.joined(separator: " ")) printed\n\(actual.joined(separator: "\n"))\n--- the page shows\n\(command.expected.joined(separator: "\n"))"
                )
                // A shown line edited by hand would be caught: the comparison is not blind.
                if let edited = command.expected.lastIndex(where: { $0 != "…" && !$0.isEmpty }) {
                    var changed = command.expected
                    changed[edited] += " (edited)"
                    #expect(!GuideExample.matches(changed, actual), "\(place): an edited line still matches")
                }
            }
            outcome.ran += 1
        }
    }
}
