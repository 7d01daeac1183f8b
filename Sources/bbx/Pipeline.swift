import ArgumentParser
import BBXApply
import BBXBridge
import BBXCheck
import BBXEvaluate
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import SafeText
import Synchronization

/// The steps `run`, `plan` and `apply` share: read, check, plan, show, apply, report. Each step
/// says its own failure and throws the exit status of its `RunOutcome`.
enum Pipeline {
    /// The script from a file (`-` is standard input) or from `-e CODE`.
    static func load(file: String?, code: String?) throws -> SourceFile {
        if let code { return SourceFile(name: "<-e>", text: code) }
        guard let file else { throw ValidationError("name a script, or give code with -e") }
        do {
            return try ScriptFiles.read(file)
        } catch {
            Console.fail("\(error)")
            throw ExitStatus.usage
        }
    }

    /// Parses and checks; every problem is shown at once and nothing runs (exit 65).
    static func check(
        _ source: SourceFile, variables: [VariableBinding], defaultRepository: RepositoryName?, reporter: any Reporter
    ) throws -> Script {
        let options = CheckOptions(
            predefinedNames: variables.map(\.name), hasDefaultRepository: defaultRepository != nil)
        let parsed = Parser.parse(source)
        let diagnostics = Checker.diagnose(parsed, in: source, options: options)
        Console.report(diagnostics, in: source)
        if diagnostics.contains(where: \.isError) {
            let count = diagnostics.filter(\.isError).count
            Console.error("\(count) error\(count == 1 ? "" : "s"); nothing was changed\n")
            let status = ExitCode(RunOutcome.unchecked.exitCode())
            reporter.failed(diagnostics, exitCode: status.rawValue, in: source)
            reporter.finish()
            throw status
        }
        return parsed.script
    }

    /// Plans the script; a planning error is shown at its statement (exit 65, or 77 for
    /// credentials).
    static func plan(
        _ script: Script, in source: SourceFile, options: EvaluationOptions, reader: any RemoteReader,
        output: OutputCollector, reporter: any Reporter
    ) async throws -> Plan {
        // Ctrl-C (or SIGTERM, SIGHUP) while planning: the reads in flight are cancelled, and
        // since nothing was written yet, that is what the user hears.
        let task = Task {
            var evaluator = Evaluator(options: options, reader: reader)
            return try await evaluator.plan(script, in: source) { output.receive($0, afterSteps: $1) }
        }
        let interrupt = Interrupt { task.cancel() }
        defer { interrupt.stop() }
        do {
            let plan = try await task.value
            // A signal that came as the plan completed still stops the run before anything is applied.
            if interrupt.received != nil { throw CancellationError() }
            reporter.planned(output)
            return plan
        } catch  where interrupt.received != nil {
            let number = interrupt.received ?? SIGINT
            let name = Interrupt.name(of: number)
            output.release(after: nil)
            Console.error("\nbbx: \(name); nothing was changed\n")
            let status = RunOutcome.interrupted(signal: number).exitCode()
            reporter.failed("\(name); nothing was changed", exitCode: status)
            reporter.finish()
            throw ExitCode(status)
        } catch let error as PlanningError {
            // Nothing will be applied, so what waited for changes shows what planning saw, as
            // in a dry run (a `print` before a failing `assert` is how scripts are debugged).
            output.release(after: nil)
            reporter.planned(output)
            let status = ExitCode(RunOutcome.planningStopped(error).exitCode())
            if let refusal = error.credentialRefusal { throw stop(refusal, status, reporter: reporter) }
            Console.report([error.diagnostic], in: source)
            Console.error(
                status == ExitStatus.outOfRequests
                    ? "planning stopped for want of requests; nothing was changed: run again to continue\n"
                    : "planning stopped; nothing was changed\n")
            reporter.failed(
                error.diagnostic.message, exitCode: status.rawValue, at: error.diagnostic.range, in: source)
            reporter.finish()
            throw status
        }
    }

    /// A dry run (`bbx plan`, `--dry-run`) with a credential known not to hold a scope the plan
    /// needs only warns: previewing with a read-only token, as in a pull request's pipeline, is
    /// what such tokens are for. (Applying refuses it: `RunDriver.apply`.)
    static func warnAboutCredential(_ plan: Plan, reader: any RemoteReader) {
        guard let problem = plan.credentialProblem(reader.grant(for:)) else { return }
        Console.error("bbx: warning: \(problem.terminalSafeLines); applying this plan needs that scope\n")
    }

    /// Ends a run that cannot go on: the message on standard error and in the report, which
    /// is finished; returns the status to exit with.
    static func stop(_ message: String, _ status: ExitCode, reporter: any Reporter) -> ExitCode {
        Console.fail(message)
        reporter.failed(message, exitCode: status.rawValue)
        reporter.finish()
        return status
    }

    /// Applies a plan through the driver, with live progress; Ctrl-C stops starting steps and
    /// cancels those running. A refusal is said and ends the run.
    static func apply(
        _ plan: Plan, driver: RunDriver, output: OutputCollector? = nil, reporter: any Reporter
    ) async throws -> RunOutcome {
        let started = Date()
        let observer = reporter.observer(for: plan)
        let task = Task { await driver.apply(plan, observer: observer) }
        let interrupt = Interrupt(saying: { "\nbbx: \($0): no new step starts; stopping those running…\n" }) {
            task.cancel()
        }
        let outcome = await task.value
        interrupt.stop()
        switch outcome {
        case .refused(let message, let cause):
            throw stop(message, ExitCode(cause.exitCode), reporter: reporter)
        case .applied(_, let report):
            output?.release(after: report)
            reporter.applied(report, of: plan, seconds: Date().timeIntervalSince(started))
            if report.wasInterrupted, let number = interrupt.received { return .interrupted(signal: number) }
        case .unchecked, .planningStopped, .planned, .interrupted: break
        }
        return outcome
    }
}

/// Ctrl-C, SIGTERM or SIGHUP while a run plans or applies: the first one calls `handler`
/// (planning: cancel the reads in flight; applying: stop starting steps and cancel those
/// running, so no partial file is left), and the run then exits 128 + the signal's number
/// (130, 143, 129); a second one ends the process at once, as such a signal usually does.
final class Interrupt: Sendable {
    private let signal: InterruptSignal
    /// The first signal; a class so the signal handler can share it before `init` ends.
    private final class First: Sendable {
        let number = Mutex<Int32?>(nil)
    }
    private let first = First()

    /// `saying`: what the first signal prints, given its name (`interrupted`), or nil.
    init(saying message: (@Sendable (String) -> String)? = nil, _ handler: @escaping @Sendable () -> Void) {
        let first = self.first
        signal = InterruptSignal(signals: [SIGINT, SIGTERM, SIGHUP]) { number in
            let isFirst = first.number.withLock { value in
                defer { value = value ?? number }
                return value == nil
            }
            if isFirst {
                if let message { Console.error(message(Interrupt.name(of: number))) }
                handler()
            } else {
                // The default action, for the whole process (not `raise`, whose thread may block it).
                _ = Foundation.signal(number, SIG_DFL)
                kill(getpid(), number)
            }
        }
    }

    /// The first signal received, once one was.
    var received: Int32? { first.number.withLock { $0 } }

    static func name(of number: Int32) -> String {
        number == SIGINT ? "interrupted" : (number == SIGTERM ? "terminated" : "hung up")
    }

    func stop() {
        signal.stop()
    }
}
