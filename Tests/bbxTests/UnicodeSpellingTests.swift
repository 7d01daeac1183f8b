import BBXTestSupport
import BitbucketModel
import Foundation
import Testing

/// `café.zip` can be spelled two ways in Unicode: `é` as one code point (what Linux tools and
/// most keyboards write) or `e` followed by a combining accent (what macOS file systems hand
/// out). Bitbucket keeps the two as two artifacts, and so must bbx and its emulator: Swift's
/// String equality holds them equal, which once made `list` show one of two artifacts, `prune`
/// miscount, an upload of a new name fail as a conflict, and the emulator list one twice.
@Suite("Names that differ only in their Unicode spelling")
struct UnicodeSpellingTests {
    static let composed = "caf\u{E9}.zip"
    static let decomposed = "cafe\u{301}.zip"

    @Test func theEmulatorListsAndStoresBothSpellings() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", Self.composed, size: 10, created: daysAgo(2))
            try await world.serve.seed("acme/app", Self.decomposed, size: 20, created: daysAgo(1))
            #expect(try await world.remote() == [ExactName(Self.composed): 10, ExactName(Self.decomposed): 20])

            // Both in one upload request (curl): two artifacts, not one replacing the other.
            try world.write("one", "1")
            try world.write("two", "22")
            let upload = try await Curl.run(
                ["-H", "Authorization: Bearer \(EndToEnd.token)"]
                    + ["-F", "files=@\(world.folder.path)/one;filename=\(Self.composed)"]
                    + ["-F", "files=@\(world.folder.path)/two;filename=\(Self.decomposed)"]
                    + ["\(world.serve.api)/2.0/repositories/acme/web/downloads"])
            #expect(upload.status == 201, "\(upload.text)")
            #expect(
                try await world.remote("acme/web") == [ExactName(Self.composed): 1, ExactName(Self.decomposed): 2])
        }
    }

    @Test func listDeleteUploadAndPruneTellTheSpellingsApart() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", Self.composed, size: 10, created: daysAgo(2))
            try await world.serve.seed("acme/app", Self.decomposed, size: 20, created: daysAgo(1))

            let list = try await world.bbx(["run", "-e", "list \"caf*\" in acme/app"])
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.contains("2 artifacts"), "\(list.stdout)")

            // A literal name deletes the artifact of that spelling only.
            let delete = try await world.bbx(["run", "-e", "delete \"\(Self.decomposed)\" from acme/app"])
            #expect(delete.status == 0, "\(delete.stdout)\(delete.stderr)")
            #expect(try await world.remote() == [ExactName(Self.composed): 10])

            // Uploading the other spelling is a new artifact, not a conflict under `fail`, and
            // the check after apply finds it.
            try world.write(Self.decomposed, "12345")
            let upload = try await world.bbx(["run", "-e", "upload \"\(Self.decomposed)\" to acme/app"])
            #expect(upload.status == 0, "\(upload.stdout)\(upload.stderr)")
            #expect(try await world.remote() == [ExactName(Self.composed): 10, ExactName(Self.decomposed): 5])

            // Two artifacts for `keep 1`: the older goes.
            let prune = try await world.bbx(["run", "-e", "prune \"caf*\" in acme/app keep 1"])
            #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
            #expect(try await world.remote() == [ExactName(Self.decomposed): 5])
        }
    }

    @Test func theManifestHasALineForEachSpellingAndSha256sumAcceptsIt() async throws {
        try await EndToEnd.with { world in
            try world.write("build/\(Self.composed)", "composed")
            try world.write("build/\(Self.decomposed)", "decomposed, longer")
            let release = try await world.bbx([
                "run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\nupload \"build/caf*\"",
            ])
            #expect(release.status == 0, "\(release.stdout)\(release.stderr)")
            // Each line (64 + 2 + the name + 1) after its stamp (`# bbx: size=N created_on=` and
            // the 32 characters of a time with microseconds and its offset, and a line end).
            let stamps = "# bbx: size=8 created_on=".utf8.count * 2 + 1 + 2 * (32 + 1)
            #expect(
                try await world.remote()
                    == [ExactName(Self.composed): 8, ExactName(Self.decomposed): 18, "SHA256SUMS": 76 + 77 + stamps])

            // Downloaded and verified against the manifest, each to its own file.
            let download = try await world.bbx([
                "run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\ndownload \"caf*\" to \"out/\"",
            ])
            #expect(download.status == 0, "\(download.stdout)\(download.stderr)")
            #expect(world.contents("out/\(Self.composed)") == Data("composed".utf8))
            #expect(world.contents("out/\(Self.decomposed)") == Data("decomposed, longer".utf8))
            let fetched = try await world.bbx(["run", "-e", "download \"SHA256SUMS\" from acme/app to \"out/\""])
            #expect(fetched.status == 0, "\(fetched.stderr)")
            let check = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "-c", "SHA256SUMS"],
                in: world.folder.appendingPathComponent("out")
            ).wait()
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect(check.stdout.split(separator: "\n").count == 2, "\(check.stdout)")
        }
    }
}
