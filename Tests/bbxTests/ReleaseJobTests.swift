import BBXTestSupport
import Foundation
import Testing

/// bbx in a Bitbucket Pipelines release job: the example pipeline against Bitbucket's published
/// schema, the JUnit report the Tests tab shows, and the pipe's entrypoint against `bbx serve`.
@Suite("Release jobs")
struct ReleaseJobTests {
    static let schema = Paths.root.appendingPathComponent("../shared/reference/bitbucket-pipelines.schema.json")
        .standardized.path
    static let validator = Paths.root.appendingPathComponent("scripts/validate-pipelines.py").path

    static func validate(_ file: String) async throws -> BBXProcess.Result {
        try await ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", validator, file, schema]).wait()
    }

    /// The example validates; a copy with `size: 3x` does not (the schema checks enumerations),
    /// nor one with a misspelt key (the schema takes unknown keys: the script checks them).
    @Test func thePipelinesExampleValidatesAgainstBitbucketsSchema() async throws {
        #expect(FileManager.default.fileExists(atPath: Self.schema), "the schema is in shared/reference")
        let example = Paths.examples.appendingPathComponent("bitbucket-pipelines.yml").path
        let valid = try await Self.validate(example)
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        #expect(valid.stdout == "valid\n")

        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOfFile: example, encoding: .utf8)
        for (name, broken, problem) in [
            ("size", text.replacingOccurrences(of: "size: 1x", with: "size: 3x"), "is not valid under any"),
            ("key", text.replacingOccurrences(of: "max-time: 60", with: "max-tiem: 60"), "max-tiem: not a key"),
        ] {
            #expect(broken != text, "the example has the line \(name) changes")
            let file = folder.appendingPathComponent("\(name).yml")
            try Data(broken.utf8).write(to: file)
            let result = try await Self.validate(file.path)
            #expect(result.status == 1, "\(name): \(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains(problem), "\(name): \(result.stdout)")
        }
    }

    /// `--junit`: well-formed XML, a case per step, the failed step a failure with its message,
    /// what never started skipped; a script error is one failed case.
    @Test func junitReportsEachStep() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "old.zip", size: 10, created: daysAgo(40))
            // The second upload request fails (400 is not retried), after the first landed.
            try await world.serve.addFault(
                #"{"status": 400, "count": 5, "method": "POST", "path": "/2.0/repositories/acme/app/downloads"}"#)
            try world.write("fail.bbx", "use acme/app\nupload \"dist/app.tar.gz\"\nprune \"old*\" older than 30d\n")
            let run = try await world.bbx(["run", "fail.bbx", "--junit", "test-results/bbx.xml"])
            #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
            let parsed = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"),
                [
                    "python3", "-c",
                    """
                    import sys, xml.etree.ElementTree as E
                    root = E.parse(sys.argv[1]).getroot()
                    suite = root.find('testsuite')
                    print(suite.get('name'), suite.get('tests'), suite.get('failures'), suite.get('skipped'))
                    for case in suite.findall('testcase'):
                        failure = case.find('failure')
                        skipped = case.find('skipped')
                        print(case.get('classname'), '|', case.get('name'), '|',
                              'failure: ' + failure.get('message') if failure is not None else
                              'skipped: ' + skipped.get('message') if skipped is not None else 'passed')
                    """, "test-results/bbx.xml",
                ], in: world.folder
            ).wait()
            #expect(parsed.status == 0, "\(parsed.stderr)")
            let lines = parsed.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "bbx run fail.bbx 2 1 1", "\(parsed.stdout)")
            #expect(lines.count == 3, "\(parsed.stdout)")
            #expect(
                lines.dropFirst().first?.hasPrefix(
                    "acme/app | + upload dist/app.tar.gz → app.tar.gz (fail.bbx:2) | failure: ")
                    == true, "\(parsed.stdout)")
            #expect(
                lines.last?.hasPrefix("acme/app | - delete old.zip (fail.bbx:3) | skipped: ") == true,
                "\(parsed.stdout)")

            try await world.serve.clearFaults()
            try world.write("broken.bbx", "use acme/app\nprune keep \"five\"\n")
            let broken = try await world.bbx(["run", "broken.bbx", "--junit", "test-results/broken.xml"])
            #expect(broken.status == 65)
            let xml = String(decoding: world.contents("test-results/broken.xml") ?? Data(), as: UTF8.self)
            #expect(xml.contains("tests=\"1\" failures=\"1\""), "\(xml)")
            #expect(xml.contains("broken.bbx:2: expected how many to keep"), "\(xml)")

            // A saved plan applied: its steps, each a passing case; the plan alone: all skipped.
            try world.write("ship.bbx", "use acme/app\nupload \"build/*.zip\"\n")
            let planned = try await world.bbx([
                "plan", "ship.bbx", "-o", "plan.json", "--junit", "test-results/plan.xml",
            ])
            #expect(planned.status == 0, "\(planned.stderr)")
            let planXML = String(decoding: world.contents("test-results/plan.xml") ?? Data(), as: UTF8.self)
            #expect(planXML.contains("tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"2\""), "\(planXML)")
            let applied = try await world.bbx(["apply", "plan.json", "--junit", "test-results/apply.xml"])
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            let applyXML = String(decoding: world.contents("test-results/apply.xml") ?? Data(), as: UTF8.self)
            #expect(
                applyXML.contains("<testsuite name=\"bbx apply plan.json\" tests=\"2\" failures=\"0\""), "\(applyXML)")
        }
    }

    /// The pipe's entrypoint with its variables, against `bbx serve`: a release with BBX_VARS
    /// and a JUnit report through EXTRA_ARGS, a plan that changes nothing, DEBUG's command line
    /// without the token, and a wrong BBX_COMMAND.
    @Test func thePipeEntrypointMapsItsVariables() async throws {
        try await EndToEnd.with { world in
            try world.write(
                "release.bbx",
                "use acme/app\nupload \"dist/app.tar.gz\" as \"app-${version}-${channel}.tar.gz\"\n"
            )
            let pipe = Paths.root.appendingPathComponent("pipe/pipe.sh").path
            let bin = BBXProcess.executable.deletingLastPathComponent().path
            func runPipe(_ variables: [String: String]) async throws -> BBXProcess.Result {
                var environment = world.environment.merging(variables) { $1 }
                environment["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
                return try await ChildProcess(
                    URL(fileURLWithPath: pipe), [], environment: environment, in: world.folder
                )
                .wait()
            }
            let plan = try await runPipe([
                "BBX_SCRIPT": "release.bbx", "BBX_COMMAND": "plan", "BBX_VARS": "version=2.1.0\nchannel=beta",
            ])
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stdout.contains("+ upload   dist/app.tar.gz → app-2.1.0-beta.tar.gz"), "\(plan.stdout)")
            #expect(try await world.remote().isEmpty)

            let release = try await runPipe([
                "BBX_SCRIPT": "release.bbx", "BBX_VARS": "version=2.1.0\r\n\n  \nchannel=stable\n",
                "EXTRA_ARGS": "--junit test-results/bbx.xml --jobs 2", "DEBUG": "true",
            ])
            #expect(release.status == 0, "\(release.stdout)\(release.stderr)")
            #expect(
                release.stderr.contains(
                    "bbx pipe: bbx run release.bbx --var version=2.1.0 --var channel=stable --junit test-results/bbx.xml --jobs 2"
                ), "\(release.stderr)")
            #expect(!release.stderr.contains(EndToEnd.token) && !release.stdout.contains(EndToEnd.token))
            #expect(try await world.remote().keys.map(\.text) == ["app-2.1.0-stable.tar.gz"])
            #expect(world.contents("test-results/bbx.xml") != nil)

            // Pipelines names the repository the build runs for: doctor checks it.
            let doctor = try await runPipe(["BBX_COMMAND": "doctor", "BITBUCKET_REPO_FULL_NAME": "acme/app"])
            #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")

            let wrong = try await runPipe(["BBX_COMMAND": "deploy", "BBX_SCRIPT": "release.bbx"])
            #expect(wrong.status == 64)
            #expect(wrong.stderr.contains("it takes run, plan, verify or doctor"), "\(wrong.stderr)")
            let missing = try await runPipe(["BBX_COMMAND": "run"])
            #expect(missing.status == 64)
            #expect(missing.stderr.contains("BBX_SCRIPT is required"), "\(missing.stderr)")
        }
    }
}
