import ArgumentParser
import BBXApply
import BBXBridge
import BBXEvaluate
import BBXPlan
import BBXRepl
import BBXSyntax
import BitbucketAPI
import BitbucketModel
import Foundation
import SafeText
import Synchronization

struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "An interactive session: each statement is planned and applied as soon as it is complete.",
        discussion: """
            Line editing and history (libedit), Tab completion of keywords, names, local paths after upload and artifact names after download or delete. A block or string left open asks for a continuation line. Ctrl-C clears the line, or stops a running transfer (nothing half-written remains); Ctrl-D on an empty line leaves. Type :help for the meta-commands (:use, :dry-run on|off, :vars, :load, :save, :quit).

            History: $BBX_HISTORY, else $XDG_STATE_HOME/bbx/history, else ~/.local/state/bbx/history (1000 entries; BBX_HISTORY=/dev/null keeps none). Without a terminal (bbx repl < file) lines are read plainly, without prompts or history.

            Example:
                bbx repl --use acme/app
                bbx acme/app> list "*.zip"
            """
    )

    @Option(
        name: .customLong("use"),
        help: ArgumentHelp("The repository to start in (else BITBUCKET_REPO_FULL_NAME).", valueName: "REPO"))
    var repository: String?

    @Flag(name: .customLong("dry-run"), help: "Start with dry-run on: entries are planned, not applied.")
    var dryRun = false

    @Option(help: "How many transfers may run at once.")
    var jobs = 4

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sandbox: SandboxOptions

    func validate() throws {
        try connection.validate(with: sandbox)
        if let repository, RepositoryName(parsing: repository) == nil {
            throw ValidationError("--use takes a repository (workspace/slug), found '\(repository)'")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let fromPipeline = try pipelineRepository(environment)
        let start = repository.flatMap { RepositoryName(parsing: $0) } ?? fromPipeline
        let connection = try await Connection.open(
            connection, sandbox: sandbox, environment: environment, dryRun: false, script: nil,
            defaultRepository: start,
            quiet: false)
        var options = connection.evaluationOptions(defaultRepository: start, environment: environment)
        options.rebindsEarlierNames = true
        let evaluator = Evaluator(options: options, reader: connection.service)
        let interactive = isatty(STDIN_FILENO) == 1
        let terminal = isatty(STDOUT_FILENO) == 1
        // While dry-run is on, writes go nowhere: this client refuses them before they are sent.
        var dryConfiguration = connection.client.configuration
        dryConfiguration.dryRun = true
        let dryRunClient = try BitbucketClient(configuration: dryConfiguration)
        let signing: @Sendable (Plan) throws -> ManifestSigning? = {
            try SigningKey.signing(for: $0, environment: environment)
        }
        let driver = RunDriver(service: connection.service, jobs: jobs, signing: signing)
        let dryRunDriver = RunDriver(service: BitbucketService(client: dryRunClient), jobs: jobs) { _ in nil }
        let session = Session(
            evaluator: evaluator, dryRun: dryRun,
            output: ReplOutput(
                out: { Console.out($0) }, error: { Console.error($0) },
                colored: Console.wantsColor(fileDescriptor: STDOUT_FILENO)),
            secrets: secretValues(
                of: connection.client.configuration, environment: environment, options: self.connection)
        ) { plan, dryRun in
            let naming = plan.touchesSeveralRepositories
            let observer: any ApplyObserver =
                terminal ? TerminalProgress(namingRepositories: naming) : LineProgress(namingRepositories: naming)
            return await (dryRun ? dryRunDriver : driver).apply(plan, observer: observer)
        }
        session.requestsSoFar = { [client = connection.client] in client.meter.total }

        // Ctrl-C outside line editing (while an entry is planned or applied) cancels that entry
        // only; the session goes on.
        let router = InterruptRouter()
        let perform: (@escaping @Sendable () async -> Void) async -> Void = { work in
            let task = Task { await work() }
            router.route { task.cancel() }
            await task.value
            router.route(nil)
            // SIGTERM or SIGHUP during the entry: it was stopped and cleaned up; now leave, as
            // `bbx run` does (143, 129).
            if let number = router.terminatingSignal { Foundation.exit(128 + number) }
        }

        if interactive {
            let history = HistoryFile(path: HistoryFile.defaultPath(environment: environment))
            let reader: any LineReader
            if let editor = EditLineReader(history: history.load(), complete: { session.complete($0) }) {
                reader = editor
            } else {
                Console.error(
                    "bbx: warning: line editing is not available on this terminal (TERM=\(environment["TERM"] ?? "")); reading plain lines\n"
                )
                reader = PlainLineReader(prompts: { Console.out($0) })
            }
            Console.out("bbx \(BBX.configuration.version) — :help for help, Ctrl-D to leave\n")
            var warned = false
            await session.run(
                reader: reader,
                remember: { entry in
                    do { try history.append(entry) } catch {
                        if !warned { Console.error("bbx: warning: \("\(error)".terminalSafeLines)\n") }
                        warned = true
                    }
                }, perform: perform)
        } else {
            await session.run(reader: PlainLineReader(), perform: perform)
        }
        router.stop()
        try? await dryRunClient.shutdown()
        await connection.close()
        // Input from a file or a pipe is a script: it fails when an entry failed.
        if !interactive {
            if session.applyFailures > 0 { throw ExitStatus.applyFailed }
            if session.scriptErrors > 0 { throw ExitStatus.scriptError }
        }
    }
}

/// SIGINT for the REPL's whole life: routed to whatever runs now, ignored between entries.
/// SIGTERM and SIGHUP stop the entry that runs (so a transfer leaves no partial file) and then
/// end the session; between entries they end it at once, as usual.
final class InterruptRouter: Sendable {
    private struct Route {
        var handler: (@Sendable () -> Void)?
        var terminating: Int32?
    }

    private let routing = Mutex(Route())
    private let signal = Mutex<InterruptSignal?>(nil)

    init() {
        let installed = InterruptSignal(signals: [SIGINT, SIGTERM, SIGHUP]) { [weak self] number in
            guard let self else { return }
            guard let route = self.routing.withLock({ $0.handler }) else {
                if number != SIGINT {
                    _ = Foundation.signal(number, SIG_DFL)
                    kill(getpid(), number)
                }
                return
            }
            if number == SIGINT {
                Console.error("\nbbx: interrupted: stopping this entry…\n")
            } else {
                self.routing.withLock { $0.terminating = number }
                Console.error("\nbbx: \(number == SIGTERM ? "terminated" : "hung up"): stopping this entry…\n")
            }
            route()
        }
        signal.withLock { $0 = installed }
    }

    /// The SIGTERM or SIGHUP that stopped an entry, once it has.
    var terminatingSignal: Int32? { routing.withLock { $0.terminating } }

    func route(_ handler: (@Sendable () -> Void)?) {
        routing.withLock { $0.handler = handler }
    }

    func stop() {
        signal.withLock { $0 }?.stop()
    }
}
