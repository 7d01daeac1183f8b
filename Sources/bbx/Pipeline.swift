import ArgumentParser
import BBXApply
import BBXBridge
import BBXCheck
import BBXEvaluate
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import Synchronization

/// The steps `run`, `plan` and `apply` share: read, check, plan, show, apply, report. Each step
/// prints its own failure and throws the exit status.
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
            reporter.failed(diagnostics, exitCode: ExitStatus.scriptError.rawValue, in: source)
            reporter.finish()
            throw ExitStatus.scriptError
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
        let received = Mutex<Int32?>(nil)
        let signal = InterruptSignal(signals: [SIGINT, SIGTERM, SIGHUP]) { number in
            let first = received.withLock { value in
                defer { value = value ?? number }
                return value == nil
            }
            if first {
                task.cancel()
            } else {
                _ = Foundation.signal(number, SIG_DFL)
                kill(getpid(), number)
            }
        }
        defer { signal.stop() }
        do {
            let plan = try await task.value
            // A signal that came as the plan completed still stops the run before anything is applied.
            if received.withLock({ $0 }) != nil { throw CancellationError() }
            reporter.planned(output)
            return plan
        } catch  where received.withLock({ $0 }) != nil {
            let number = received.withLock { $0 } ?? SIGINT
            let name = number == SIGINT ? "interrupted" : (number == SIGTERM ? "terminated" : "hung up")
            output.release(after: nil)
            Console.error("\nbbx: \(name); nothing was changed\n")
            reporter.failed("\(name); nothing was changed", exitCode: 128 + number)
            reporter.finish()
            throw ExitCode(128 + number)
        } catch let error as PlanningError {
            // Nothing will be applied, so what waited for changes shows what planning saw, as
            // in a dry run (a `print` before a failing `assert` is how scripts are debugged).
            output.release(after: nil)
            Console.report([error.diagnostic], in: source)
            let status =
                error.isCredentialProblem
                ? ExitStatus.credentials : (error.isUnavailable ? ExitStatus.applyFailed : ExitStatus.scriptError)
            Console.error("planning stopped; nothing was changed\n")
            reporter.planned(output)
            reporter.failed(
                error.diagnostic.message, exitCode: status.rawValue, at: error.diagnostic.range, in: source)
            reporter.finish()
            throw status
        }
    }

    /// Applies a plan with live progress; Ctrl-C stops starting steps and cancels those running.
    static func apply(
        _ plan: Plan, service: BitbucketService, jobs: Int, output: OutputCollector? = nil,
        reporter: any Reporter
    ) async -> Report {
        let observer = reporter.observer(for: plan)
        let executor = Executor(service: service, jobs: jobs)
        let started = Date()
        let task = Task { await executor.apply(plan, observer: observer) }
        let interrupt = Interrupt { task.cancel() }
        let report = await task.value
        interrupt.stop()
        (observer as? TerminalProgress)?.finish()
        output?.release(after: report)
        reporter.applied(report, of: plan, seconds: Date().timeIntervalSince(started))
        return report
    }

    /// The exit status of a run that got this far.
    static func exitStatus(_ plan: Plan, report: Report?, detailed: Bool) -> ExitCode {
        if let report, !report.succeeded {
            if report.wasInterrupted, let number = Interrupt.received.withLock({ $0 }) {
                return ExitCode(128 + number)
            }
            return report.failedOnCredentials ? ExitStatus.credentials : ExitStatus.applyFailed
        }
        return detailed && plan.hasChanges ? ExitStatus.changes : ExitStatus.success
    }
}

/// Ctrl-C, SIGTERM or SIGHUP while a plan is applied: the first one calls `handler` (stop
/// starting steps, cancel those running, so no partial file is left), and the run then exits
/// 128 + the signal's number (130, 143, 129); a second one ends the process at once, as such a
/// signal usually does.
final class Interrupt: Sendable {
    private let signal: InterruptSignal
    /// The first signal received while applying, for the exit status.
    static let received = Mutex<Int32?>(nil)

    init(_ handler: @escaping @Sendable () -> Void) {
        let count = Mutex(0)
        signal = InterruptSignal(signals: [SIGINT, SIGTERM, SIGHUP]) { number in
            let first = count.withLock {
                $0 += 1
                return $0 == 1
            }
            if first {
                Interrupt.received.withLock { $0 = $0 ?? number }
                let name = number == SIGINT ? "interrupted" : (number == SIGTERM ? "terminated" : "hung up")
                Console.error("\nbbx: \(name): no new step starts; stopping those running…\n")
                handler()
            } else {
                // The default action, for the whole process (not `raise`, whose thread may block it).
                _ = Foundation.signal(number, SIG_DFL)
                kill(getpid(), number)
            }
        }
    }

    func stop() {
        signal.stop()
    }
}
