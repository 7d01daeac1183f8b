import ArgumentParser
import BBXSyntax
import Foundation
import SafeText

@main
struct BBX: AsyncParsableCommand {
    /// Before any command runs, every credential of the environment is known to `Console`, so
    /// that even `bbx check` showing a source line that holds one redacts it. Commands that
    /// connect add the rest (`--token-file`, `--proxy`).
    static func main() async {
        Console.secrets = secretValues(of: nil, environment: ProcessInfo.processInfo.environment)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Our own exit codes: the message was written already.
            if let code = error as? ExitCode { exit(withError: code) }
            guard exitCode(for: error) == ExitStatus.usage else { exit(withError: error) }
            Console.error(usageError(error, arguments: Array(CommandLine.arguments.dropFirst())))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
    }

    /// A command-line mistake in bbx's one style: `bbx: error: …`, then the usage of the
    /// subcommand it concerns. An unknown subcommand is named, with the closest one.
    static func usageError(_ error: any Error, arguments: [String]) -> String {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        if let first = arguments.first, !first.hasPrefix("-"), !names.contains(first) {
            let suggestion = closestSubcommand(to: first, among: names).map { "; did you mean '\($0)'?" } ?? ""
            return "bbx: error: unknown command '\(first.terminalSafe)'\(suggestion)\n"
                + "Usage: bbx <subcommand>\n  See 'bbx --help' for the commands (\(names.joined(separator: ", "))).\n"
        }
        // A command's own check may run before the parser's check of unknown options: an
        // unknown option is the first thing to say, with the closest known one.
        if let command = configuration.subcommands.first(where: { $0.configuration.commandName == arguments.first }) {
            let help = command.helpMessage(columns: 200)
            let known = Set(
                help.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") }).map(String.init).filter {
                    $0.hasPrefix("--") && $0.count > 2
                } + ["--help", "--version"])
            for argument in arguments.dropFirst() {
                if argument == "--" { break }
                let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
                guard name.hasPrefix("--"), name.count > 2, !known.contains(name) else { continue }
                let suggestion = closestMatch(to: name, among: Array(known)).map { "; did you mean '\($0)'?" } ?? ""
                let usage = fullMessage(for: error).split(separator: "\n").drop { !$0.hasPrefix("Usage:") }
                return "bbx: error: unknown option '\(name.terminalSafe)' for 'bbx \(arguments[0])'\(suggestion)\n"
                    + usage.joined(separator: "\n") + "\n"
            }
        }
        var lines = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { $0.hasPrefix("Error: ") }) {
            lines[index] = "bbx: error: " + lines[index].dropFirst("Error: ".count)
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n"
    }

    static func closestSubcommand(to word: String, among names: [String]) -> String? {
        var best: (String, Int)?
        for name in names.sorted() {
            let distance = editDistance(word.lowercased(), name)
            if distance <= 2, distance < (best?.1 ?? Int.max) { best = (name, distance) }
        }
        if let best { return best.0 }
        return names.first { $0.hasPrefix(word.lowercased()) && !word.isEmpty }
    }

    static let configuration = CommandConfiguration(
        commandName: "bbx",
        abstract: "Release-artifact automation for Bitbucket Cloud Downloads and Connect apps.",
        discussion: """
            bbx runs small declarative scripts (.bbx files) that upload, download, prune and delete the Downloads of Bitbucket Cloud repositories:

                use acme/app
                upload "build/*.zip" on conflict replace
                prune "app-*" keep 5

            Exit codes: 0 success, 1 apply failed (or Bitbucket out of reach, a free-plan workspace, removed linker endpoints), 2 success with changes (--detailed-exitcode), 64 bad command line, 65 script error (nothing was changed), 75 out of requests (--max-requests, or Bitbucket's hourly limit): stopped between steps, run again to continue, 77 credentials missing or rejected (or known, before any write, to lack the scope the plan's uploads and deletes need), 129/130/143 stopped by SIGHUP, Ctrl-C or SIGTERM (while planning: nothing was changed).
            """,
        version: bbxVersion,
        subcommands: [
            RunCommand.self, PlanCommand.self, ApplyCommand.self, ReplCommand.self, CheckCommand.self,
            DoctorCommand.self,
            FormatCommand.self,
            ServeCommand.self,
            KeygenCommand.self,
        ]
    )
}
