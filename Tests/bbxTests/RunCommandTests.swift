import BBXTestSupport
import BitbucketModel
import Foundation
import Testing

/// `bbx run` and `bbx plan` as a release job runs them: the built executable against
/// `bbx serve`, real files, the emulator's request log as the witness of what was sent.
@Suite("bbx run end to end")
struct RunCommandTests {
    static let release = """
        use acme/app
        let version = env("VERSION", "1.4.0")
        upload "build/*.zip"
        upload "dist/app.tar.gz" as "app-${version}.tar.gz"
        prune "app-*.tar.gz" keep 2
        """

    /// Three older releases: 1.1.0 (3 days), 1.2.0 (2 days), 1.3.0 (1 day).
    static func seedOlderReleases(_ world: EndToEnd) async throws {
        for (minor, days) in [(1, 3.0), (2, 2.0), (3, 1.0)] {
            try await world.serve.seed("acme/app", "app-1.\(minor).0.tar.gz", size: 100 * minor, created: daysAgo(days))
        }
    }

    @Test func releaseUploadsRenamesAndPrunes() async throws {
        try await EndToEnd.with { world in
            try await Self.seedOlderReleases(world)
            try world.write("release.bbx", Self.release)
            let result = try await world.bbx(["run", "release.bbx"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("acme/app\n"))
            #expect(result.stdout.contains("+ upload   build/app-1.4.0-linux.zip → app-1.4.0-linux.zip"))
            #expect(result.stdout.contains("+ upload   dist/app.tar.gz → app-1.4.0.tar.gz"))
            #expect(result.stdout.contains("- delete   app-1.1.0.tar.gz"))
            #expect(result.stdout.contains("(prune keep 2)"))
            #expect(result.stdout.contains("release.bbx:5"))
            #expect(result.stdout.contains("Plan: 3 to upload, 2 to delete (6.3 KiB to send)."))
            #expect(result.stdout.contains("Applied: 3 uploaded, 2 deleted"))
            let remote = try await world.remote()
            #expect(
                remote == [
                    "app-1.4.0-linux.zip": 3000, "app-1.4.0-macos.zip": 2000, "app-1.4.0.tar.gz": 1500,
                    "app-1.3.0.tar.gz": 300,
                ])
            // Every upload went before the first delete.
            let writes = try await world.writes()
            let lastPost = try #require(writes.lastIndex { $0.hasPrefix("POST") })
            let firstDelete = try #require(writes.firstIndex { $0.hasPrefix("DELETE") })
            #expect(lastPost < firstDelete, "\(writes)")
        }
    }

    @Test func rerunUnderConflictFailStopsBeforeAnyWrite() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            #expect(try await world.bbx(["run", "release.bbx"]).status == 0)
            try await world.serve.clearRequests()
            let again = try await world.bbx(["run", "release.bbx"])
            #expect(again.status == 65)
            #expect(
                again.stderr.contains(
                    "release.bbx:3:1: error: 'app-1.4.0-linux.zip' already exists in acme/app; add 'on conflict replace'"
                ),
                "\(again.stderr)")
            #expect(again.stderr.contains(" 3 | upload \"build/*.zip\"\n   | ^~~~"), "\(again.stderr)")
            #expect(try await world.writes().isEmpty)
        }
    }

    @Test(arguments: ["skip", "replace"])
    func rerunWithConflictPolicy(_ policy: String) async throws {
        try await EndToEnd.with { world in
            try world.write("zips.bbx", "use acme/app\nupload \"build/*.zip\" on conflict \(policy)\n")
            #expect(try await world.bbx(["run", "zips.bbx"]).status == 0)
            try world.write("build/app-1.4.0-linux.zip", "rebuilt")
            try await world.serve.clearRequests()
            let again = try await world.bbx(["run", "zips.bbx", "--detailed-exitcode"])
            let writes = try await world.writes()
            let remote = try await world.remote()
            if policy == "skip" {
                #expect(again.status == 0, "no changes: \(again.stdout)")
                #expect(again.stdout.contains("= skip     build/app-1.4.0-linux.zip → app-1.4.0-linux.zip"))
                #expect(again.stdout.contains("Plan: no changes; 2 skipped."))
                #expect(writes.isEmpty)
                #expect(remote["app-1.4.0-linux.zip"] == 3000)
            } else {
                #expect(again.status == 2, "changes under --detailed-exitcode: \(again.stderr)")
                #expect(again.stdout.contains("~ replace  build/app-1.4.0-linux.zip"))
                // Replaced in one request each: never delete-then-upload.
                #expect(writes.count == 2 && writes.allSatisfy { $0.hasPrefix("POST") }, "\(writes)")
                #expect(remote["app-1.4.0-linux.zip"] == 7)
            }
        }
    }

    @Test func dryRunSendsNoWrite() async throws {
        try await EndToEnd.with { world in
            try await Self.seedOlderReleases(world)
            try world.write("release.bbx", Self.release)
            try await world.serve.clearRequests()
            let result = try await world.bbx(["run", "release.bbx", "--dry-run", "--detailed-exitcode"])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stdout.contains("Plan: 3 to upload, 2 to delete"))
            #expect(!result.stdout.contains("Applied"))
            let requests = try await world.serve.requests()
            #expect(!requests.isEmpty && requests.allSatisfy { $0.method == "GET" }, "\(requests)")
            #expect(try await world.remote().count == 3)
        }
    }

    /// nightly-N was created N and a half days ago.
    @Test(arguments: [
        ("keep 4", ["nightly-5", "nightly-6"]),
        ("older than 3d", ["nightly-3", "nightly-4", "nightly-5", "nightly-6"]),
        ("keep 2 older than 4d", ["nightly-4", "nightly-5", "nightly-6"]),
    ])
    func pruneByCountAgeAndBoth(_ rule: String, _ deleted: [String]) async throws {
        try await EndToEnd.with { world in
            for n in 1...6 { try await world.serve.seed("acme/app", "nightly-\(n)", created: daysAgo(Double(n) + 0.5)) }
            try await world.serve.seed("acme/app", "other.zip", created: daysAgo(30))
            try world.write("prune.bbx", "use acme/app\nprune \"nightly-*\" \(rule)\n")
            let result = try await world.bbx(["run", "prune.bbx"])
            #expect(result.status == 0, "\(result.stderr)")
            let remaining = try await world.remote().keys.sorted().map(\.text)
            let expected = (["other.zip"] + (1...6).map { "nightly-\($0)" }.filter { !deleted.contains($0) }).sorted()
            #expect(remaining == expected)
            // Oldest first, each with the rule as its reason.
            let planned = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  - delete") }
            #expect(planned.map { $0.split(separator: " ")[2] } == deleted.reversed().map { Substring($0) })
        }
    }

    @Test func forAndIfSeeTheStateThePlanHasReached() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "old.log", created: daysAgo(10))
            try await world.serve.seed("acme/app", "recent.log", created: daysAgo(1))
            try world.write(
                "logs.bbx",
                """
                use acme/app
                upload "dist/app.tar.gz" as "fresh.log"
                for a in artifacts("*.log") {
                    if a.age > 7d and a.downloads == 0 {
                        delete a.name
                    }
                }
                if exists "fresh.log" {
                    print "fresh.log is planned"
                } else {
                    fail "fresh.log should be visible to later statements"
                }
                print "logs left:", count(artifacts("*.log"))
                """)
            let result = try await world.bbx(["run", "logs.bbx"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("fresh.log is planned\nlogs left: 2\n"))
            #expect(try await world.remote().keys.sorted() == ["fresh.log", "recent.log"])
        }
    }

    @Test func downloadsAreByteIdentical() async throws {
        try await EndToEnd.with { world in
            try world.write(
                "build/app-1.4.0-linux.zip", String((0..<5000).map { Character(UnicodeScalar(65 + $0 % 26)!) }))
            try world.write("up.bbx", "use acme/app\nupload \"build/*.zip\"\n")
            #expect(try await world.bbx(["run", "up.bbx"]).status == 0)
            try world.write("down.bbx", "use acme/app\ndownload \"*.zip\" to \"fetched/latest\"\n")
            let result = try await world.bbx(["run", "down.bbx"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("↓ download app-1.4.0-linux.zip → fetched/latest/app-1.4.0-linux.zip"))
            for name in ["app-1.4.0-linux.zip", "app-1.4.0-macos.zip"] {
                #expect(world.contents("fetched/latest/\(name)") == world.contents("build/\(name)"))
            }
            // Again: the local files are the conflict now.
            let again = try await world.bbx(["run", "down.bbx"])
            #expect(again.status == 65)
            #expect(again.stderr.contains("'fetched/latest/app-1.4.0-linux.zip' already exists"))
            let hidden = try FileManager.default.contentsOfDirectory(
                atPath: world.folder.appendingPathComponent("fetched/latest").path)
            #expect(hidden.sorted() == ["app-1.4.0-linux.zip", "app-1.4.0-macos.zip"])
        }
    }

    @Test func maxDeleteStopsPlanning() async throws {
        try await EndToEnd.with { world in
            try await Self.seedOlderReleases(world)
            try world.write("wipe.bbx", "use acme/app\nprune keep 0\n")
            try await world.serve.clearRequests()
            let result = try await world.bbx(["run", "wipe.bbx", "--max-delete", "2"])
            #expect(result.status == 65)
            #expect(
                result.stderr.contains(
                    "wipe.bbx:2:1: error: the plan would delete 3 artifacts, more than --max-delete 2 allows"),
                "\(result.stderr)")
            #expect(try await world.writes().isEmpty)
            #expect(try await world.bbx(["run", "wipe.bbx", "--max-delete", "3"]).status == 0)
            #expect(try await world.remote().isEmpty)
        }
    }

    @Test func failedUploadLeavesThePruneUndone() async throws {
        try await EndToEnd.with { world in
            try await Self.seedOlderReleases(world)
            try world.write("release.bbx", Self.release)
            try await world.serve.addFault(
                #"{"status": 400, "count": 1, "method": "POST", "path": "/2.0/repositories/acme/app/downloads"}"#)
            let result = try await world.bbx(["run", "release.bbx", "--jobs", "1"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            // The three uploads go in one request: its 400 fails all three.
            #expect(result.stdout.contains("Apply failed: 0 done, 3 failed, 2 not started"), "\(result.stdout)")
            #expect(result.stdout.contains("failed       + upload build/app-1.4.0-linux.zip"))
            #expect(result.stdout.contains("POST /2.0/repositories/acme/app/downloads: 400"))
            #expect(result.stdout.contains("not started  - delete app-1.1.0.tar.gz (prune keep 2)"))
            #expect(result.stdout.contains("Nothing was changed."))
            #expect(
                try await world.remote().keys.sorted() == ["app-1.1.0.tar.gz", "app-1.2.0.tar.gz", "app-1.3.0.tar.gz"])
        }
    }

    /// A `print` after changes speaks for them: it shows once they are applied, never after a
    /// failed apply; one before any change shows at once; a dry run, or planning that stops,
    /// shows them all.
    @Test func printsAfterChangesWaitForThem() async throws {
        try await EndToEnd.with { world in
            let stopped = try await world.bbx([
                "run", "-e", "use acme/app\nupload \"dist/app.tar.gz\"\nprint \"checking\"\nassert false, \"no\"",
            ])
            #expect(stopped.status == 65, "\(stopped.stderr)")
            #expect(stopped.stdout == "checking\n", "\(stopped.stdout)")

            try world.write(
                "say.bbx",
                """
                use acme/app
                print "releasing"
                upload "dist/app.tar.gz"
                print "released"
                """)
            try await world.serve.addFault(
                #"{"status": 400, "count": 1, "method": "POST", "path": "/2.0/repositories/acme/app/downloads"}"#)
            let failed = try await world.bbx(["run", "say.bbx"])
            #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
            #expect(failed.stdout.hasPrefix("releasing\n"), "\(failed.stdout)")
            #expect(!failed.stdout.contains("released"), "\(failed.stdout)")

            let preview = try await world.bbx(["run", "say.bbx", "--dry-run"])
            #expect(preview.status == 0, "\(preview.stderr)")
            #expect(preview.stdout.hasPrefix("releasing\n"), "\(preview.stdout)")
            #expect(preview.stdout.contains("released\n"), "\(preview.stdout)")

            let applied = try await world.bbx(["run", "say.bbx"])
            #expect(applied.status == 0, "\(applied.stderr)")
            let plan = try #require(applied.stdout.range(of: "+ upload"))
            let released = try #require(applied.stdout.range(of: "released\n"))
            #expect(plan.upperBound < released.lowerBound, "\(applied.stdout)")
            #expect(applied.stdout.hasPrefix("releasing\n"), "\(applied.stdout)")
        }
    }

    @Test func credentialsMissingOrRejectedExit77() async throws {
        try await EndToEnd.with(["--token", "reader-token:repository"]) { world in
            try world.write("release.bbx", Self.release)
            let wrong = try await world.bbx(["run", "release.bbx"], environment: ["BITBUCKET_TOKEN": "not-the-token"])
            #expect(wrong.status == 77)
            // The credential's problem, said once with the fix; no line of the script is to blame.
            #expect(
                wrong.stderr.hasPrefix("bbx: error: GET /2.0/repositories/acme/app/downloads: 401"),
                "\(wrong.stderr)")
            #expect(!wrong.stderr.contains("release.bbx:"), "\(wrong.stderr)")
            #expect(wrong.stderr.contains("401"))
            #expect(!wrong.stderr.contains("not-the-token"))
            let none = try await world.bbx(["run", "release.bbx"], environment: ["BITBUCKET_TOKEN": ""])
            #expect(none.status == 77, "\(none.stderr)")
            // Bitbucket answers 404 without a credential: the message says what is missing.
            #expect(none.stderr.contains("no credential was given: set BITBUCKET_TOKEN"), "\(none.stderr)")
            #expect(!none.stderr.contains("does not exist, or the credential cannot see it"))
            // Reading works with a read-only token; the uploads are refused before the first one is
            // sent, since the listing's headers said what the token holds (issue 19; a 403 while
            // applying is the client's own tests' matter, ErrorTests).
            try await world.serve.clearRequests()
            let readOnly = try await world.bbx(
                ["run", "release.bbx"], environment: ["BITBUCKET_TOKEN": "reader-token"])
            #expect(readOnly.status == 77, "\(readOnly.stdout)\(readOnly.stderr)")
            #expect(
                readOnly.stderr.contains("need repository:write; the credential (repo_access_token) holds repository"),
                "\(readOnly.stderr)")
            #expect(try await world.writes().isEmpty)
            #expect(try await world.remote().isEmpty)
        }
    }

    @Test func scriptErrorsExit65WithThePosition() async throws {
        try await EndToEnd.with { world in
            try world.write("bad.bbx", "use acme/app\nupload \"build/*.jar\"\n")
            let result = try await world.bbx(["run", "bad.bbx"])
            #expect(result.status == 65)
            #expect(result.stderr.contains("bad.bbx:2:8: error: no file matches 'build/*.jar'"), "\(result.stderr)")
            let unset = try await world.bbx(["run", "-e", "use acme/app\nprint env(\"BBX_SURELY_UNSET\")"])
            #expect(unset.status == 65)
            #expect(unset.stderr.contains("<-e>:2:7: error: the environment variable BBX_SURELY_UNSET is not set"))
            let missing = try await world.bbx(["run", "-e", "list in acme/nothing"])
            #expect(missing.status == 65)
            #expect(missing.stderr.contains("repository acme/nothing does not exist"), "\(missing.stderr)")
            let syntax = try await world.bbx(["run", "-e", "upload \"a.zip\" to"])
            #expect(syntax.status == 65)
            #expect(try await world.bbx(["run", "no-such.bbx"]).status == 64)
            #expect(try await world.writes().isEmpty)
        }
    }

    @Test func varsAndThePipelinesRepository() async throws {
        try await EndToEnd.with { world in
            let result = try await world.bbx(
                ["run", "-e", #"upload "dist/app.tar.gz" as "web-${tag}.tar.gz""#, "--var", "tag=7"],
                environment: ["BITBUCKET_REPO_FULL_NAME": "acme/web"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try await world.remote("acme/web") == ["web-7.tar.gz": 1500])
        }
    }

    @Test func jsonPlanAndReportPredictTheRemote() async throws {
        try await EndToEnd.with { world in
            try await Self.seedOlderReleases(world)
            try world.write("release.bbx", Self.release)
            let before = try await world.remote()
            let result = try await world.bbx(["run", "release.bbx", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(document["version"] as? Int == 1)
            let plan = try #require(document["plan"] as? [String: Any])
            let steps = try #require(plan["steps"] as? [[String: Any]])
            #expect(steps.map { $0["kind"] as? String } == ["upload", "upload", "upload", "delete", "delete"])
            #expect(steps[2]["source"] as? String == "release.bbx:4:1")
            #expect(steps[3]["reason"] as? String == "prune keep 2")
            let report = try #require(document["report"] as? [String: Any])
            #expect(report["succeeded"] as? Bool == true)
            #expect((report["steps"] as? [[String: Any]])?.allSatisfy { $0["outcome"] as? String == "done" } == true)
            // The plan's prediction, worked out from the document, is what Bitbucket now holds.
            var predicted = before
            for step in steps {
                let name = step["name"] as? String ?? ""
                switch step["kind"] as? String {
                case "upload", "replace": predicted[ExactName(name)] = step["size"] as? Int
                case "delete": predicted[ExactName(name)] = nil
                default: break
                }
            }
            #expect(try await world.remote() == predicted)

            let failed = try await world.bbx(["run", "-e", "use acme/app\nassert false, \"stop here\"", "--json"])
            #expect(failed.status == 65)
            let error = try #require(
                (try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any])?["error"]
                    as? [String: Any])
            #expect(error["message"] as? String == "stop here")
            #expect(error["line"] as? Int == 2)
        }
    }

    @Test func savedPlanIsRefusedAfterDrift() async throws {
        try await EndToEnd.with { world in
            try await Self.seedOlderReleases(world)
            try world.write("release.bbx", Self.release)
            let planned = try await world.bbx(["plan", "release.bbx", "-o", "plan.json"])
            #expect(planned.status == 0, "\(planned.stderr)")
            #expect(planned.stdout.contains("Saved the plan to plan.json"))
            // Someone uploads one of the names the plan means to create.
            try await world.serve.seed("acme/app", "app-1.4.0-linux.zip", size: 42)
            try await world.serve.clearRequests()
            let refused = try await world.bbx(["apply", "plan.json"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("the plan is out of date; nothing was changed"), "\(refused.stderr)")
            #expect(refused.stderr.contains("acme/app: app-1.4.0-linux.zip was uploaded since (42 B)"))
            #expect(try await world.writes().isEmpty)

            // Planned again, and applied while nothing moved, it goes through.
            #expect(try await world.bbx(["run", "-e", "delete \"app-1.4.0-linux.zip\" from acme/app"]).status == 0)
            #expect(try await world.bbx(["plan", "release.bbx", "-o", "plan.json"]).status == 0)
            let applied = try await world.bbx(["apply", "plan.json"])
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(
                try await world.remote().keys.sorted() == [
                    "app-1.3.0.tar.gz", "app-1.4.0-linux.zip", "app-1.4.0-macos.zip", "app-1.4.0.tar.gz",
                ])
            // A local file that changed since is drift too.
            #expect(
                try await world.bbx(["plan", "-e", "upload \"build/*.zip\" to acme/web", "-o", "web.json"]).status == 0)
            try world.write("build/app-1.4.0-macos.zip", "rebuilt")
            let local = try await world.bbx(["apply", "web.json"])
            #expect(local.status == 1)
            #expect(local.stderr.contains("build/app-1.4.0-macos.zip changed size"), "\(local.stderr)")
        }
    }

    @Test func connectStatementsSignedAndWithoutCredentialsRefusedBeforeAnyWrite() async throws {
        try await EndToEnd.with(["--connect", "bbx-app:connection:42:shh-secret", "--linker", "jira-issues"]) { world in
            let connect = [
                "BITBUCKET_CONNECT_APP_KEY": "bbx-app", "BITBUCKET_CONNECT_CLIENT_KEY": "connection:42",
                "BITBUCKET_CONNECT_SHARED_SECRET": "shh-secret",
            ]
            let set = try await world.bbx(
                [
                    "run", "-e",
                    "linker \"jira-issues\" set [\"PROJ\"]\nlinker \"jira-issues\" add \"OPS\"\nlinker \"jira-issues\" values",
                ],
                environment: connect)
            #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
            // A Connect read shows the app before this run's changes, so it comes before the plan.
            #expect(set.stdout.hasPrefix("(linker jira-issues has no values)\nConnect app\n"), "\(set.stdout)")
            #expect(set.stdout.contains("* connect  PUT /2.0/addon/linkers/jira-issues/values"))
            #expect(set.stdout.contains("Applied: 2 Connect calls made"))
            let values = try await world.bbx(["run", "-e", "linker \"jira-issues\" values"], environment: connect)
            #expect(values.status == 0)
            #expect(values.stdout.contains("\tPROJ\n") && values.stdout.contains("\tOPS\n"), "\(values.stdout)")
            #expect(!(values.stdout + values.stderr + set.stdout + set.stderr).contains("shh-secret"))

            try await world.serve.clearRequests()
            let without = try await world.bbx([
                "run", "-e", "upload \"dist/app.tar.gz\" to acme/app\nlinker \"jira-issues\" clear",
            ])
            #expect(without.status == 77)
            #expect(without.stderr.contains("<-e>:2:1: error: Connect statements need the app's credentials"))
            #expect(try await world.writes().isEmpty)
        }
    }

    /// Atlassian's OpenAPI names the server with `/2.0`; bbx adds it itself.
    @Test func aBaseURLEndingIn20IsTrimmedWithANote() async throws {
        try await EndToEnd.with { world in
            let run = try await world.bbx(
                ["run", "-e", "list in acme/app"], environment: ["BITBUCKET_URL": world.serve.api + "/2.0/"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("bbx: note: the API URL \(world.serve.api)/2.0/ ends in /2.0"), "\(run.stderr)")
            #expect(try await world.serve.requests().allSatisfy { !$0.path.hasPrefix("/2.0/2.0") })
        }
    }

    /// Bitbucket out of reach while planning is not a script error: exit 1, nothing changed,
    /// the statement that needed it named, after the client's retries.
    @Test func anUnreachableBitbucketWhilePlanningExits1() async throws {
        let port = Tools.closedPort
        let result = try await BBXProcess.launch(
            ["run", "-e", "list in acme/app"],
            environment: ["BITBUCKET_URL": "http://127.0.0.1:\(port)", "BITBUCKET_TOKEN": "unused-token"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains("<-e>:1:1: error: GET http://127.0.0.1:\(port)/2.0/repositories/acme/app/downloads"))
        #expect(result.stderr.contains("gave up after 5 attempts"), "\(result.stderr)")
        // Each wait is told as it starts, so a CI log does not look stuck.
        #expect(result.stderr.contains("bbx: warning: listing acme/app's downloads: GET"))
        #expect(result.stderr.contains("connection refused; attempt 5 of 5 in "))
        #expect(result.stderr.contains("planning stopped; nothing was changed"))
    }

    /// A script cannot make bbx show a secret: reading a credential variable is refused, and a
    /// secret that reaches the script some other way is redacted where output is written.
    @Test func secretsPrintedByAScriptAreRedacted() async throws {
        try await EndToEnd.with { world in
            let refused = try await world.bbx([
                "run", "-e", "print \"token:\", env(\"BITBUCKET_TOKEN\")\nfail env(\"BITBUCKET_TOKEN\")", "--json",
            ])
            #expect(refused.status == 65)
            #expect(refused.stdout.contains("BITBUCKET_TOKEN holds a credential"), "\(refused.stdout)")
            #expect(!(refused.stdout + refused.stderr).contains(EndToEnd.token))
            let result = try await world.bbx([
                "run", "-e", "print \"token:\", t\nfail t", "--json", "--var", "t=\(EndToEnd.token)",
            ])
            #expect(result.status == 65)
            #expect(result.stdout.contains("token: <redacted>"), "\(result.stdout)")
            #expect(!(result.stdout + result.stderr).contains(EndToEnd.token))
        }
    }

    /// `bbx run … | head -1`: the reader leaves early; bbx neither crashes nor prints a trace.
    @Test func aClosedOutputPipeIsNotACrash() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = (1...3000).map { "print \"line \($0) \(String(repeating: "x", count: 40))\"" }
        try Data(lines.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("many.bbx"))
        let shell = try ChildProcess(
            URL(fileURLWithPath: "/bin/bash"),
            ["-c", "set -o pipefail; '\(BBXProcess.executable.path)' run many.bbx --sandbox | head -2"], in: folder)
        let result = await shell.wait()
        #expect(result.stdout.hasPrefix("sandbox: a local emulator"))
        #expect(result.stdout.contains("line 1 xxx"))
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        #expect(result.status == 0, "\(result.stderr)")
    }
}
