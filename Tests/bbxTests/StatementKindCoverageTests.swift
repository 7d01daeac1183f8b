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

@testable import bbx

/// Every statement kind, through every layer that must know it. Adding a kind to
/// `Statement.Kind` does not compile until `Kind.tag` names it; a new tag fails here until it has
/// an example below, and the example fails until the parser, checker, formatter, evaluator,
/// sandbox and completion handle it. The README's checklist lists the files.
@Suite("Every statement kind in every layer")
struct StatementKindCoverageTests {
    /// What planning the example does: the kinds of the steps it plans, a line it shows, or the
    /// id of the error it stops with.
    enum Planned: Equatable {
        case steps([Step.Kind])
        case output
        case error(String)
    }

    struct Example {
        /// In the formatter's layout, with no space inside strings (the formatting check spreads
        /// the words apart).
        let source: String
        let planned: Planned
        /// What `--sandbox` creates for it: repositories, linker keys.
        var repositories: [String] = []
        var linkers: [String] = []
    }

    static let examples: [Statement.Tag: Example] = [
        .use: Example(source: "use acme/app", planned: .steps([]), repositories: ["acme/app"]),
        .let: Example(source: #"let target = "out""#, planned: .steps([])),
        .upload: Example(
            source: #"upload "build/*.zip" to acme/app on conflict replace"#, planned: .steps([.replace]),
            repositories: ["acme/app"]),
        .download: Example(
            source: #"download "app-*.zip" from acme/app to "out/""#, planned: .steps([.download]),
            repositories: ["acme/app"]),
        .delete: Example(
            source: #"delete "app-1.zip" from acme/app"#, planned: .steps([.delete]), repositories: ["acme/app"]),
        .prune: Example(
            source: #"prune "app-*" in acme/web keep 0"#, planned: .steps([.delete]), repositories: ["acme/web"]),
        .list: Example(source: "list in acme/app", planned: .output, repositories: ["acme/app"]),
        .print: Example(source: #"print "hello""#, planned: .output),
        .assert: Example(source: #"assert 1 == 2, "sums""#, planned: .error("assert")),
        .fail: Example(source: #"fail "stop""#, planned: .error("fail")),
        .if: Example(
            source: "if exists \"app-*\" in acme/app {\n    delete \"app-1.zip\" from acme/app\n}",
            planned: .steps([.delete]), repositories: ["acme/app"]),
        .for: Example(
            source: "for r in [acme/app, acme/web] {\n    list in r\n}", planned: .output,
            repositories: ["acme/app", "acme/web"]),
        .addonUpdate: Example(source: #"addon update url "https://example.com/app.json""#, planned: .steps([.connect])),
        .addonDelete: Example(source: "addon delete", planned: .steps([.connect])),
        .linkers: Example(source: "linkers", planned: .output),
        .linker: Example(source: #"linker "jira" add "WEB""#, planned: .steps([.connect]), linkers: ["jira"]),
        .checksums: Example(
            source: #"checksums "SHA256SUMS" in acme/app"#, planned: .steps([]), repositories: ["acme/app"]),
        .trust: Example(
            source: #"trust "RWQFTRlxDEZwH2o91iKgS9YZHrEXSDvnced1eeMPDjJ0YTi5vjxIK++H" in acme/app"#,
            planned: .steps([]), repositories: ["acme/app"]),
        // Without a manifest there is nothing to verify against: planning says so.
        .verify: Example(
            source: #"verify "app-*" in acme/app"#, planned: .error("verify-needs-checksums"),
            repositories: ["acme/app"]),
    ]

    @Test func everyKindHasAnExample() {
        let missing = Statement.Tag.allCases.filter { Self.examples[$0] == nil }
        #expect(missing.isEmpty, "statement kinds without an example here: \(missing)")
    }

    /// The user's guide describes every statement: a heading names it in backticks, or a row
    /// of a statement table starts with it (the Connect statements).
    @Test func everyKindIsInTheGuide() throws {
        let guide = try String(contentsOf: Paths.root.appendingPathComponent("docs/guide.md"), encoding: .utf8)
        let lines = guide.split(separator: "\n")
        let missing = Statement.Tag.allCases.filter { tag in
            !lines.contains {
                ($0.hasPrefix("#") && $0.contains("`\(tag.keyword)")) || $0.hasPrefix("| `\(tag.rawValue)")
            }
        }
        #expect(missing.isEmpty, "statements the guide does not describe: \(missing)")
    }

    @Test(arguments: Statement.Tag.allCases)
    func parsesChecksAndFormats(_ tag: Statement.Tag) throws {
        let example = try #require(Self.examples[tag])
        let source = SourceFile(name: "example.bbx", text: example.source + "\n")
        let parsed = Parser.parse(source)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        #expect(parsed.script.statements.map { $0.kind.tag } == [tag])
        #expect(Checker.diagnose(source).filter(\.isError).isEmpty, "\(Checker.diagnose(source))")

        // The formatter puts the words of a statement spread apart back in its layout.
        let spread = example.source.replacingOccurrences(of: " ", with: "   ") + "\n"
        guard case .formatted(let formatted) = Formatter.format(SourceFile(name: "spread.bbx", text: spread)) else {
            Issue.record("the formatter refused \(spread)")
            return
        }
        #expect(formatted == example.source + "\n")
    }

    @Test(arguments: Statement.Tag.allCases)
    func plans(_ tag: Statement.Tag) async throws {
        let example = try #require(Self.examples[tag])
        let source = SourceFile(name: "example.bbx", text: example.source + "\n")
        let old = Artifact(name: "app-1.zip", size: 3, created: Date(timeIntervalSince1970: 1_700_000_000))
        let reader = FakeReader(["acme/app": [old], "acme/web": [old]])
        var evaluator = Evaluator(
            options: EvaluationOptions(), reader: reader,
            files: FakeFiles(sizes: ["build/app-1.zip": 3], texts: [:]))
        let shown = Mutex(0)
        do {
            let plan = try await evaluator.plan(Parser.parse(source).script, in: source) { _, _ in
                shown.withLock { $0 += 1 }
            }
            if case .output = example.planned {
                #expect(shown.withLock { $0 } > 0, "nothing shown")
            } else {
                #expect(Planned.steps(plan.steps.map(\.kind)) == example.planned)
            }
        } catch let error as PlanningError {
            #expect(Planned.error(error.diagnostic.id.text) == example.planned, "\(error)")
        }
    }

    @Test(arguments: Statement.Tag.allCases)
    func sandboxFindsWhatItCreates(_ tag: Statement.Tag) throws {
        let example = try #require(Self.examples[tag])
        let script = Parser.parse(SourceFile(name: "example.bbx", text: example.source)).script
        let found = Sandbox.names(in: script, defaultRepository: nil)
        #expect(found.repositories == example.repositories)
        #expect(found.linkers == example.linkers)
    }

    @Test(arguments: Statement.Tag.allCases)
    func completionOffersItsWords(_ tag: Statement.Tag) {
        let completer = Completer()
        #expect(completer.complete(String(tag.keyword.prefix(2))).candidates.contains(tag.keyword))
        for (before, words) in tag.followingWords {
            let typed = before.replacingOccurrences(of: "KEY", with: "\"jira\"")
            for word in words {
                let line = typed.hasPrefix(tag.keyword) ? typed : "\(tag.keyword) \(typed)"
                let offered = completer.complete("\(line) \(word.prefix(1))")
                #expect(offered.candidates.contains(word), "after '\(typed)': \(offered.candidates)")
            }
        }
    }
}
