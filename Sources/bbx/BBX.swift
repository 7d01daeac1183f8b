import ArgumentParser
import Foundation

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
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "bbx",
        abstract: "Release-artifact automation for Bitbucket Cloud Downloads and Connect apps.",
        discussion: """
            bbx runs small declarative scripts (.bbx files) that upload, download, prune and delete the Downloads of Bitbucket Cloud repositories:

                use acme/app
                upload "build/*.zip" on conflict replace
                prune "app-*" keep 5

            Exit codes: 0 success, 1 apply failed, 2 success with changes (--detailed-exitcode), 64 bad command line, 65 script error (nothing was changed), 77 credentials missing or rejected, 129/130/143 stopped by SIGHUP, Ctrl-C or SIGTERM while applying.
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, PlanCommand.self, ApplyCommand.self, ReplCommand.self, CheckCommand.self,
            FormatCommand.self,
            ServeCommand.self,
        ]
    )
}
