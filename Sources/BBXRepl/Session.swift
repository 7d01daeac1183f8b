import BBXApply
import BBXBridge
import BBXCheck
import BBXEvaluate
import BBXFormat
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import SafeFiles
import SafeText

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
/// an entry runs in (which Ctrl-C cancels). That hand-over is why it is `@unchecked Sendable`:
/// the loop waits for the task before it reads the next line, so no two touch it at once.
public final class Session: @unchecked Sendable {
    public private(set) var evaluator: Evaluator
    public var dryRun: Bool
    /// The HTTP requests made so far by the session's connection: each entry's report ends
    /// with the number it made (planning included), not the session's total.
    public var requestsSoFar: (@Sendable () -> Int?)?
    /// The repository in effect when the session started (written first by `:save`).
    let initialRepository: RepositoryName?
    let output: ReplOutput
    /// Applies a plan; told whether dry-run is on, so that the caller can apply through a
    /// client that refuses every write (the session never asks while dry-run is on: this is the
    /// backstop, as `bbx run --dry-run` has).
    let apply: @Sendable (Plan, _ dryRun: Bool) async -> RunOutcome
    /// Secret values that must never enter the history (configured tokens and the like).
    let redactor: Redactor
    /// What `:save` writes, in order: applied entries, and dry-run entries as comments.
    public private(set) var succeeded: [String] = []
    /// How many statements of `succeeded` were applied (not commented out).
    public private(set) var savedStatements = 0
    /// Entries that failed: a script error (65), or an apply that failed (1). `bbx repl < file`
    /// exits with them.
    public private(set) var scriptErrors = 0
    public private(set) var applyFailures = 0
    public private(set) var isFinished = false
    var pending: [String] = []
    var entries = 0

    public init(
        evaluator: Evaluator, dryRun: Bool = false, output: ReplOutput, secrets: [String] = [],
        apply: @escaping @Sendable (Plan, _ dryRun: Bool) async -> RunOutcome
    ) {
        self.evaluator = evaluator
        self.dryRun = dryRun
        self.output = output
        redactor = Redactor(secrets: secrets)
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
        // Tab completes artifact names from the first prompt on, not after a `:refresh`.
        if let repository = evaluator.currentRepository { await readForCompletion(repository) }
        while !isFinished {
            switch reader.read(prompt: prompt) {
            case .end:
                if !pending.isEmpty {
                    // Input that ends inside a block or a string is an error, not silence.
                    let entry = pending.joined(separator: "\n")
                    pending = []
                    entries += 1
                    let source = SourceFile(name: "<repl>", text: entry)
                    output.error(
                        DiagnosticRenderer(colored: output.colored).render(Parser.parse(source).diagnostics, in: source)
                            + "\n")
                    scriptErrors += 1
                }
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

    /// Matched on bytes, as `Redactor` does: an entry holding a secret followed by a combining
    /// mark still holds it.
    func holdsSecret(_ entry: String) -> Bool {
        redactor.reveals(entry)
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

    /// Records an entry that went: applied, it is saved as written; under dry-run, as comments.
    func recordSuccess(_ record: String, statements: Int, applied: Bool) {
        if applied {
            succeeded.append(record)
            savedStatements += statements
        } else {
            succeeded.append(
                "# dry-run, not applied:\n"
                    + record.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { "# " + $0 }.joined(separator: "\n"))
        }
    }

    // MARK: - Statements

    /// Checks, plans and (unless dry-run is on) applies a source; records it for `:save` when
    /// everything went. A failed entry binds nothing.
    @discardableResult
    func execute(_ source: SourceFile, record: String) async -> Bool {
        let options = CheckOptions(
            hasDefaultRepository: evaluator.currentRepository != nil,
            predefinedKinds: evaluator.globals.mapValues(\.kind))
        let parsed = Parser.parse(source)
        let diagnostics = Checker.diagnose(parsed, in: source, options: options)
        if diagnostics.hasErrors {
            output.error(DiagnosticRenderer(colored: output.colored).render(diagnostics, in: source) + "\n")
            scriptErrors += 1
            return false
        }
        let script = parsed.script
        let earlier = evaluator.globals
        var trial = evaluator
        // Others change the remote between entries: each entry plans on a fresh listing of the
        // repositories it touches, so conflicts are judged on what is there now.
        trial.forgetRemoteState()
        let out = output.out
        // As in `bbx run`: outputs that stand after changes wait until those are applied.
        let gate = OutputGate(deferring: !dryRun, write: out)
        let requestsBefore = requestsSoFar?()
        let plan: Plan
        do {
            plan = try await trial.plan(script, in: source) { gate.receive($0, afterSteps: $1) }
        } catch let error as PlanningError {
            // Nothing will be applied: what waited shows what planning saw, as in `bbx run`.
            gate.release(after: nil)
            if Task.isCancelled {
                output.error("interrupted; nothing was changed\n")
            } else if let refusal = error.credentialRefusal {
                output.error("error: \(refusal.terminalSafeLines)\n")
            } else {
                output.error(DiagnosticRenderer(colored: output.colored).render([error.diagnostic], in: source) + "\n")
            }
            scriptErrors += 1
            return false
        } catch {
            output.error("\(error)".terminalSafeLines + "\n")
            scriptErrors += 1
            return false
        }
        for case .let(let binding) in script.statements.map(\.kind) where earlier[binding.name.name] != nil {
            output.out("note: '\(binding.name.name)' is bound again; it shadows its earlier value\n")
        }
        if !plan.steps.isEmpty { out(PlanText(colored: output.colored).render(plan)) }
        if dryRun || !plan.hasWork {
            gate.release(after: nil)
            // A dry run binds its names but leaves the view of the remote as it was listed:
            // its planned uploads and deletes never happened.
            if dryRun { trial.discardPlannedChanges() }
            evaluator = trial
            recordSuccess(record, statements: script.statements.count, applied: !dryRun || !plan.hasChanges)
            return true
        }
        let outcome = await apply(plan, dryRun)
        guard case .applied(_, var report) = outcome else {
            // Refused, in `bbx run`'s words: nothing was sent, so the session's view stays.
            gate.release(after: nil)
            if case .refused(let refusal, _) = outcome { output.error("error: \(refusal.terminalSafeLines)\n") }
            applyFailures += 1
            return false
        }
        // What Bitbucket stored (a name with spaces may be stored with `_`) is what completes;
        // read before the report counts this entry's requests.
        if report.succeeded, let repository = trial.currentRepository,
            plan.steps.contains(where: { $0.repository == repository && $0.kind.changesDownloads })
        {
            await readForCompletion(repository, into: &trial)
        }
        if let requestsBefore, let now = requestsSoFar?() { report.requests = now - requestsBefore }
        gate.release(after: report)
        out(ReportText().render(report))
        guard report.succeeded else {
            // What changed is no longer what the plan predicted: read the repositories again.
            evaluator.forgetRemoteState()
            applyFailures += 1
            return false
        }
        evaluator = trial
        recordSuccess(record, statements: script.statements.count, applied: true)
        return true
    }

    /// Reads `repository` now if the session has not (or it just changed), so that Tab offers
    /// its artifacts. A failure is said, not fatal: the next statement reports it where it is.
    func readForCompletion(_ repository: RepositoryName) async {
        await readForCompletion(repository, into: &evaluator)
    }

    func readForCompletion(_ repository: RepositoryName, into evaluator: inout Evaluator) async {
        do {
            try await evaluator.refresh(repository)
        } catch {
            output.error("warning: cannot read \(repository) for completion: \(error.description.terminalSafeLines)\n")
        }
    }

    // MARK: - Meta-commands

    /// Every statement with all its clauses, the built-in functions and the meta-commands, each
    /// from the one list the parser, the checker and completion use.
    public static let help: String = {
        var lines = ["Statements run as soon as they are complete (a block or string left open asks for more):"]
        lines += Statement.Tag.allCases.map { "  " + $0.synopsis }
        lines.append("Functions:")
        let functions = Builtins.Name.allCases.compactMap { Builtins.functions[$0.rawValue]?.signature }
        lines += functions.map { "  " + $0 }
        lines.append("Meta-commands:")
        let width = Completer.metaCommandHelp.map(\.usage.count).max() ?? 0
        lines += Completer.metaCommandHelp.map {
            "  " + $0.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.meaning
        }
        lines.append("Tab completes keywords, names, local paths after upload and artifact names after")
        lines.append("download or delete. Ctrl-C clears the line or stops a running transfer.")
        return lines.joined(separator: "\n") + "\n"
    }()

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
            evaluator.currentRepository = repository
            recordSuccess("use \(repository)", statements: 1, applied: true)
            await readForCompletion(repository)
        case ":refresh":
            guard let repository = evaluator.currentRepository else {
                output.error("error: no current repository; :use one first\n")
                return
            }
            do {
                try await evaluator.refresh(repository)
                output.out("\(repository): \(evaluator.knownArtifactNames(in: repository).count) artifacts\n")
            } catch {
                output.error("error: \(error.description.terminalSafeLines)\n")
            }
        case ":vars":
            var lines = [
                "repository: \(evaluator.currentRepository?.description ?? "(none)")",
                "dry-run: \(dryRun ? "on" : "off")",
            ]
            for (name, value) in evaluator.globals.sorted(by: { $0.key < $1.key }) {
                lines.append("\(name) = \(value.quotedForDisplay)")
            }
            // Values may hold artifact names or environment text: one escaped line each.
            output.out(lines.map(\.terminalSafe).joined(separator: "\n") + "\n")
        case ":load":
            guard !argument.isEmpty else {
                output.error("error: :load takes a file name\n")
                return
            }
            let data: Data
            do {
                data = Data(try WholeFile.read(argument, limit: 16 << 20))
            } catch {
                output.error("error: cannot read '\(argument)': \(error)\n")
                return
            }
            entries += 1
            await execute(SourceFile(name: argument, bytes: Array(data)), record: String(decoding: data, as: UTF8.self))
        case ":save", ":save!":
            guard !argument.isEmpty else {
                output.error("error: \(command) takes a file name\n")
                return
            }
            // A session's few entries must not silently take the place of a script.
            var info = stat()
            if command == ":save", lstat(argument, &info) == 0 {
                output.error(
                    "error: '\(argument.terminalSafe)' exists; nothing was written (:save! \(argument.terminalSafe) replaces it)\n"
                )
                return
            }
            save(to: argument)
        default:
            output.error("error: unknown command \(command); :help lists them\n")
        }
    }

    /// The script `:save` writes: the starting repository, then what was applied, in order
    /// (dry-run entries as comments), in the canonical layout `bbx fmt` gives.
    public var savedScript: String {
        var lines = ["# Saved from a bbx repl session."]
        if let initialRepository { lines.append("use \(initialRepository)") }
        lines += succeeded
        let text = lines.joined(separator: "\n") + "\n"
        guard case .formatted(let formatted) = Formatter.format(SourceFile(name: "<repl>", text: text)) else {
            return text
        }
        return formatted
    }

    func save(to path: String) {
        do {
            try ExclusiveFile.replaceContents(of: path, with: Array(savedScript.utf8))
        } catch {
            output.error("error: cannot write '\(path)': \(error)\n")
            return
        }
        let count = savedStatements + (initialRepository == nil ? 0 : 1)
        output.out("saved \(count) statement\(count == 1 ? "" : "s") to \(path)\n")
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
