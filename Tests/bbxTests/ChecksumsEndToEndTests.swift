import BBXTestSupport
import Foundation
import Testing

/// `checksums`, `on conflict update` and `verify` against `bbx serve`, checked with the tools a
/// user checks a release with: curl to fetch, `sha256sum -c` to verify.
@Suite("Verified releases")
struct ChecksumsEndToEndTests {
    static let release = """
        use acme/app
        checksums "SHA256SUMS"
        upload "build/*.zip" on conflict update
        upload "dist/app.tar.gz" as "app 1.4.0 #1%.tar.gz" on conflict update

        """
    static let auth = ["-H", "Authorization: Bearer \(EndToEnd.token)"]

    /// Fetches an artifact as a user would (curl, following the redirect to storage).
    static func fetch(_ world: EndToEnd, _ name: String) async throws -> Data {
        let encoded = name.addingPercentEncoding(
            withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._")))!
        let result = try await Curl.run(
            auth + ["-L", "\(world.serve.api)/2.0/repositories/acme/app/downloads/\(encoded)"])
        #expect(result.status == 200, "\(name): \(result.status) \(result.text)")
        return result.body
    }

    /// The manifest as stored in Bitbucket.
    static func manifest(_ world: EndToEnd) async throws -> String {
        String(decoding: try await fetch(world, "SHA256SUMS"), as: UTF8.self)
    }

    @Test func aReleaseLeavesAManifestThatSha256sumAcceptsAndARerunUploadsNothing() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            let first = try await world.bbx(["run", "release.bbx"])
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(first.stdout.contains("# checksums SHA256SUMS"), "\(first.stdout)")
            #expect(first.stdout.contains("HTTP requests."), "the report ends with the request count")

            // What a user does after a release: fetch the artifacts and the manifest, then check.
            let fetched = try BBXProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: fetched) }
            let manifest = try await Self.manifest(world)
            try Data(manifest.utf8).write(to: fetched.appendingPathComponent("SHA256SUMS"))
            for name in ["app-1.4.0-linux.zip", "app-1.4.0-macos.zip", "app 1.4.0 #1%.tar.gz"] {
                try await Self.fetch(world, name).write(to: fetched.appendingPathComponent(name))
            }
            // An entry per artifact, each after its stamp (a `#` line sha256sum -c skips).
            let lines = manifest.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
            #expect(lines.count == 3, "\(manifest)")
            #expect(manifest.split(separator: "\n").filter { $0.hasPrefix("# bbx: size=") }.count == 3)
            #expect(lines.map { String($0.dropFirst(66)) } == lines.map { String($0.dropFirst(66)) }.sorted())
            let check = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "-c", "SHA256SUMS"], in: fetched
            ).wait()
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect(check.stdout.contains("app 1.4.0 #1%.tar.gz: OK"), "\(check.stdout)")

            // Nothing changed locally: the re-run reads the list and the manifest, and sends nothing.
            try await world.serve.clearRequests()
            let again = try await world.bbx(["run", "release.bbx"])
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(again.stdout.contains("= unchanged"), "\(again.stdout)")
            let requests = try await world.serve.requests()
            #expect(requests.filter { $0.method == "POST" }.isEmpty, "\(requests)")
            #expect(requests.filter { $0.path.hasSuffix("/downloads") && $0.method == "GET" }.count == 1, "\(requests)")

            // One file rebuilt: only it is sent, and the manifest says its new hash.
            try world.write("build/app-1.4.0-macos.zip", String(repeating: "N", count: 2000))
            try await world.serve.clearRequests()
            let rebuilt = try await world.bbx(["run", "release.bbx"])
            #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
            #expect(rebuilt.stdout.contains("~ replace  build/app-1.4.0-macos.zip"), "\(rebuilt.stdout)")
            #expect(rebuilt.stdout.contains("(differs from SHA256SUMS)"), "\(rebuilt.stdout)")
            let writes = try await world.writes()
            #expect(writes.count == 2, "the file and the manifest: \(writes)")
            let updated = try await Self.manifest(world)
            let newHash = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "build/app-1.4.0-macos.zip"], in: world.folder
            ).wait().stdout.prefix(64)
            #expect(updated.contains("\(newHash)  app-1.4.0-macos.zip\n"), "\(updated)")
        }
    }

    @Test func anArtifactReplacedBehindBbxsBackFailsVerifyAndItsDownloadLeavesNoFile() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            #expect(try await world.bbx(["run", "release.bbx"]).status == 0)
            // Someone replaces one artifact with curl.
            try world.write("other/app-1.4.0-linux.zip", "not the release")
            let replaced = try await Curl.run(
                Self.auth + [
                    "-X", "POST", "\(world.serve.api)/2.0/repositories/acme/app/downloads", "-F",
                    "files=@other/app-1.4.0-linux.zip",
                ], in: world.folder)
            #expect(replaced.status == 201)

            try world.write("verify.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\nverify \"app*\"\n")
            let verify = try await world.bbx(["run", "verify.bbx"])
            #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("✓ verify"), "\(verify.stdout)")
            #expect(verify.stdout.contains("app-1.4.0-linux.zip does not match SHA256SUMS"), "\(verify.stdout)")
            // Every artifact is checked, the mismatch does not stop the others.
            #expect(verify.stdout.contains("done    ✓ verify app-1.4.0-macos.zip"), "\(verify.stdout)")

            let json = try await world.bbx(["run", "verify.bbx", "--json"])
            #expect(json.status == 1)
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let steps = (document?["report"] as? [String: Any])?["steps"] as? [[String: Any]] ?? []
            #expect(steps.count == 3, "\(json.stdout)")
            #expect(steps.allSatisfy { ($0["sha256"] as? String)?.count == 64 }, "every hash: \(json.stdout)")

            try world.write(
                "get.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\ndownload \"app-1.4.0-*.zip\" to \"out/\"\n")
            let download = try await world.bbx(["run", "get.bbx", "--jobs", "1"])
            #expect(download.status == 1, "\(download.stdout)\(download.stderr)")
            #expect(download.stdout.contains("does not match SHA256SUMS"), "\(download.stdout)")
            let left =
                (try? FileManager.default.contentsOfDirectory(atPath: world.folder.appendingPathComponent("out").path))
                ?? []
            #expect(!left.contains("app-1.4.0-linux.zip"), "no file, not even a partial one: \(left)")
            #expect(!left.contains { $0.hasSuffix(".partial") }, "\(left)")
        }
    }

    @Test func twoRunsThatUpdateTheManifestAtOnceLoseNeithersEntries() async throws {
        try await EndToEnd.with { world in
            try world.write("a/one.zip", "one")
            try world.write("b/two.zip", "two")
            try world.write("one.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\nupload \"a/*.zip\"\n")
            try world.write("two.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\nupload \"b/*.zip\"\n")
            // Uploads slowed down, so that both runs read the manifest before either writes it.
            try await world.serve.addFault(
                #"{"delay_ms": 400, "count": 2, "method": "POST", "path": "/2.0/repositories/acme/app/downloads"}"#)
            async let one = world.bbx(["run", "one.bbx"])
            async let two = world.bbx(["run", "two.bbx"])
            let (first, second) = try await (one, two)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            let manifest = try await Self.manifest(world)
            #expect(manifest.contains("  one.zip\n") && manifest.contains("  two.zip\n"), "\(manifest)")
        }
    }

    @Test func theManifestNeverMatchesAPatternAndDeletesRemoveTheirEntries() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            #expect(try await world.bbx(["run", "release.bbx"]).status == 0)
            try world.write("prune.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\nprune \"*\" keep 1\n")
            let prune = try await world.bbx(["run", "prune.bbx"])
            #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
            let remote = try await world.remote()
            #expect(remote.keys.contains("SHA256SUMS"), "\(remote)")
            #expect(remote.count == 2, "one artifact and the manifest: \(remote)")
            let manifest = try await Self.manifest(world)
            let names = manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.dropFirst(66)) }
            #expect(names == remote.keys.map(\.text).filter { $0 != "SHA256SUMS" }, "\(manifest)")
        }
    }

    @Test func aSavedPlanRecordsTheChecksumsWhenApplied() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            let plan = try await world.bbx(["plan", "release.bbx", "-o", "plan.json"])
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            let saved = try #require(world.contents("plan.json"))
            let text = String(decoding: saved, as: UTF8.self)
            #expect(text.contains("\"kind\" : \"checksums\""), "\(text)")
            #expect(try await world.writes().isEmpty)
            let applied = try await world.bbx(["apply", "plan.json"])
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            let manifest = try await Self.manifest(world)
            #expect(manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 3, "\(manifest)")
        }
    }

    /// Another writer replaced the manifest between the API's redirect and the storage
    /// request: the link names a blob that is gone (storage 404), and bbx asks the API again.
    @Test func aManifestReplacedBetweenRedirectAndFetchIsAskedForAgain() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", Self.release)
            #expect(try await world.bbx(["run", "release.bbx"]).status == 0)
            try await world.serve.addFault(
                #"{"status": 404, "count": 1, "method": "GET", "path": "/*/downloads/*/SHA256SUMS"}"#)
            try world.write("verify.bbx", "use acme/app\nchecksums \"SHA256SUMS\"\nverify \"app*\"\n")
            let verify = try await world.bbx(["run", "verify.bbx"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            let statuses = try await world.serve.requests().map(\.status)
            #expect(statuses.contains(404), "the fault fired")
        }
    }

    @Test func updateWithoutChecksumsIsAPlanningError() async throws {
        try await EndToEnd.with { world in
            try world.write("r.bbx", "use acme/app\nupload \"build/*.zip\" on conflict update\n")
            let result = try await world.bbx(["run", "r.bbx"])
            #expect(result.status == 65, "\(result.stderr)")
            #expect(
                result.stderr.contains("'on conflict update' compares with a checksum manifest"), "\(result.stderr)")
            #expect(try await world.writes().isEmpty)
        }
    }
}
