import ArgumentParser

@main
struct BBX: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bbx",
        abstract: "Release-artifact automation for Bitbucket Cloud Downloads and Connect apps.",
        discussion: """
            bbx runs small declarative scripts (.bbx files) that upload, download, prune and delete the Downloads of Bitbucket Cloud repositories:

                use acme/app
                upload "build/*.zip" on conflict replace
                prune "app-*" keep 5

            Exit codes: 0 success, 1 apply failed, 2 success with changes (--detailed-exitcode), 64 bad command line, 65 script error (nothing was changed), 77 credentials missing or rejected.
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, PlanCommand.self, ApplyCommand.self, ReplCommand.self, CheckCommand.self,
            FormatCommand.self,
            ServeCommand.self,
        ]
    )
}
