import ArgumentParser
import BBXApply

/// The options `run`, `plan` and `apply` share: what to print and how to exit.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document (with a \"version\" field) instead of text.")
    var json = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit with 2 when the run succeeded and had changes.")
    var detailedExitCode = false

    @Option(
        help: ArgumentHelp(
            "Also write the run as JUnit XML (a test case per step), which Bitbucket Pipelines shows when the file is under test-results/.",
            valueName: "FILE"))
    var junit: String?
}

/// How a plan is applied (`run`, `apply`; not `plan`, which applies nothing).
struct ApplyOptions: ParsableArguments {
    // Unconditional: `--jobs -3` is a wrong number (said so), not a missing value.
    @Option(parsing: .unconditional, help: "How many transfers may run at once.")
    var jobs = 4

    @Option(
        name: .customLong("files-per-request"), parsing: .unconditional,
        help: ArgumentHelp(
            "The most files one upload request carries (1 to 32; 1 sends each file alone).", valueName: "N"))
    var filesPerRequest = Executor.groupFiles

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs takes a positive number of transfers at once, found \(jobs)") }
        if !(1...Executor.groupFiles).contains(filesPerRequest) {
            throw ValidationError(
                "--files-per-request takes a number from 1 to \(Executor.groupFiles), found \(filesPerRequest)")
        }
    }
}

/// What `run` and `plan` read: a script file (`-` is standard input) or code given with `-e`,
/// named in the command's own verb.
struct ScriptSource<Verb: CommandVerb>: ParsableArguments {
    @Argument(help: "The script to \(Verb.word) ('-' reads standard input).")
    var file: String?

    @Option(
        name: .customShort("e"),
        help: ArgumentHelp("\(Verb.word.capitalized) CODE instead of a script file.", valueName: "CODE"))
    var code: String?

    func validate() throws {
        if file != nil && code != nil { throw ValidationError("give a script file or -e CODE, not both") }
        if file == nil && code == nil { throw ValidationError("name a script to \(Verb.word), or give code with -e") }
    }
}

protocol CommandVerb { static var word: String { get } }
enum RunVerb: CommandVerb { static let word = "run" }
enum PlanVerb: CommandVerb { static let word = "plan" }

/// The options that decide what a script plans.
struct ScriptOptions: ParsableArguments {
    @Option(
        name: .customLong("var"),
        help: ArgumentHelp("Bind NAME (as a string) before the script runs.", valueName: "NAME=VALUE"))
    var variables: [String] = []

    @Option(
        name: .customLong("max-delete"),
        help: ArgumentHelp("Planning fails if the plan would delete more than N artifacts.", valueName: "N"))
    var maxDelete: Int?

    func validate() throws {
        _ = try VariableBinding.parse(variables)
        if let maxDelete, maxDelete < 0 { throw ValidationError("--max-delete must be 0 or more") }
    }
}
