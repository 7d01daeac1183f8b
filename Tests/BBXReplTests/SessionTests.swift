import BBXApply
import BBXBridge
import BBXCheck
import BBXEvaluate
import BBXFormat
import BBXPlan
import BBXRepl
import BBXSyntax
import BBXTestSupport
import BitbucketModel
import Foundation
import Synchronization
import Testing

/// Lines as a user would type them, and what the session did with the prompt and history.
final class ScriptedReader: LineReader {
    var inputs: [LineInput]
    var prompts: [String] = []
    var remembered: [String] = []

    init(_ inputs: [LineInput]) { self.inputs = inputs }
    convenience init(lines: [String]) { self.init(lines.map { .line($0) }) }

    func read(prompt: String) -> LineInput {
        prompts.append(prompt)
        return inputs.isEmpty ? .end : inputs.removeFirst()
    }

    func remember(_ entry: String) { remembered.append(entry) }
}

/// What a session wrote, and the plans it applied.
final class Transcript: Sendable {
    let state = Mutex<(out: String, error: String, applied: [Plan])>(("", "", []))
    var out: String { state.withLock { $0.out } }
    var error: String { state.withLock { $0.error } }
    var applied: [Plan] { state.withLock { $0.applied } }
}

func makeSession(
    remote: [String: [Artifact]] = [
        "acme/app": [Artifact(name: "old.zip", size: 5, created: Date(timeIntervalSince1970: 0))]
    ],
    repository: RepositoryName? = "acme/app", failApply: Bool = false, secrets: [String] = [],
    reader given: FakeReader? = nil
) -> (Session, Transcript) {
    var options = EvaluationOptions()
    options.defaultRepository = repository
    let transcript = Transcript()
    options.rebindsEarlierNames = true
    let reader = given ?? FakeReader(remote, linkers: [:])
    let session = Session(
        evaluator: Evaluator(options: options, reader: reader),
        output: ReplOutput(
            out: { text in transcript.state.withLock { $0.out += text } },
            error: { text in transcript.state.withLock { $0.error += text } }),
        secrets: secrets
    ) { plan, _ in
        transcript.state.withLock { $0.applied.append(plan) }
        if !failApply { reader.apply(plan) }
        var report = Report(plan: plan)
        for index in report.entries.indices where report.entries[index].outcome == .notStarted {
            report.entries[index].outcome = failApply ? .failed("POST …: 503 Service Unavailable") : .done
        }
        return .applied(plan, report)
    }
    return (session, transcript)
}

@Suite("REPL sessions")
struct SessionTests {
    @Test func anUnfinishedBlockAsksForMoreAndIsOneEntry() async {
        let (session, transcript) = makeSession()
        let reader = ScriptedReader(lines: ["if exists \"old.zip\" {", "    print \"there\"", "}", "print \"after\""])
        await session.run(reader: reader)
        #expect(reader.prompts == ["bbx acme/app> ", "...> ", "...> ", "bbx acme/app> ", "bbx acme/app> "])
        #expect(reader.remembered == ["if exists \"old.zip\" {\n    print \"there\"\n}", "print \"after\""])
        #expect(transcript.out == "there\nafter\n")
    }

    @Test func anUnfinishedStringContinuesToo() async {
        let (session, transcript) = makeSession()
        await session.run(reader: ScriptedReader(lines: ["print \"two", "lines\""]))
        #expect(transcript.out == "two\nlines\n")
    }

    @Test func ctrlCDropsTheUnfinishedEntry() async {
        let (session, transcript) = makeSession()
        let reader = ScriptedReader([.line("if true {"), .interrupt, .line("print \"fresh\"")])
        await session.run(reader: reader)
        #expect(reader.prompts == ["bbx acme/app> ", "...> ", "bbx acme/app> ", "bbx acme/app> "])
        #expect(transcript.out == "fresh\n")
        #expect(reader.remembered == ["print \"fresh\""])
    }

    @Test func errorsPointIntoTheLineAndTheSessionGoesOn() async {
        let (session, transcript) = makeSession()
        let reader = ScriptedReader(lines: [
            "prune keep \"five\"", "download \"*.tgz\"", "print nope", "let v = 1", "print v",
        ])
        await session.run(reader: reader)
        #expect(
            transcript.error.contains(
                "<repl>:1:12: error: expected how many to keep (an integer), found the text \"five\", which does not read as one"
            ))
        #expect(transcript.error.contains(" 1 | prune keep \"five\"\n   |            ^~~~~~"))
        #expect(transcript.error.contains("<repl>:1:10: error: no artifact in acme/app matches '*.tgz'"))
        #expect(transcript.error.contains("<repl>:1:7: error: 'nope' is not defined"))
        #expect(transcript.out == "1\n")
        #expect(session.succeeded == ["let v = 1", "print v"])
    }

    @Test func entriesArePlannedAndAppliedAndSeeEachOther() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("zip".utf8).write(to: folder.appendingPathComponent("new.zip"))
        let (session, transcript) = makeSession()
        await session.run(
            reader: ScriptedReader(lines: [
                "upload \"\(folder.path)/new.zip\"", "print count(artifacts(\"*.zip\"))", "delete \"old.zip\"",
            ]))
        #expect(transcript.applied.map { $0.steps.map(\.name) } == [["new.zip"], ["old.zip"]])
        #expect(transcript.out.contains("+ upload   \(folder.path)/new.zip → new.zip  3 B  <repl>:1"))
        #expect(transcript.out.contains("Applied: 1 uploaded (3 B sent).\n2\n"))
    }

    /// As in `bbx run`: a `print` after a change in the same entry speaks for it, so it shows
    /// once the change is applied and never after a failure.
    @Test(arguments: [false, true]) func aPrintAfterAChangeWaitsForIt(failing: Bool) async {
        let (session, transcript) = makeSession(failApply: failing)
        await session.run(
            reader: ScriptedReader(lines: [
                "if true {", "print \"deleting\"", "delete \"old.zip\"", "print \"gone\"", "}",
            ]))
        #expect(transcript.out.hasPrefix("deleting\n"), "\(transcript.out)")
        if failing {
            #expect(!transcript.out.contains("gone"), "\(transcript.out)")
        } else {
            #expect(transcript.out.contains("- delete   old.zip"), "\(transcript.out)")
            #expect(transcript.out.hasSuffix("gone\nApplied: 1 deleted.\n"), "\(transcript.out)")
        }
    }

    @Test func planningThatStopsShowsWhatWaited() async {
        let (session, transcript) = makeSession()
        await session.run(
            reader: ScriptedReader(lines: ["if true {", "delete \"old.zip\"", "print \"checking\"", "fail \"no\"", "}"])
        )
        #expect(transcript.out == "checking\n")
        #expect(transcript.error.contains("error: no"), "\(transcript.error)")
        #expect(transcript.applied.isEmpty)
    }

    @Test func aFailedApplyBindsNothingAndIsNotSaved() async throws {
        let (session, transcript) = makeSession(failApply: true)
        await session.run(reader: ScriptedReader(lines: ["delete \"old.zip\"", "print \"still here\""]))
        #expect(transcript.out.contains("Apply failed: 0 done, 1 failed, 0 not started."))
        #expect(transcript.out.hasSuffix("still here\n"))
        #expect(session.succeeded == ["print \"still here\""])
    }

    @Test func dryRunPlansWithoutApplying() async {
        let (session, transcript) = makeSession()
        let reader = ScriptedReader(lines: [":dry-run on", "delete \"old.zip\"", ":dry-run off"])
        await session.run(reader: reader)
        #expect(transcript.applied.isEmpty)
        #expect(transcript.out.contains("- delete   old.zip  5 B  <repl>:1"))
        #expect(
            reader.prompts == [
                "bbx acme/app> ", "bbx acme/app [dry-run]> ", "bbx acme/app [dry-run]> ", "bbx acme/app> ",
            ])
    }

    @Test func metaCommands() async throws {
        let (session, transcript) = makeSession(remote: ["acme/app": [], "acme/web": []], repository: nil)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("loaded.bbx").path
        try "let greeting = \"hello\"\nprint greeting\n".write(toFile: script, atomically: true, encoding: .utf8)
        let reader = ScriptedReader(lines: [
            ":help", ":use nope", ":use acme/web", ":vars", ":load \(script)", ":load /no/such/file", ":frobnicate",
            ":quit", "print \"never read\"",
        ])
        await session.run(reader: reader)
        #expect(transcript.out.contains(":dry-run on|off"))
        #expect(transcript.error.contains("error: :use takes a repository, as in :use acme/app"))
        #expect(transcript.out.contains("repository: acme/web\ndry-run: off\n"))
        #expect(transcript.out.contains("hello\n"))
        #expect(transcript.error.contains("error: cannot read '/no/such/file'"))
        #expect(transcript.error.contains("error: unknown command :frobnicate; :help lists them"))
        #expect(session.isFinished)
        #expect(reader.inputs == [.line("print \"never read\"")])
        #expect(session.evaluator.globals["greeting"] == .string("hello"))
    }

    /// What `:save` writes is a script `bbx check` accepts: the starting repository, then every
    /// entry that succeeded, and none that failed.
    @Test func savedScriptChecksClean() async throws {
        let old = Artifact(name: "old.zip", size: 5, created: Date(timeIntervalSince1970: 0))
        let (session, transcript) = makeSession(remote: ["acme/app": [old], "acme/web": [old]])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("session.bbx").path
        await session.run(
            reader: ScriptedReader(lines: [
                "let n = 3", "prune \"*.zip\" keep n", "print undefined", ":use acme/web",
                "for a in artifacts(\"*\") {",
                "print a.name", "}", ":save \(path)",
            ]))
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            saved == """
                # Saved from a bbx repl session.
                use acme/app
                let n = 3
                prune "*.zip" keep n
                use acme/web
                for a in artifacts("*") {
                    print a.name
                }

                """)
        // The starting `use`, and four entries.
        #expect(transcript.out.contains("old.zip\nsaved 5 statements to \(path)"))
        // As `bbx fmt --check` wants it.
        guard case .formatted(let formatted) = Formatter.format(SourceFile(name: path, text: saved)) else {
            Issue.record("the saved script does not parse")
            return
        }
        #expect(formatted == saved)
        #expect(transcript.error.contains("'undefined' is not defined"))
        let diagnostics = Checker.diagnose(SourceFile(name: path, text: saved))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
    }

    @Test func secretsNeverEnterTheHistory() async {
        let (session, _) = makeSession(secrets: ["s3cr3t-token"])
        let reader = ScriptedReader(lines: ["print \"s3cr3t-token\"", "print 1"])
        await session.run(reader: reader)
        #expect(reader.remembered == ["print 1"])
    }

    /// A combining mark after the secret joins its last letter into another Character; the
    /// proxy password counts in both its forms (as written in the URL, and decoded).
    @Test func secretsFollowedByACombiningMarkOrPercentEncodedStayOutToo() async {
        let (session, _) = makeSession(secrets: ["s3cr3t-token", "p%40ss-w0rd", "p@ss-w0rd"])
        let reader = ScriptedReader(lines: [
            "print \"s3cr3t-token\u{301}\"", "print \"http://u:p%40ss-w0rd@proxy\"", "print \"p@ss-w0rd\"", "print 2",
        ])
        await session.run(reader: reader)
        #expect(reader.remembered == ["print 2"])
    }

    // MARK: - Dry-run, fresh listings, :save, rebinding (issue: plans that hold on real data)

    static func file(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try Data("zip".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A dry-run entry leaves the session's view of the remote exactly as it was: its planned
    /// upload is not listed afterwards, its planned delete hides nothing, and a real upload
    /// later still meets the real artifact under `fail`.
    @Test func aDryRunLeavesTheViewOfTheRemoteAsItWas() async throws {
        let path = try Self.file("new.zip")
        let v7 = Artifact(name: "v-7.zip", size: 9, created: Date(timeIntervalSince1970: 5), createdOn: "t5")
        let old = Artifact(name: "old.zip", size: 5, created: Date(timeIntervalSince1970: 0), createdOn: "t0")
        let (session, transcript) = makeSession(remote: ["acme/app": [old, v7]])
        await session.run(
            reader: ScriptedReader(lines: [
                ":dry-run on", "upload \"\(path)\"", "delete \"old.zip\"", "delete \"v-7.zip\"", ":dry-run off",
                "print count(artifacts(\"new.zip\"))", "if exists \"old.zip\" { print \"old.zip is still there\" }",
                "upload \"\(path)\" as \"v-7.zip\"",
            ]))
        #expect(transcript.applied.isEmpty, "nothing was applied: \(transcript.applied)")
        #expect(transcript.out.contains("0\nold.zip is still there\n"), "\(transcript.out)")
        #expect(transcript.error.contains("'v-7.zip' already exists in acme/app"), "\(transcript.error)")
        #expect(session.evaluator.knownArtifactNames(in: "acme/app").sorted() == ["old.zip", "v-7.zip"])
    }

    /// Others change the remote between entries: each entry plans on a fresh listing.
    @Test func eachEntryPlansOnAFreshListing() async throws {
        let path = try Self.file("v-8.zip")
        let reader = FakeReader(["acme/app": []], linkers: [:])
        let (session, transcript) = makeSession(reader: reader)
        await session.handle("list")
        reader.change("acme/app") { $0 = [Artifact(name: "v-8.zip", size: 1, created: Date(), createdOn: "x")] }
        await session.handle("upload \"\(path)\"")
        #expect(transcript.applied.isEmpty)
        #expect(transcript.error.contains("'v-8.zip' already exists in acme/app"), "\(transcript.error)")
        // :refresh reads the current repository again for completion.
        reader.change("acme/app") { $0.append(Artifact(name: "v-9.zip", size: 1, created: Date())) }
        await session.handle(":refresh")
        #expect(transcript.out.contains("acme/app: 2 artifacts"))
        #expect(session.complete("delete \"v-").candidates == ["v-8.zip", "v-9.zip"])
    }

    /// `:save` keeps only what was applied (dry-run entries as comments) and counts what it
    /// wrote, `:load` included.
    @Test func savedFilesHoldWhatWasAppliedAndCountIt() async throws {
        let upload = try Self.file("new.zip")
        let folder = (upload as NSString).deletingLastPathComponent
        let loaded = folder + "/more.bbx"
        try Data("let a = 1\nprint a\nlet b = 2\n".utf8).write(to: URL(fileURLWithPath: loaded))
        let saved = folder + "/session.bbx"
        let (session, transcript) = makeSession()
        await session.run(
            reader: ScriptedReader(lines: [
                ":dry-run on", "upload \"\(upload)\"", ":dry-run off", ":load \(loaded)", "print b", ":save \(saved)",
            ]))
        let text = try String(contentsOfFile: saved, encoding: .utf8)
        #expect(text.contains("# dry-run, not applied:\n# upload \"\(upload)\"\n"), "\(text)")
        #expect(Parser.parse(SourceFile(name: saved, text: text)).script.statements.count == 5)
        #expect(transcript.out.contains("saved 5 statements to \(saved)"), "\(transcript.out)")
        #expect(Checker.diagnose(SourceFile(name: saved, text: text)).isEmpty)
    }

    /// `:save` never replaces a file (a script the user wrote by hand, say); `:save!` does.
    @Test func saveRefusesAnExistingFileAndSaveBangReplacesIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("release.bbx").path
        let other = folder.appendingPathComponent("other.bbx").path
        let script = "use acme/app\nupload \"build/*.zip\"\nprune \"app-*\" keep 5\n"
        for file in [path, other] { try Data(script.utf8).write(to: URL(fileURLWithPath: file)) }
        let (session, transcript) = makeSession()
        await session.run(reader: ScriptedReader(lines: [":use acme/web", ":save \(path)", ":save! \(other)"]))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == script)
        #expect(
            transcript.error.contains("error: '\(path)' exists; nothing was written (:save! \(path) replaces it)"),
            "\(transcript.error)")
        #expect(!transcript.out.contains("saved 2 statements to \(path)"))
        #expect(try String(contentsOfFile: other, encoding: .utf8).contains("use acme/web\n"))
        #expect(transcript.out.contains("saved 2 statements to \(other)"), "\(transcript.out)")
    }

    /// At the prompt, binding a name again is what people expect; a note says it shadows.
    @Test func rebindingANameAtThePromptShadowsIt() async {
        let (session, transcript) = makeSession()
        await session.run(
            reader: ScriptedReader(lines: ["let x = 5", "let x = 6", "print x", "let y = 1; let y = 2"]))
        #expect(transcript.out.contains("note: 'x' is bound again; it shadows its earlier value\n6\n"))
        // Twice in one entry is still a mistake.
        #expect(transcript.error.contains("'y' is already defined"), "\(transcript.error)")
        #expect(session.scriptErrors == 1)
    }

    @Test func inputEndingInsideABlockIsAnError() async {
        let (session, transcript) = makeSession()
        await session.run(reader: ScriptedReader(lines: ["print 1", "if true {", "print 2"]))
        #expect(session.scriptErrors == 1)
        #expect(transcript.error.contains("error:"), "\(transcript.error)")
        #expect(transcript.out == "1\n")
    }

    /// `:vars` shows values that may hold artifact names: control characters come out escaped.
    @Test func varsEscapesWhatItShows() async {
        let forged = Artifact(name: "x\u{1B}]0;owned\u{07}.zip", size: 1, created: Date(), createdOn: "t")
        let (session, transcript) = makeSession(remote: ["acme/app": [forged]])
        await session.run(reader: ScriptedReader(lines: ["let names = artifacts(\"x*\")", ":vars"]))
        #expect(!transcript.out.contains("\u{1B}"), "\(transcript.out)")
        #expect(transcript.out.contains("\\x1b]0;owned\\x07.zip"), "\(transcript.out)")
    }
}
