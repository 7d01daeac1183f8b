import BBXTestSupport
import Foundation
import Testing

/// Numbers from the environment and `--var`, as a release job passes them.
@Suite("Numbers and names from a release job")
struct CIValuesEndToEndTests {
    @Test func keepFromTheEnvironmentAndFromVar() async throws {
        try await EndToEnd.with { world in
            for index in 1...4 {
                try await world.serve.seed(
                    "acme/app", "app-\(index).zip", size: 10, created: daysAgo(Double(10 - index)))
            }
            let fromVar = try await world.bbx([
                "run", "--dry-run", "--var", "n=2", "-e", "use acme/app\nprune \"app-*\" keep n",
            ])
            #expect(fromVar.status == 0, "\(fromVar.stderr)")
            #expect(fromVar.stdout.contains("Plan: 2 to delete."), "\(fromVar.stdout)")
            let fromEnv = try await world.bbx(
                [
                    "run", "--dry-run", "-e",
                    "use acme/app\nprune \"app-*\" keep env(\"KEEP\", \"5\") older than env(\"AGE\")",
                ],
                environment: ["KEEP": "1", "AGE": "7d 12h"])
            #expect(fromEnv.status == 0, "\(fromEnv.stderr)")
            #expect(fromEnv.stdout.contains("Plan: 2 to delete."), "\(fromEnv.stdout)")
        }
    }

    @Test(arguments: [
        (["--var", "upload=1"], "--var: 'upload' is a reserved word of the language and cannot be a name"),
        (["--var", "a=1", "--var", "a=2"], "--var: 'a' is given twice; give each name once"),
    ])
    func badVarsAreRefused(_ arguments: [String], _ message: String) async throws {
        let result = try await BBXProcess.launch(["check", "-"] + arguments, stdin: "print 1\n")
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A malformed BITBUCKET_REPO_FULL_NAME is said by name, by `check` and `run` alike.
    @Test(arguments: [["check", "-"], ["run", "-", "--sandbox"]])
    func aMalformedPipelineRepositoryIsNamed(_ command: [String]) async throws {
        let result = try await BBXProcess.launch(
            command, environment: ["BITBUCKET_REPO_FULL_NAME": "acme"], stdin: "list\n")
        #expect(result.status == 64, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "bbx: error: BITBUCKET_REPO_FULL_NAME is 'acme', which is not a repository (workspace/slug)"),
            "\(result.stderr)")
    }

    /// A free-plan workspace (402) is no mistake in the script: exit 1, and the reason once.
    @Test func aFreePlanWorkspaceExits1AndSaysItOnce() async throws {
        try await EndToEnd.with(["--free-plan", "acme"]) { world in
            let result = try await world.bbx(["run", "-e", "list in acme/app"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("402 Payment Required: This workspace is on the free plan"))
            #expect(!result.stderr.contains("the workspace's plan does not include Downloads"), "\(result.stderr)")
        }
    }

    /// An API URL with a password (`--url` or BITBUCKET_URL) crashed bbx when it had no host,
    /// and the refusal of an ftp:// one repeated the password.
    @Test(arguments: [
        (["--url", "http://alice:hunter2-secret@/2.0"], [:]),
        ([], ["BITBUCKET_URL": "ftp://alice:hunter2-secret@example.com"]),
        ([], ["BITBUCKET_URL": "https://example.com/?access_token=hunter2-secret"]),
    ])
    func anAPIURLWithSecretsIsRefusedWithoutThem(_ arguments: [String], _ environment: [String: String]) async throws {
        let result = try await BBXProcess.launch(
            ["plan"] + arguments + ["-e", "list in acme/app"],
            environment: environment.merging(["BITBUCKET_TOKEN": "t"]) { a, _ in a })
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("bbx: error: the API URL '"), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("hunter2"), "\(result.stderr)")
        #expect(!result.stderr.contains("Backtrac"), "\(result.stderr)")
    }

    @Test func sandboxAndURLTogetherAreRefused() async throws {
        let result = try await BBXProcess.launch(["run", "--sandbox", "--url", "http://127.0.0.1:1", "-e", "print 1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("give --url or --sandbox, not both"), "\(result.stderr)")
    }
}

/// Local paths are checked when planning, not halfway through applying.
@Suite("Download targets checked when planning")
struct DownloadTargetTests {
    @Test(arguments: [
        ("out", "'out' is a file, so nothing can be downloaded into 'out'"),
        ("out/app.zip", "'out/app.zip' is a folder, so the download of 'app.zip' cannot be written there"),
    ])
    func aFileWhereAFolderIsNeededOrTheReverse(_ blocker: String, _ message: String) async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "app.zip", size: 10)
            if blocker == "out" {
                try world.write("out", "a file")
            } else {
                try FileManager.default.createDirectory(
                    at: world.folder.appendingPathComponent(blocker), withIntermediateDirectories: true)
            }
            try await world.serve.clearRequests()
            let result = try await world.bbx(["run", "-e", "use acme/app\ndownload \"app.zip\" to \"out\""])
            #expect(result.status == 65, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.contains("planning stopped; nothing was changed"))
        }
    }
}

/// Help offers what a command does: `plan` applies nothing, so it takes no `--jobs`.
@Suite("Help texts")
struct HelpTextTests {
    @Test func planTakesNoJobs() async throws {
        let plan = try await BBXProcess.launch(["plan", "--help"])
        #expect(!plan.stdout.contains("--jobs"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("the report"))
        let run = try await BBXProcess.launch(["run", "--help"])
        #expect(run.stdout.contains("--jobs"))
        let refused = try await BBXProcess.launch(["plan", "-e", "print 1", "--jobs", "2"])
        #expect(refused.status == 64)
    }
}
