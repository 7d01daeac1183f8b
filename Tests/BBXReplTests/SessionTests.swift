import BBXApply
import BBXCheck
import BBXEvaluate
import BBXPlan
import BBXRepl
import BBXSyntax
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

/// A repository in memory for planning.
final class MemoryReader: RemoteReader {
    let artifacts: [String: [Artifact]]
    init(_ artifacts: [String: [Artifact]]) { self.artifacts = artifacts }

    func artifacts(in repository: String) async throws(RemoteReadError) -> [Artifact] {
        guard let list = artifacts[repository] else {
            throw RemoteReadError("repository \(repository) does not exist")
        }
        return list
    }

    func connectRead(_ read: ConnectRead) async throws(RemoteReadError) -> [String] { [] }
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
    repository: String? = "acme/app", failApply: Bool = false, secrets: [String] = []
) -> (Session, Transcript) {
    var options = EvaluationOptions()
    options.defaultRepository = repository
    let transcript = Transcript()
    let session = Session(
        evaluator: Evaluator(options: options, reader: MemoryReader(remote)),
        output: ReplOutput(
            out: { text in transcript.state.withLock { $0.out += text } },
            error: { text in transcript.state.withLock { $0.error += text } }),
        secrets: secrets
    ) { plan in
        transcript.state.withLock { $0.applied.append(plan) }
        var report = Report(plan: plan)
        for index in report.entries.indices where report.entries[index].outcome == .notStarted {
            report.entries[index].outcome = failApply ? .failed("POST …: 503 Service Unavailable") : .done
        }
        return report
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
        #expect(transcript.error.contains("<repl>:1:12: error: expected how many to keep (an integer), found a string"))
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
        #expect(transcript.out.contains("old.zip\nsaved 4 statements to \(path)"))
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
}
