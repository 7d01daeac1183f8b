import ArgumentParser
import BBXFormat
import BBXSyntax
import Foundation
import SafeText

struct FormatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Rewrite scripts in the canonical layout (only whitespace changes).",
        discussion: """
            Rewrites each file in place; formatting twice changes nothing, and every comment is kept. With --check nothing is written: the files that would change are named, and the exit code is 1 if there are any. A file with syntax errors is left alone (exit 65). '-' reads standard input and writes the result to standard output.
            """
    )

    @Argument(help: "The scripts to format ('-' for standard input).")
    var files: [String]

    @Flag(help: "Write nothing; list the files that are not formatted and exit 1 if any.")
    var check = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one script to format") }
    }

    func run() throws {
        var unwritable = false
        var syntaxErrors = false
        var unformatted: [String] = []
        let unreadable = ScriptFiles.forEach(files) { path, source in
            switch Formatter.format(source) {
            case .syntaxErrors(let diagnostics):
                Console.report(diagnostics, in: source)
                syntaxErrors = true
            case .formatted(let text):
                if path == "-" {
                    if check { if text != source.text { unformatted.append(path) } } else { Console.out(text) }
                    return
                }
                guard Array(text.utf8) != source.bytes else { return }
                if !check {
                    do {
                        try ScriptFiles.replaceContents(of: path, with: text)
                    } catch {
                        Console.fail("could not write '\(path)': \(error)")
                        unwritable = true
                        return
                    }
                }
                unformatted.append(path)
            }
        }
        if check {
            for path in unformatted { Console.out("would reformat \(path.terminalSafe)\n") }
        } else {
            for path in unformatted { Console.error("formatted \(path.terminalSafe)\n") }
        }
        if unreadable || unwritable { throw ExitStatus.usage }
        if syntaxErrors { throw ExitStatus.scriptError }
        if check, !unformatted.isEmpty { throw ExitStatus.unformatted }
    }
}
