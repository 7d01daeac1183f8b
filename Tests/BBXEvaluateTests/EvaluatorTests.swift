import BBXCheck
import BBXEvaluate
import BBXPlan
import BBXSyntax
import BBXTestSupport
import BitbucketModel
import Foundation
import Synchronization
import Testing

/// Plans a marked script against fakes; returns the plan or the planning error, and what it printed.
func plan(
    _ text: String, remote: [String: [Artifact]] = ["acme/app": []], files: [String: Int64] = [:],
    texts: [String: String] = [:], environment: [String: String] = [:], maxDelete: Int? = nil,
    reader: FakeReader? = nil
) async -> (plan: Plan?, error: PlanningError?, output: [String]) {
    let source = SourceFile(name: "test.bbx", text: text)
    let parsed = Parser.parse(source)
    precondition(parsed.diagnostics.isEmpty, "the test's script does not parse: \(parsed.diagnostics)")
    var options = EvaluationOptions()
    options.now = now
    options.environment = environment
    options.maxDelete = maxDelete
    var evaluator = Evaluator(
        options: options, reader: reader ?? FakeReader(remote), files: FakeFiles(sizes: files, texts: texts))
    let lines = Lines()
    do {
        let plan = try await evaluator.plan(parsed.script, in: source) { output, _ in
            if case .line(let text) = output { lines.append(text) }
            if case .connect(let result) = output { lines.append(result.lines.joined(separator: "; ")) }
            if case .artifacts(let repository, let list) = output {
                lines.append("\(repository): " + list.map(\.name).joined(separator: " "))
            }
        }
        return (plan, nil, lines.all)
    } catch {
        return (nil, error as? PlanningError, lines.all)
    }
}

final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// `kind name` for each step, the way the tests compare plans.
func summary(_ plan: Plan?) -> [String] {
    plan?.steps.map { "\($0.kind.rawValue) \($0.name)" } ?? []
}

struct ErrorCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// The script, with 1️⃣ where the error must point.
    let marked: String
    let message: String
    var remote: [String: [Artifact]] = ["acme/app": [artifact("app.zip", daysOld: 1)]]
    var files: [String: Int64] = ["build/a.zip": 5, "build/b.zip": 6, "dist/app.zip": 7]
    var texts: [String: String] = [:]
    var testDescription: String { name }
}

@Suite("Planning")
struct EvaluatorTests {
    @Test func eachRepositoryIsReadOnceOnFirstUse() async {
        let reader = FakeReader(["acme/app": [artifact("old.zip", daysOld: 9)], "acme/web": []])
        let result = await plan(
            "use acme/app\nlist\nif exists \"*.zip\" { print \"yes\" }\nprune keep 5\nlist", reader: reader)
        #expect(result.error == nil)
        #expect(reader.listed == ["acme/app"])
    }

    @Test func laterStatementsSeeEarlierUploadsAndPruneSparesThem() async {
        let result = await plan(
            """
            use acme/app
            upload "build/*.zip"
            if exists "b.zip" { print "b.zip is planned" }
            print count(artifacts("*.zip"))
            prune "*.zip" keep 1
            list
            """,
            remote: ["acme/app": [artifact("x.zip", daysOld: 3), artifact("y.zip", daysOld: 2)]],
            files: ["build/a.zip": 5, "build/b.zip": 6])
        #expect(result.error == nil, "\(String(describing: result.error?.diagnostic))")
        // keep 1: the two uploads count among the kept, and are never pruned themselves; the
        // one that keep 1 alone would take is shown kept, and why.
        #expect(
            summary(result.plan) == ["upload a.zip", "upload b.zip", "skip a.zip", "delete x.zip", "delete y.zip"])
        #expect(result.output == ["b.zip is planned", "4", "acme/app: a.zip b.zip"])
        #expect(result.plan?.steps[2].reason == "kept: confirmed by line 2")
        #expect(result.plan?.steps[3].reason == "prune keep 1")
    }

    @Test func conflictPoliciesAndRenaming() async {
        let remote = ["acme/app": [artifact("a.zip", daysOld: 1), artifact("app-1.tgz", daysOld: 1)]]
        let files: [String: Int64] = ["build/a.zip": 5, "build/b.zip": 6, "dist/app.tgz": 7]
        let skip = await plan("use acme/app\nupload \"build/*.zip\" on conflict skip", remote: remote, files: files)
        #expect(summary(skip.plan) == ["skip a.zip", "upload b.zip"])
        #expect(skip.plan?.steps[0].reason == "exists, skipped")
        let replace = await plan(
            "use acme/app\nupload \"dist/app.tgz\" as \"app-${v}.tgz\" on conflict replace\nlet v = 1", remote: remote,
            files: files)
        #expect(replace.error?.diagnostic.message == "'v' is not defined")
        let renamed = await plan(
            "use acme/app\nlet v = 1\nupload \"dist/app.tgz\" as \"app-${v}.tgz\" on conflict replace", remote: remote,
            files: files)
        #expect(summary(renamed.plan) == ["replace app-1.tgz"])
        #expect(renamed.plan?.steps[0].localPath == "dist/app.tgz")
        #expect(renamed.plan?.steps[0].size == 7)
        // The fingerprint remembers what the replace saw.
        #expect(renamed.plan?.fingerprints.first?.exists == true)
    }

    @Test func deletingWhatIsNotThereIsReportedNotAnError() async {
        let result = await plan("use acme/app\ndelete \"gone-*.zip\"")
        #expect(summary(result.plan) == ["skip gone-*.zip"])
        #expect(result.plan?.steps[0].reason == "nothing matches, nothing to delete")
        let literal = await plan("use acme/app\ndelete \"gone.zip\"")
        #expect(literal.plan?.steps[0].reason == "not there, nothing to delete")
        let listed = await plan("use acme/app\nlist \"zzz*\"", remote: ["acme/app": [artifact("a.zip", daysOld: 1)]])
        #expect(listed.output == ["no artifacts match 'zzz*' (1 in acme/app)"])
        #expect(result.plan?.hasChanges == false)
    }

    @Test func pruneByAgeKeepsTheYoung() async {
        let remote = ["acme/app": (1...5).map { artifact("n-\($0)", daysOld: Double($0) + 0.5) }]
        let result = await plan("use acme/app\nprune \"n-*\" keep 1 older than 3d", remote: remote)
        #expect(summary(result.plan) == ["delete n-5", "delete n-4", "delete n-3"])
        #expect(result.plan?.steps[0].reason == "prune keep 1, older than 3d")
    }

    @Test func forLoopsBindFieldsOfArtifactsAndFiles() async {
        let result = await plan(
            """
            use acme/app
            for f in files("build/*.zip") { print f.name, f.size, f.path }
            for a in artifacts("*") {
                if a.age > 7d or a.name matches "tmp-*" { delete a.name }
            }
            """,
            remote: [
                "acme/app": [artifact("tmp-1", daysOld: 1), artifact("old", daysOld: 8), artifact("new", daysOld: 1)]
            ],
            files: ["build/a.zip": 5])
        #expect(result.output == ["a.zip 5 build/a.zip"])
        // artifacts() lists newest first (as Bitbucket does, and as prune ranks them).
        #expect(summary(result.plan) == ["delete tmp-1", "delete old"])
    }

    @Test func environmentAndFallbacks() async {
        let result = await plan(
            #"print env("SET"), env("UNSET", "fallback"), env("UNSET") ?? "coalesced", env("SET") ?? "no""#,
            environment: ["SET": "value"])
        #expect(result.output == ["value fallback coalesced value"])
    }

    @Test func connectReadsPrintAndChangesBecomeSteps() async {
        let result = await plan(
            """
            linkers
            linker "jira" values
            addon update descriptor "app.json"
            linker "jira" set ["A", "B"]
            linker "jira" remove 3
            """, texts: ["app.json": #"{"key": "app"}"#])
        #expect(result.output == ["jira  values [OPS]", "3\tOPS"])
        #expect(
            result.plan?.steps.map(\.name) == [
                "PUT /2.0/addon", "PUT /2.0/addon/linkers/jira/values", "DELETE /2.0/addon/linkers/jira/values/3",
            ])
        #expect(result.plan?.steps[1].action == .connect(.setValues(linker: "jira", values: ["A", "B"])))
        // The linkers' deprecation and Connect's end, said once.
        #expect(result.plan?.notes?.count == 1)
        #expect(result.plan?.notes?.first?.contains("May 2026") == true)
    }

    /// "No change if present": adding a value that is there, or removing one that is not, is a
    /// skip in the plan, with what this plan does before it taken into account.
    @Test func linkerChangesThatChangeNothingAreSkips() async {
        let result = await plan(
            """
            linker "jira" add "OPS"
            linker "jira" add "NEW"
            linker "jira" add "NEW"
            linker "jira" remove 9
            linker "jira" remove 3
            linker "jira" remove 3
            """)
        #expect(
            result.plan?.steps.map { "\($0.kind) \($0.name)" } == [
                "skip POST /2.0/addon/linkers/jira/values", "connect POST /2.0/addon/linkers/jira/values",
                "skip POST /2.0/addon/linkers/jira/values", "skip DELETE /2.0/addon/linkers/jira/values/9",
                "connect DELETE /2.0/addon/linkers/jira/values/3", "skip DELETE /2.0/addon/linkers/jira/values/3",
            ])
        #expect(result.plan?.steps[0].reason == "OPS is already a value of linker jira, skipped")
        #expect(result.plan?.steps[3].reason == "linker jira has no value 9, skipped")
        let missing = await plan(#"linker "nope" add "X""#)
        #expect(missing.error?.diagnostic.message.contains("The linker does not exist.") == true)
    }

    static let errors: [ErrorCase] = [
        .init(
            name: "no file matches", marked: "use acme/app\nupload 1️⃣\"build/*.jar\"",
            message: "no file matches 'build/*.jar' (looked in \(FileManager.default.currentDirectoryPath))"),
        .init(
            name: "no such file", marked: "use acme/app\nupload 1️⃣\"build/c.zip\"",
            message: "no such file 'build/c.zip' (looked in \(FileManager.default.currentDirectoryPath))"
        ),
        .init(
            name: "as with many files", marked: "use acme/app\nupload 1️⃣\"build/*.zip\" as \"x.zip\"",
            message:
                "'as' needs a pattern that matches exactly one file; 'build/*.zip' matches 2: build/a.zip, build/b.zip"),
        .init(
            name: "two uploads, one name",
            marked: "use acme/app\nupload \"build/a.zip\"\n1️⃣upload \"dist/app.zip\" as \"a.zip\"",
            message: "two uploads would both be named 'a.zip' in acme/app: build/a.zip and dist/app.zip"),
        .init(
            name: "conflict under fail", marked: "use acme/app\n1️⃣upload \"dist/app.zip\"",
            message:
                "'app.zip' already exists in acme/app; add 'on conflict replace' to replace it or 'on conflict skip' to leave it"
        ),
        .init(
            name: "unset env", marked: "let v = 1️⃣env(\"BBX_NOPE\")",
            message:
                "the environment variable BBX_NOPE is not set; set it, or give a fallback: env(\"BBX_NOPE\", \"…\")"),
        .init(
            name: "assert with message", marked: "use acme/app\n1️⃣assert exists \"*.tgz\", \"no tarball\"",
            message: "no tarball"),
        .init(
            name: "assert without message", marked: "use acme/app\n1️⃣assert count(artifacts(\"*\")) > 3",
            message: "assertion failed: count(artifacts(\"*\")) > 3"),
        .init(name: "fail", marked: "if true {\n    1️⃣fail \"stop\"\n}", message: "stop"),
        .init(
            name: "missing repository", marked: "list in 1️⃣acme/nope", message: "repository acme/nope does not exist"),
        .init(
            name: "download matching nothing", marked: "use acme/app\ndownload 1️⃣\"*.tgz\"",
            message: "no artifact in acme/app matches '*.tgz'"),
        .init(
            name: "download onto a named pipe",
            marked: "use acme/app\n1️⃣download \"app 1.4*\" to \"out/\" on conflict replace",
            message:
                "'out/app 1.4 #2 ü%.zip' is a named pipe, so the download of 'app 1.4 #2 ü%.zip' cannot be written there; bbx replaces only files and links",
            remote: ["acme/app": [artifact("app 1.4 #2 ü%.zip", daysOld: 1)]],
            texts: ["kind:out/app 1.4 #2 ü%.zip": "a named pipe"]),
        .init(
            name: "descriptor file missing", marked: "addon update descriptor 1️⃣\"build/a.zip\"",
            message: "no such file 'build/a.zip'"),
    ]

    @Test(arguments: errors)
    func planningErrorsPointAtTheStatement(_ test: ErrorCase) async {
        let marked = MarkedSource(test.marked)
        let result = await plan(marked.text, remote: test.remote, files: test.files, texts: test.texts)
        #expect(result.plan == nil)
        assertDiagnostics(result.error.map { [$0.diagnostic] } ?? [], in: marked, [DiagnosticSpec(test.message)])
        #expect(result.error?.cause != .credentials)
    }

    /// A descriptor that is not JSON: the problem and its line and column in the file.
    @Test(arguments: [
        (
            "{\n  \"key\": \"app\",\n  \"name\": oops\n}",
            "'app.json' is not valid JSON: invalid value at line 3, column 11"
        ),
        ("{\"key\": \"é\", \"x\": ?}", "'app.json' is not valid JSON: invalid value at line 1, column 19"),
        ("[1, 2]", "'app.json' is not a JSON object; a Connect descriptor is one"),
    ])
    func aDescriptorThatIsNotJSONSaysWhere(_ text: String, _ message: String) async {
        let marked = MarkedSource("addon update descriptor 1️⃣\"app.json\"")
        let result = await plan(marked.text, texts: ["app.json": text])
        assertDiagnostics(
            result.error.map { [$0.diagnostic] } ?? [], in: marked, [DiagnosticSpec(message, id: .invalidDescriptor)])
    }

    /// Planning meets a missing repository only when the checker was not asked; it then says
    /// what the checker says, at the same place.
    @Test(arguments: [
        ("1️⃣list", "'list' needs a repository: add 'in workspace/slug'"),
        ("print 1️⃣exists \"a\"", "'exists' needs a repository: add 'in workspace/slug'"),
        ("print count(1️⃣artifacts(\"*\"))", "'artifacts(...)' needs a repository: give it as the second argument"),
    ])
    func aMissingRepositoryIsReportedInTheCheckersWords(_ text: String, _ start: String) async {
        let marked = MarkedSource(text)
        let result = await plan(marked.text)
        let expected = [
            DiagnosticSpec(
                "\(start), put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME", id: .needsRepository)
        ]
        assertDiagnostics(result.error.map { [$0.diagnostic] } ?? [], in: marked, expected)
        assertDiagnostics(Checker.diagnose(SourceFile(name: "test.bbx", text: marked.text)), in: marked, expected)
    }

    /// A value read from the environment is only known while planning; what is wrong with it is
    /// said in the checker's words for the same problem, with the same id.
    @Test(arguments: [
        (
            "use 1️⃣env(\"R\")", ["R": "acme"], "invalid-repository",
            "\"acme\" is not a repository; write workspace/slug (as in acme/app)"
        ),
        ("addon update url 1️⃣env(\"U\")", ["U": "ftp://x"], "invalid-url", "\"ftp://x\" is not an http(s) URL"),
        (
            "use acme/app\nprune keep 1️⃣env(\"K\")", ["K": "five"], "not-a-number",
            "expected a whole number, found the text \"five\""
        ),
    ])
    func valuesFromTheEnvironmentAreCheckedInTheCheckersWords(
        _ text: String, _ environment: [String: String], _ id: String, _ message: String
    ) async throws {
        let marked = MarkedSource(text)
        let result = await plan(marked.text, environment: environment)
        assertDiagnostics(
            result.error.map { [$0.diagnostic] } ?? [], in: marked,
            [DiagnosticSpec(message, id: try #require(DiagnosticID(rawValue: id)))])
    }

    @Test func maxDeleteCountsTheWholePlan() async {
        let remote = ["acme/app": (1...3).map { artifact("a\($0)", daysOld: Double($0)) }]
        let marked = MarkedSource("use acme/app\ndelete \"a1\"\n1️⃣prune keep 0")
        let result = await plan(marked.text, remote: remote, maxDelete: 2)
        assertDiagnostics(
            result.error.map { [$0.diagnostic] } ?? [], in: marked,
            [DiagnosticSpec("the plan would delete 3 artifacts, more than --max-delete 2 allows", id: .maxDelete)])
        #expect(await plan(marked.text, remote: remote, maxDelete: 3).error == nil)
    }

    @Test func connectStatementsWithoutCredentialsStopPlanning() async {
        let source = SourceFile(name: "c.bbx", text: "use acme/app\nlist\nlinker \"k\" add \"V\"")
        var options = EvaluationOptions()
        options.hasConnectCredentials = false
        var evaluator = Evaluator(options: options, reader: FakeReader(["acme/app": []]), files: FakeFiles(sizes: [:]))
        do {
            _ = try await evaluator.plan(Parser.parse(source).script, in: source)
            Issue.record("planned a Connect call without credentials")
        } catch let error as PlanningError {
            #expect(error.cause == .credentials)
            #expect(error.diagnostic.range.start == 18)
            #expect(error.diagnostic.message.hasPrefix("Connect statements need the app's credentials"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func rejectedCredentialsAreFlagged() async {
        let reader = FakeReader([:], failure: RemoteReadError("401 Unauthorized", cause: .credentials))
        let result = await plan("list in acme/app", reader: reader)
        #expect(result.error?.cause == .credentials)
    }
}
