import BBXTestSupport
import Foundation
import Testing

/// Mistakes on the command line, in one style: `bbx: error: …`, then the usage of the command
/// concerned (exit 64). Mistakes in a script: a did-you-mean where one is likely.
@Suite("bbx: command-line and script mistakes")
struct CommandLineErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        let message: String
        let usage: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        .init(
            arguments: ["rn", "release.bbx"], message: "bbx: error: unknown command 'rn'; did you mean 'run'?",
            usage: "Usage: bbx <subcommand>"),
        .init(
            arguments: ["serv"], message: "bbx: error: unknown command 'serv'; did you mean 'serve'?",
            usage: "Usage: bbx <subcommand>"),
        .init(
            arguments: ["run", "--jobs", "-3", "-e", "print 1"],
            message: "bbx: error: --jobs takes a positive number of transfers at once, found -3",
            usage: "Usage: bbx run "),
        .init(
            arguments: ["run", "--sandbx", "-e", "print 1"],
            message: "bbx: error: unknown option '--sandbx' for 'bbx run'; did you mean '--sandbox'?",
            usage: "Usage: bbx run "),
        .init(
            arguments: ["plan", "--jobs", "2", "-e", "print 1"],
            message: "bbx: error: unknown option '--jobs' for 'bbx plan'", usage: "Usage: bbx plan "),
        .init(
            arguments: ["apply", "--sandbox", "plan.json"],
            message: "bbx: error: unknown option '--sandbox' for 'bbx apply'", usage: "Usage: bbx apply "),
        .init(
            arguments: ["run"], message: "bbx: error: name a script to run, or give code with -e",
            usage: "Usage: bbx run "),
    ]

    @Test(arguments: cases)
    func commandLineMistakes(_ example: Case) async throws {
        let result = try await BBXProcess.launch(example.arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix(example.message), "\(result.stderr)")
        #expect(result.stderr.contains(example.usage), "\(result.stderr)")
        #expect(!result.stderr.contains("Error: "))
    }

    /// The completion scripts the README documents, for each shell.
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) async throws {
        let result = try await BBXProcess.launch(["--generate-completion-script", shell])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("bbx"))
        for command in ["run", "plan", "apply", "repl", "check", "fmt", "serve"] {
            #expect(result.stdout.contains(command), "\(shell): \(command)")
        }
    }

    /// `apply` applies a saved plan, whose sandbox is gone: it offers no sandbox options.
    @Test func applyOffersNoSandboxOptions() async throws {
        let help = try await BBXProcess.launch(["apply", "--help"])
        #expect(!help.stdout.contains("--sandbox"), "\(help.stdout)")
        #expect(try await BBXProcess.launch(["run", "--help"]).stdout.contains("--sandbox-data"))
    }

    static let scriptCases: [(String, String)] = [
        ("uplaod \"x\"", "1:1: error: expected a statement, found a name; did you mean 'upload'?"),
        ("prnt 1", "1:1: error: expected a statement, found a name; did you mean 'print'?"),
        (
            "if 1 = 1 {\n    print 1\n}",
            "1:6: error: expected '{' after the condition, found '='; to compare two values, write '=='"
        ),
    ]

    @Test(arguments: scriptCases)
    func scriptMistakesSuggest(_ script: String, _ message: String) async throws {
        let result = try await BBXProcess.launch(["check", "-"], stdin: script + "\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("<stdin>:" + message), "\(result.stderr)")
    }

    /// A syntax error in one statement does not hide the others' errors, and `--json` lists
    /// them all.
    @Test func everyStatementThatParsedIsStillChecked() async throws {
        let script = "uplaod \"x\"\nprint vesion\nlet a = 1\nprint a\n"
        let check = try await BBXProcess.launch(["check", "-"], stdin: script)
        #expect(check.stderr.contains("'vesion' is not defined"), "\(check.stderr)")
        #expect(check.stderr.contains("2 errors"))
        let run = try await BBXProcess.launch(["run", "--json", "-"], stdin: script)
        #expect(run.status == 65)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let errors = try #require(document["errors"] as? [[String: Any]])
        #expect(errors.map { $0["line"] as? Int } == [1, 2])
        #expect((errors.last?["message"] as? String) == "'vesion' is not defined")
        // A name a broken statement might have bound is not reported.
        let broken = try await BBXProcess.launch(["check", "-"], stdin: "let v = \nprint v\n")
        #expect(!broken.stderr.contains("'v' is not defined"), "\(broken.stderr)")
    }
}
