import ArgumentParser
import BBXApply
import BBXBridge
import BBXEvaluate
import BBXPlan
import BBXSyntax
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Plan a script, show the plan, and apply it.",
        discussion: """
            Planning reads each repository's Downloads once and stops at the first problem, before anything changes (exit 65, or 77 when credentials are missing or rejected). Then the plan is applied in order: transfers overlap up to --jobs, no delete starts before the uploads ahead of it succeeded, and after the first failure nothing new starts (exit 1; the report says what was done). Ctrl-C stops the same way. Consecutive uploads go several files to a request (--files-per-request), and the report ends with the number of HTTP requests made.

            Examples:
                VERSION=1.4.0 bbx run release.bbx
                bbx run release.bbx --dry-run
                bbx run -e 'list in acme/app'
                bbx run -e 'use acme/app; checksums "SHA256SUMS"; verify'
                cd examples && bbx run release.bbx --sandbox
            """
    )

    @OptionGroup var source: ScriptSource<RunVerb>

    @Flag(name: .customLong("dry-run"), help: "Only plan: print the plan and change nothing (writes are refused).")
    var dryRun = false

    @OptionGroup var script: ScriptOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var applying: ApplyOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sandbox: SandboxOptions

    func validate() throws {
        try connection.validate(with: sandbox)
    }

    func run() async throws {
        try await RunCommand.execute(
            file: source.file, code: source.code, dryRun: dryRun, command: "run", script: script, output: output,
            jobs: applying.jobs,
            filesPerRequest: applying.filesPerRequest, connection: connection, sandbox: sandbox, save: nil)
    }

    /// `run` and `plan` (which is `run --dry-run`, optionally saving the plan).
    static func execute(
        file: String?, code: String?, dryRun: Bool, command: String, script options: ScriptOptions,
        output: OutputOptions, jobs: Int = 4, filesPerRequest: Int = Executor.groupFiles,
        connection connectionOptions: ConnectionOptions,
        sandbox: SandboxOptions, save: String?
    ) async throws {
        let environment = ProcessInfo.processInfo.environment
        let reporter = makeReporter(
            json: output.json, command: command, dryRun: dryRun, junit: output.junit,
            suite: "bbx \(command) \(file ?? "-e")")
        let source = try Pipeline.load(file: file, code: code)
        let variables = try VariableBinding.parse(options.variables)
        let defaultRepository = try pipelineRepository(environment)
        let script = try Pipeline.check(
            source, variables: variables, defaultRepository: defaultRepository, reporter: reporter)

        let bound = Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        let connection = try await Connection.open(
            connectionOptions, sandbox: sandbox, environment: environment, dryRun: dryRun, script: script,
            variables: bound, defaultRepository: defaultRepository, quiet: reporter.isQuiet)
        if let api = connection.sandbox?.api { reporter.sandboxStarted(api) }
        var evaluation = connection.evaluationOptions(defaultRepository: defaultRepository, environment: environment)
        (evaluation.variables, evaluation.maxDelete, evaluation.readJobs) = (bound, options.maxDelete, jobs)
        let driver = RunDriver(service: connection.service, jobs: jobs, filesPerRequest: filesPerRequest) {
            try SigningKey.signing(for: $0, environment: environment)
        }
        let status: ExitCode
        do {
            // Outputs that stand after changes wait for them when the plan is applied.
            let printed = reporter.collector(deferring: !dryRun)
            var plan = try await Pipeline.plan(
                script, in: source, options: evaluation, reader: connection.service, output: printed,
                reporter: reporter)
            driver.countRequests(&plan)
            reporter.show(plan)
            if dryRun { Pipeline.warnAboutCredential(plan, reader: connection.service) }
            if let save {
                let outputs = printed.recorded.filter { $0.afterSteps > 0 }.map {
                    SavedPlan.Output(text: String($0.output.text.dropLast()), afterSteps: $0.afterSteps)
                }
                do {
                    try SavedPlan(
                        plan: plan, url: connection.client.configuration.baseURL, script: source.name,
                        directory: FileManager.default.currentDirectoryPath, outputs: outputs
                    ).write(to: save)
                } catch {
                    // The path given with -o: a command-line problem, as `bbx fmt` says of its files.
                    Console.fail("\(error)")
                    throw ExitStatus.usage
                }
                reporter.savedPlan(to: save)
            }
            var outcome = RunOutcome.planned(plan)
            if !dryRun && plan.hasWork {
                outcome = try await Pipeline.apply(plan, driver: driver, output: printed, reporter: reporter)
            } else {
                printed.release(after: nil)
            }
            reporter.finish()
            status = ExitCode(outcome.exitCode(detailed: output.detailedExitCode))
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        if status != ExitStatus.success { throw status }
    }
}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a script and show what would change, changing nothing; -o saves the plan for 'bbx apply'.",
        discussion: """
            A saved plan records every remote artifact it touches (name, size, creation time); 'bbx apply' refuses it if any of them changed since.

            Examples:
                bbx plan release.bbx
                bbx plan release.bbx -o plan.json && bbx apply plan.json
            """
    )

    @OptionGroup var source: ScriptSource<PlanVerb>

    @Option(name: .shortAndLong, help: ArgumentHelp("Save the plan to FILE (JSON).", valueName: "FILE"))
    var out: String?

    @OptionGroup var script: ScriptOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sandbox: SandboxOptions

    func validate() throws {
        try connection.validate(with: sandbox)
        if out != nil && sandbox.usesSandbox {
            throw ValidationError("a sandbox ends with its run: a plan saved against it could never be applied")
        }
    }

    func run() async throws {
        try await RunCommand.execute(
            file: source.file, code: source.code, dryRun: true, command: "plan", script: script, output: output,
            connection: connection, sandbox: sandbox, save: out)
    }
}
