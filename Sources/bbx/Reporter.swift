import BBXApply
import BBXEvaluate
import BBXPlan
import BBXSyntax
import Foundation
import SafeText

/// How `run`, `plan` and `apply` speak on standard output: text for people (`TextReporter`) or
/// one JSON document (`JSONReporter`), chosen once from `--json`. The pipeline calls a reporter
/// at each point where a run shows something or ends, and never asks which one it has.
/// (Diagnostics and "nothing was changed" go to standard error in both: CI logs keep them.)
protocol Reporter: AnyObject {
    /// Whether to leave standard output to the document (no banners, no progress).
    var isQuiet: Bool { get }
    /// Where `print`, `list` and Connect reads go while planning; `deferring`: those after
    /// changes wait for them.
    func collector(deferring: Bool) -> OutputCollector
    /// The run works against a sandbox at this API address.
    func sandboxStarted(_ api: String)
    /// Planning finished, or stopped: what it showed.
    func planned(_ output: OutputCollector)
    func show(_ plan: Plan)
    func savedPlan(to path: String)
    /// A line for people about how the run goes (`applying in DIR`).
    func note(_ line: String)
    /// What follows the steps while they run.
    func observer(for plan: Plan) -> (any ApplyObserver)?
    func applied(_ report: Report, of plan: Plan, seconds: Double)
    /// The run ends with this error; `finish` follows.
    func failed(_ message: String, exitCode: Int32, at range: SourceRange?, in source: SourceFile?)
    /// The script did not check.
    func failed(_ diagnostics: [Diagnostic], exitCode: Int32, in source: SourceFile)
    /// The run ends (successfully or not).
    func finish()
}

extension Reporter {
    func failed(_ message: String, exitCode: Int32) { failed(message, exitCode: exitCode, at: nil, in: nil) }
}

/// Text: the plan, progress lines (bars on a terminal) and the report.
final class TextReporter: Reporter {
    var isQuiet: Bool { false }

    func collector(deferring: Bool) -> OutputCollector { OutputCollector(json: false, deferring: deferring) }
    func sandboxStarted(_ api: String) {}
    func planned(_ output: OutputCollector) {}

    func show(_ plan: Plan) {
        PlanText(colored: Console.wantsColor(fileDescriptor: STDOUT_FILENO)).write(plan) { Console.out($0) }
    }

    func savedPlan(to path: String) {
        Console.out("Saved the plan to \(path.terminalSafe); apply it with: bbx apply \(path.terminalSafe)\n")
    }

    /// Lines may quote a saved plan's fields (its directory): escaped, as everything from outside.
    func note(_ line: String) { Console.error(line.terminalSafeLines + "\n") }

    func observer(for plan: Plan) -> (any ApplyObserver)? {
        isatty(STDOUT_FILENO) == 1
            ? TerminalProgress(namingRepositories: plan.touchesSeveralRepositories)
            : LineProgress(namingRepositories: plan.touchesSeveralRepositories)
    }

    func applied(_ report: Report, of plan: Plan, seconds: Double) {
        if plan.hasWork || !report.succeeded {
            Console.out(ReportText().render(report, seconds: seconds))
        }
    }

    func failed(_ message: String, exitCode: Int32, at range: SourceRange?, in source: SourceFile?) {}
    func failed(_ diagnostics: [Diagnostic], exitCode: Int32, in source: SourceFile) {}
    func finish() {}
}

/// `--json`: everything goes into one document, written once when the run ends.
final class JSONReporter: Reporter {
    private var document: JSONDocument

    init(command: String, dryRun: Bool = false) {
        document = JSONDocument(command: command)
        document.dryRun = dryRun
    }

    var isQuiet: Bool { true }

    func collector(deferring: Bool) -> OutputCollector { OutputCollector(json: true, deferring: deferring) }
    func sandboxStarted(_ api: String) { document.sandbox = api }
    func planned(_ output: OutputCollector) { document.output = output.collected.map(JSONDocument.OutputJSON.init) }
    func show(_ plan: Plan) { document.plan = JSONDocument.PlanJSON(plan) }
    func savedPlan(to path: String) {}
    func note(_ line: String) {}
    func observer(for plan: Plan) -> (any ApplyObserver)? { nil }
    func applied(_ report: Report, of plan: Plan, seconds: Double) { document.report = JSONDocument.ReportJSON(report) }

    func failed(_ message: String, exitCode: Int32, at range: SourceRange?, in source: SourceFile?) {
        document.fail(message, exitCode: exitCode, at: range, in: source)
    }

    func failed(_ diagnostics: [Diagnostic], exitCode: Int32, in source: SourceFile) {
        document.fail(diagnostics, exitCode: exitCode, in: source)
    }

    func finish() { document.write() }
}

/// The reporter `--json` asks for.
func makeReporter(json: Bool, command: String, dryRun: Bool = false, junit: String? = nil, suite: String = "")
    -> any Reporter
{
    let reporter: any Reporter = json ? JSONReporter(command: command, dryRun: dryRun) : TextReporter()
    guard let junit else { return reporter }
    return JUnitReporter(wrapping: reporter, path: junit, suite: suite.isEmpty ? "bbx \(command)" : suite)
}
