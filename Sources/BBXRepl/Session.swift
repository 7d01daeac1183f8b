import BBXApply
import BBXCheck
import BBXEvaluate
import BBXPlan
import BBXSyntax
import Foundation

/// Where a session writes: results to `out`, diagnostics and errors to `error`.
public struct ReplOutput: Sendable {
    public var out: @Sendable (String) -> Void
    public var error: @Sendable (String) -> Void
    public var colored: Bool

    public init(
        out: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void, colored: Bool = false
    ) {
        self.out = out
        self.error = error
        self.colored = colored
    }
}

/// One REPL session: entries read line by line, each complete statement or block planned and
/// applied by the same engine as `bbx run`, meta-commands, and the statements that succeeded
/// (for `:save`). Nothing here touches a terminal; `LineReader` does.
///
/// Entries run one at a time; the class is only handed between the reading loop and the task
/// an entry runs in (which Ctrl-C cancels).
public final class Session: @unchecked Sendable {
    public private(set) var evaluator: Evaluator
    public var dryRun: Bool
    /// The repository in effect when the session started (written first by `:save`).
    let initialRepository: String?
    let output: ReplOutput
    let apply: @Sendable (Plan) async -> Report
    /// Secret values that must never enter the history (configured tokens and the like).
    let secrets: [String]
    public private(set) var succeeded: [String] = []
    public private(set) var isFinished = false
    var pending: [String] = []
    var entries = 0

    public init(
        evaluator: Evaluator, dryRun: Bool = false, output: ReplOutput, secrets: [String] = [],
        apply: @escaping @Sendable (Plan) async -> Report
    ) {
        self.evaluator = evaluator
        self.dryRun = dryRun
        self.output = output
        self.secrets = secrets.filter { $0.count >= 4 }
        self.apply = apply
        initialRepository = evaluator.currentRepository
    }

    // MARK: - The loop

    /// `bbx acme/app> `, `bbx acme/app [dry-run]> `, `bbx> `; `...> ` inside an entry. No colour:
    /// libedit measures the prompt, and escape codes at its end confuse line editing.
    public var prompt: String {
        if !pending.isEmpty { return "...> " }
        var text = "bbx"
        if let repository = evaluator.currentRepository { text += " \(repository)" }
        if dryRun { text += " [dry-run]" }
        return text + "> "
    }

    /// Reads and runs entries until `:quit` or the end of input. `perform` runs each entry (the
    /// command line runs it in a task that Ctrl-C cancels); `remember` stores a complete entry
    /// in the history file.
    public func run(
        reader: any LineReader, remember: (String) -> Void = { _ in },
        perform: (@escaping @Sendable () async -> Void) async -> Void = { await $0() }
    ) async {
        while !isFinished {
            switch reader.read(prompt: prompt) {
            case .end:
                isFinished = true
            case .interrupt:
                pending = []
            case .line(let line):
                guard let entry = accept(line) else { continue }
                if !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !holdsSecret(entry) {
                    reader.remember(entry)
                    remember(entry)
                }
                await perform { await self.handle(entry) }
            }
        }
    }

    /// Adds a line to the entry being typed; returns the entry once it is complete (a
    /// meta-command, or source that parses without needing more lines).
    public func accept(_ line: String) -> String? {
        pending.append(line)
        let entry = pending.joined(separator: "\n")
        if pending.count == 1 && line.trimmingCharacters(in: .whitespaces).hasPrefix(":") {
            pending = []
            return entry
        }
        if Parser.parse(SourceFile(name: "<repl>", text: entry)).isIncomplete { return nil }
        pending = []
        return entry
    }

    /// Whether a line is still being continued.
    public var isContinuing: Bool { !pending.isEmpty }

    func holdsSecret(_ entry: String) -> Bool {
        secrets.contains { entry.contains($0) }
    }

    /// Runs one complete entry: a meta-command or statements.
    public func handle(_ entry: String) async {
        let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return }
        if trimmed.hasPrefix(":") {
            await meta(trimmed)
            return
        }
        entries += 1
        _ = await execute(SourceFile(name: "<repl>", text: entry), record: entry)
    }

    // MARK: - Statements

    /// Checks, plans and (unless dry-run is on) applies a source; records it for `:save` when
    /// everything went. A failed entry binds nothing.
    @discardableResult
    func execute(_ source: SourceFile, record: String) async -> Bool {
        let options = CheckOptions(
            hasDefaultRepository: evaluator.currentRepository != nil,
            predefinedKinds: evaluator.globals.mapValues(\.kind))
        let diagnostics = Checker.diagnose(source, options: options)
        if diagnostics.hasErrors {
            output.error(DiagnosticRenderer(colored: output.colored).render(diagnostics, in: source) + "\n")
            return false
        }
        let script = Parser.parse(source).script
        var trial = evaluator
        let out = output.out
        // As in `bbx run`: outputs that stand after changes wait until those are applied.
        let gate = OutputGate(deferring: !dryRun, write: out)
        let plan: Plan
        do {
            plan = try await trial.plan(script, in: source) { gate.receive($0, afterSteps: $1) }
        } catch let error as PlanningError {
            // Nothing will be applied: what waited shows what planning saw, as in `bbx run`.
            gate.release(after: nil)
            if Task.isCancelled {
                output.error("interrupted; nothing was changed\n")
            } else {
                output.error(DiagnosticRenderer(colored: output.colored).render([error.diagnostic], in: source) + "\n")
            }
            return false
        } catch {
            output.error("\(error)\n")
            return false
        }
        if !plan.steps.isEmpty { out(PlanText(colored: output.colored).render(plan)) }
        if dryRun || !plan.hasChanges {
            gate.release(after: nil)
            evaluator = trial
            succeeded.append(record)
            return true
        }
        let report = await apply(plan)
        gate.release(after: report)
        out(ReportText().render(report))
        guard report.succeeded else {
            // What changed is no longer what the plan predicted: read the repositories again.
            evaluator.forgetRemoteState()
            return false
        }
        evaluator = trial
        succeeded.append(record)
        return true
    }

    // MARK: - Meta-commands

    public static let help = """
        Statements run as soon as they are complete (a block or string left open asks for more):
          use acme/app                 upload "build/*.zip" [as NAME] [on conflict replace|skip|fail]
          let name = expr              download "*.zip" [to DIR]     delete "old-*"
          print expr, …                prune "app-*" keep 5 [older than 30d]
          list ["*.zip"]               if/for … { … }               assert/fail "message"
        Meta-commands:
          :help             this text
          :quit             leave (Ctrl-D too)
          :dry-run on|off   only plan entries (on), or plan and apply them (off)
          :use REPO         set the current repository (workspace/slug)
          :vars             the names bound so far, the repository, dry-run
          :load FILE        run a script file as one entry
          :save FILE        write the statements that succeeded as a script
        Tab completes keywords, names, local paths after upload and artifact names after
        download or delete. Ctrl-C clears the line or stops a running transfer.

        """

    func meta(_ text: String) async {
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        let command = words[0]
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""
        switch command {
        case ":help", ":h", ":?":
            output.out(Self.help)
        case ":quit", ":q", ":exit":
            isFinished = true
        case ":dry-run":
            switch argument {
            case "on": dryRun = true
            case "off": dryRun = false
            case "": break
            default:
                output.error("error: :dry-run takes on or off\n")
                return
            }
            output.out(
                dryRun
                    ? "dry-run is on: entries are planned, nothing is changed\n"
                    : "dry-run is off: entries are applied\n")
        case ":use":
            guard let repository = RepositoryName(parsing: argument) else {
                output.error("error: :use takes a repository, as in :use acme/app\n")
                return
            }
            evaluator.currentRepository = repository.description
            succeeded.append("use \(repository)")
        case ":vars":
            var lines = ["repository: \(evaluator.currentRepository ?? "(none)")", "dry-run: \(dryRun ? "on" : "off")"]
            for (name, value) in evaluator.globals.sorted(by: { $0.key < $1.key }) {
                lines.append("\(name) = \(value.quotedForDisplay)")
            }
            output.out(lines.joined(separator: "\n") + "\n")
        case ":load":
            guard !argument.isEmpty else {
                output.error("error: :load takes a file name\n")
                return
            }
            guard let data = FileManager.default.contents(atPath: argument) else {
                output.error("error: cannot read '\(argument)'\n")
                return
            }
            entries += 1
            await execute(SourceFile(name: argument, bytes: Array(data)), record: String(decoding: data, as: UTF8.self))
        case ":save":
            guard !argument.isEmpty else {
                output.error("error: :save takes a file name\n")
                return
            }
            save(to: argument)
        default:
            output.error("error: unknown command \(command); :help lists them\n")
        }
    }

    /// The script `:save` writes: the starting repository, then what succeeded, in order.
    public var savedScript: String {
        var lines = ["# Saved from a bbx repl session."]
        if let initialRepository { lines.append("use \(initialRepository)") }
        lines += succeeded
        return lines.joined(separator: "\n") + "\n"
    }

    func save(to path: String) {
        let text = savedScript
        let temporary = path + ".bbx-save-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            output.error("error: cannot write '\(path)'\n")
            return
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            output.error("error: cannot write '\(path)': \(String(cString: strerror(errno)))\n")
            return
        }
        output.out("saved \(succeeded.count) statement\(succeeded.count == 1 ? "" : "s") to \(path)\n")
    }

    // MARK: - Completion

    /// What Tab offers for the text before the cursor.
    public func complete(_ line: String) -> Completer.Result {
        var completer = Completer(names: Array(evaluator.globals.keys))
        if let repository = evaluator.currentRepository {
            completer.artifacts = evaluator.knownArtifactNames(in: repository)
        }
        return completer.complete(line)
    }
}

extension Value {
    /// A value as `:vars` shows it: strings quoted.
    var quotedForDisplay: String {
        if case .string(let text) = self { return "\"\(text)\"" }
        return description
    }
}
