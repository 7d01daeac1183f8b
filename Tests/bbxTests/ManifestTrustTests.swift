import BBXTestSupport
import Foundation
import Testing

/// Issue 30's reproductions against `bbx serve`: entries believed only for the upload they were
/// made for, the names Bitbucket stores, entries of artifacts that are gone, and a manifest
/// that bbx could not read back. Each failed on 6ed78df.
@Suite("Manifests you can trust")
struct ManifestTrustTests {
    static let release = """
        use acme/app
        checksums "SHA256SUMS"
        upload "build/*.zip" on conflict update

        """

    /// Replaces an artifact with curl, as someone holding a write token would.
    static func replaceWithCurl(_ world: EndToEnd, _ name: String, _ text: String) async throws {
        try world.write("other/\(name)", text)
        let replaced = try await Curl.run(
            ChecksumsEndToEndTests.auth + [
                "-X", "POST", "\(world.serve.api)/2.0/repositories/acme/app/downloads", "-F", "files=@other/\(name)",
            ], in: world.folder)
        #expect(replaced.status == 201)
    }

    /// Someone replaces `app-1.4.0-linux.zip` with curl (another size, a newer `created_on`).
    /// The next run said `= unchanged` and exit 0: the tampered bytes stayed released. Now the
    /// entry is not believed for the new upload: the build's file goes up again.
    @Test func anArtifactReplacedWithCurlIsNotLeftUnchanged() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            #expect(try await world.bbx(["run", "release.bbx"]).status == 0)
            try await Self.replaceWithCurl(world, "app-1.4.0-linux.zip", "tampered")

            try await world.serve.clearRequests()
            let again = try await world.bbx(["run", "release.bbx"])
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(again.stdout.contains("~ replace  build/app-1.4.0-linux.zip"), "\(again.stdout)")
            #expect(again.stdout.contains("(changed since SHA256SUMS)"), "\(again.stdout)")
            #expect(again.stdout.contains("= unchanged build/app-1.4.0-macos.zip"), "\(again.stdout)")
            let released = try await ChecksumsEndToEndTests.fetch(world, "app-1.4.0-linux.zip")
            #expect(released == world.contents("build/app-1.4.0-linux.zip"))
            // A third run believes the new entry: nothing is sent.
            try await world.serve.clearRequests()
            let third = try await world.bbx(["run", "release.bbx"])
            #expect(third.status == 0)
            #expect(try await world.writes().isEmpty, "\(third.stdout)")
        }
    }

    /// A run fails between its upload and the manifest update (the manifest read answers 500):
    /// the rollback run with the old file said `= unchanged` while the remote held the new one.
    @Test func aRollbackAfterAFailedManifestUpdateReplaces() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            #expect(try await world.bbx(["run", "release.bbx"]).status == 0)
            let old = try #require(world.contents("build/app-1.4.0-linux.zip"))
            try world.write("build/app-1.4.0-linux.zip", "version two, another size")
            // Planned (the manifest read), then the manifest's read during apply answers 500.
            #expect(try await world.bbx(["plan", "release.bbx", "-o", "plan.json"]).status == 0)
            try await world.serve.addFault(
                #"{"status": 500, "count": 50, "method": "GET", "path": "/2.0/repositories/acme/app/downloads/SHA256SUMS"}"#
            )
            let failed = try await world.bbx(["apply", "plan.json"])
            #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
            try await world.serve.clearFaults()
            #expect(
                try await ChecksumsEndToEndTests.fetch(world, "app-1.4.0-linux.zip")
                    == Data("version two, another size".utf8))

            try Data(old).write(to: world.folder.appendingPathComponent("build/app-1.4.0-linux.zip"))
            let rollback = try await world.bbx(["run", "release.bbx"])
            #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
            #expect(rollback.stdout.contains("~ replace  build/app-1.4.0-linux.zip"), "\(rollback.stdout)")
            #expect(try await ChecksumsEndToEndTests.fetch(world, "app-1.4.0-linux.zip") == old)
        }
    }

    /// A release with spaces in its names on a server that stores them as `_`: the manifest
    /// lists the stored names, so `sha256sum -c` on what a user downloads passes. The manifest's
    /// own name has a space too: found under its stored form on the next run (it was never
    /// found, and every run failed after 8 tries), and an upload over either form is refused.
    @Test func storedNamesOnAServerThatStoresSpacesAsUnderscores() async throws {
        try await EndToEnd.with(["--underscore-spaces"]) { world in
            try world.write("spaced/My App 1.10.0 (linux).tar.gz", "linux build")
            try world.write("spaced/My App 1.10.0 (macos).tar.gz", "macos build, longer")
            let script = """
                use acme/app
                checksums "SHA 256SUMS"
                upload "spaced/*.tar.gz" on conflict update

                """
            try world.write("spaced.bbx", script)
            let first = try await world.bbx(["run", "spaced.bbx"])
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            let remote = Set(try await world.remote().keys.map(\.text))
            #expect(
                remote == ["My_App_1.10.0_(linux).tar.gz", "My_App_1.10.0_(macos).tar.gz", "SHA_256SUMS"], "\(remote)")

            // What a user does: curl every artifact as listed, then sha256sum -c.
            let fetched = try BBXProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: fetched) }
            for name in remote {
                try await ChecksumsEndToEndTests.fetch(world, name).write(to: fetched.appendingPathComponent(name))
            }
            let check = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "-c", "--strict", "SHA_256SUMS"], in: fetched
            ).wait()
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect(check.stdout.contains("My_App_1.10.0_(linux).tar.gz: OK"), "\(check.stdout)")

            // The second run finds the manifest under its stored name and sends nothing.
            try await world.serve.clearRequests()
            let second = try await world.bbx(["run", "spaced.bbx"])
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            #expect(second.stdout.contains("= unchanged"), "\(second.stdout)")
            #expect(try await world.writes().isEmpty, "\(second.stdout)")

            // An upload over the manifest, in either form, is refused before anything is sent.
            try world.write("junk", "junk")
            for name in ["SHA 256SUMS", "SHA_256SUMS"] {
                let over = try await world.bbx([
                    "run", "-e",
                    "use acme/app\nchecksums \"SHA 256SUMS\"\nupload \"junk\" as \"\(name)\" on conflict replace",
                ])
                #expect(over.status == 65, "\(name): \(over.stdout)\(over.stderr)")
                #expect(over.stderr.contains("checksum manifest"), "\(over.stderr)")
            }
        }
    }

    /// Deletes made without `checksums` leave entries behind: `verify` names each orphan and
    /// fails; a delete of the gone name in a run that keeps the manifest drops its entry, and
    /// `sha256sum -c` on a download of everything is clean again.
    @Test func orphansAreReportedAndReconciled() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            #expect(try await world.bbx(["run", "release.bbx"]).status == 0)
            let gone = try await Curl.run(
                ChecksumsEndToEndTests.auth + [
                    "-X", "DELETE", "\(world.serve.api)/2.0/repositories/acme/app/downloads/app-1.4.0-macos.zip",
                ])
            #expect(gone.status == 204)

            let verify = try await world.bbx([
                "run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\nverify", "--json",
            ])
            #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any]
            let steps = (document?["report"] as? [String: Any])?["steps"] as? [[String: Any]] ?? []
            let orphan = steps.first { ($0["name"] as? String) == "app-1.4.0-macos.zip" }
            #expect(orphan?["orphan"] as? Bool == true, "\(verify.stdout)")
            #expect(orphan?["outcome"] as? String == "failed", "\(verify.stdout)")
            #expect((orphan?["error"] as? String)?.contains("no artifact has that name") == true, "\(verify.stdout)")

            let text = try await world.bbx(["run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\nverify"])
            #expect(text.stdout.contains("(listed in SHA256SUMS, but no artifact has that name)"), "\(text.stdout)")

            let reconcile = try await world.bbx([
                "run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\ndelete \"app-1.4.0-macos.zip\"",
            ])
            #expect(reconcile.status == 0, "\(reconcile.stdout)\(reconcile.stderr)")
            #expect(reconcile.stdout.contains("(1 to remove)"), "\(reconcile.stdout)")
            let manifest = try await ChecksumsEndToEndTests.manifest(world)
            #expect(!manifest.contains("app-1.4.0-macos.zip"), "\(manifest)")

            let fetched = try BBXProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: fetched) }
            for name in try await world.remote().keys.map(\.text) {
                try await ChecksumsEndToEndTests.fetch(world, name).write(to: fetched.appendingPathComponent(name))
            }
            let check = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "-c", "--strict", "SHA256SUMS"], in: fetched
            ).wait()
            #expect(check.status == 0 && !check.stderr.contains("WARNING"), "\(check.stdout)\(check.stderr)")
            #expect(try await world.bbx(["run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\nverify"]).status == 0)
        }
    }

    /// `verify` on artifacts none of which is in the manifest verified nothing, and said exit 0.
    @Test func aVerifyThatVerifiedNothingFails() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "stray.zip", size: 10)
            let verify = try await world.bbx(["run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\nverify"])
            #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("nothing was verified: none of the 1 artifact read is in SHA256SUMS"))
            // Every plan with a verify says it counts as a download on Bitbucket.
            #expect(verify.stdout.contains("which Bitbucket counts as a download"), "\(verify.stdout)")
        }
    }

    /// The plan said `(not in SHA256SUMS)` for an artifact uploaded earlier in the same run.
    @Test func aVerifyOfThisRunsUploadSaysSo() async throws {
        try await EndToEnd.with { world in
            let plan = try await world.bbx([
                "plan", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\nupload \"build/*.zip\"\nverify",
            ])
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("(uploaded earlier in this run)"), "\(plan.stdout)")
            #expect(!plan.stdout.contains("(not in SHA256SUMS)"), "\(plan.stdout)")
        }
    }

    /// A manifest bbx could not read back is never written: planning stops first, with the
    /// figures; one that is already too large is named with the way out that keeps it.
    @Test func aManifestPastTheLimitIsNeitherWrittenNorLost() async throws {
        try await EndToEnd.with { world in
            // 148 bytes short of 16 MiB: 61,908 lines of 271 bytes (200-digit names). The
            // release's two entries, each with its stamp, would take it past.
            let hash = String(repeating: "a", count: 64)
            let line = { (index: Int) in "\(hash)  \(String(format: "%0200d", index)).zip\n" }
            let near = (0..<61_908).map(line).joined()
            #expect(near.utf8.count == (16 << 20) - 148)
            try world.write("near/SHA256SUMS", near)
            let upload = { (path: String) in
                try await Curl.run(
                    ChecksumsEndToEndTests.auth + [
                        "-X", "POST", "\(world.serve.api)/2.0/repositories/acme/app/downloads", "-F", "files=@\(path)",
                    ], in: world.folder)
            }
            #expect(try await upload("near/SHA256SUMS").status == 201)
            try await world.serve.clearRequests()
            try world.write("release.bbx", Self.release)
            let run = try await world.bbx(["run", "release.bbx"])
            #expect(run.status == 65, "\(run.stdout)\(run.stderr)")
            #expect(
                run.stderr.contains(
                    "would grow to about 16.0 MiB with this run's 2 entries, more than the 16.0 MiB bbx reads back"),
                "\(run.stderr)")
            #expect(try await world.writes().isEmpty)

            try world.write("far/SHA256SUMS", near + (61_908..<62_000).map(line).joined())
            #expect(try await upload("far/SHA256SUMS").status == 201)
            let refused = try await world.bbx(["run", "release.bbx"])
            #expect(refused.status == 65, "\(refused.stderr)")
            #expect(refused.stderr.contains("download \"SHA256SUMS\" from acme/app"), "\(refused.stderr)")
        }
    }
}
