import BBXTestSupport
import Foundation
import Testing

/// What `apply` promises: no delete of an artifact that changed since the plan, and a remote
/// that is, once listed again, what the plan predicted.
@Suite("What apply promises")
struct ApplyPromiseTests {
    /// Another job replaces an artifact between the plan and the delete: bbx lists the
    /// repository again right before its deletes and leaves that artifact alone, saying why.
    @Test func anArtifactReplacedBeforeItsDeleteIsNotDeleted() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "old-1.zip", size: 10, created: daysAgo(40))
            try await world.serve.seed("acme/app", "old-2.zip", size: 10, created: daysAgo(40))
            // bbx's upload is stored at once and answered 8 s later; meanwhile another job
            // (curl, quick to start even on a loaded machine) replaces old-1.zip.
            try await world.serve.addFault(#"{"delay_ms": 8000, "count": 1, "method": "POST"}"#)
            try world.write("clean.bbx", "use acme/app\nupload \"dist/app.tar.gz\"\nprune \"old-*\" older than 30d\n")
            let run = try ChildProcess(
                BBXProcess.executable, ["run", "clean.bbx"], environment: world.environment, in: world.folder)
            let posted = await run.waitUntil { ((try? await world.remote()) ?? [:])["app.tar.gz"] != nil }
            #expect(posted)
            try world.write("other/old-1.zip", "a fresh release")
            let other = try await Curl.run([
                "-H", "Authorization: Bearer \(EndToEnd.token)", "-F",
                "files=@\(world.folder.appendingPathComponent("other/old-1.zip").path);filename=old-1.zip",
                "\(world.serve.api)/2.0/repositories/acme/app/downloads",
            ])
            #expect(other.status == 201, "\(other.text)")
            #expect(run.isRunning, "the replacement came before bbx's deletes")
            let result = await run.wait()
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(
                result.stdout.contains("skipped  - delete old-1.zip: changed since the plan; not deleted"),
                "\(result.stdout)")
            let remote = try await world.remote()
            #expect(remote["old-1.zip"] == 15, "the fresh release is kept")
            #expect(remote["old-2.zip"] == nil)
        }
    }

    /// A server that answers 204 to a DELETE and keeps the artifact: the listing after apply
    /// shows it, and bbx says so and exits 1.
    @Test func aRemoteThatIsNotWhatThePlanPredictedFailsTheRun() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "old.zip", size: 10)
            try await world.serve.addFault(#"{"status": 204, "count": 1, "method": "DELETE"}"#)
            let result = try await world.bbx(["run", "-e", "use acme/app\ndelete \"old.zip\""])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("the remote is not what the plan predicted"), "\(result.stdout)")
            #expect(result.stdout.contains("acme/app: old.zip is still listed after its delete"))
            let json = try await world.bbx(["run", "-e", "use acme/app\nupload \"dist/app.tar.gz\"", "--json"])
            #expect(json.status == 0, "\(json.stdout)")
        }
    }

    /// A name sent with a space may be stored with `_` (`bbx serve --underscore-spaces`, as
    /// Bitbucket has been seen doing): the check after apply accepts either form.
    @Test func aNameStoredWithUnderscoresConfirmsItsUpload() async throws {
        try await EndToEnd.with(["--underscore-spaces"]) { world in
            try world.write("dist/my app.zip", "zip")
            let result = try await world.bbx(["run", "-e", "use acme/app\nupload \"dist/my app.zip\""])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(try await world.remote() == ["my_app.zip": 3])
            // Run again under the default `fail`: a conflict, not a silent replace.
            try await world.serve.clearRequests()
            let again = try await world.bbx(["run", "-e", "use acme/app\nupload \"dist/my app.zip\""])
            #expect(again.status == 65)
            #expect(again.stderr.contains("(stored as 'my_app.zip')"), "\(again.stderr)")
            #expect(try await world.writes().isEmpty)
            let deleted = try await world.bbx(["run", "-e", "use acme/app\ndelete \"my app.zip\""])
            #expect(deleted.status == 0, "\(deleted.stdout)\(deleted.stderr)")
            #expect(try await world.remote().isEmpty)
        }
    }
}
