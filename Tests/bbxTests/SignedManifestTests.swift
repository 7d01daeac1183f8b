import BBXTestSupport
import Foundation
import Minisign
import Testing

/// `checksums NAME signed` and `trust`: a manifest that a writer without the key cannot forge,
/// checked end to end against `bbx serve` and with the real `minisign`.
@Suite("Signed manifests")
struct SignedManifestTests {
    /// A key pair in a folder: the secret key encrypted with a cheap scrypt (the password path,
    /// without minisign's 1 GiB), and its public key.
    struct Keys {
        let secret: Minisign.SecretKey
        let secretFile: String
        let password = "release-pw-Xq7"
        var publicKey: String { secret.publicKey.base64 }

        init(in world: EndToEnd, name: String = "release") throws {
            secret = try Minisign.SecretKey.generate()
            secretFile = "\(name).key"
            try world.write(secretFile, try secret.fileText(password: password, opsLimit: 65536, memLimit: 1 << 24))
            try world.write("\(name).pub", secret.publicKey.fileText)
        }

        var environment: [String: String] {
            ["BBX_SIGNING_KEY_FILE": secretFile, "BBX_SIGNING_KEY_PASSWORD": password]
        }
    }

    static func release(trusting key: String) -> String {
        """
        use acme/app
        trust "\(key)"
        checksums "SHA256SUMS" signed
        upload "build/*.zip" on conflict update

        """
    }

    /// A signed release: `minisign -Vm SHA256SUMS -p release.pub` verifies what users download,
    /// and prints the build in the trusted comment; a re-run believes it and sends nothing.
    @Test func minisignVerifiesASignedRelease() async throws {
        try await EndToEnd.with { world in
            let keys = try Keys(in: world)
            try world.write("release.bbx", Self.release(trusting: keys.publicKey))
            var environment = keys.environment
            environment["BITBUCKET_BUILD_NUMBER"] = "42"
            let first = try await world.bbx(["run", "release.bbx"], environment: environment)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(first.stdout.contains("(2 to record, signed)"), "\(first.stdout)")

            let fetched = try BBXProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: fetched) }
            for name in ["SHA256SUMS", "SHA256SUMS.minisig"] {
                try await ChecksumsEndToEndTests.fetch(world, name).write(to: fetched.appendingPathComponent(name))
            }
            try Data(keys.secret.publicKey.fileText.utf8).write(to: fetched.appendingPathComponent("release.pub"))
            let check = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["minisign", "-Vm", "SHA256SUMS", "-p", "release.pub"],
                in: fetched
            ).wait()
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect(check.stdout.contains("file:SHA256SUMS\thashed\tbuild:42"), "\(check.stdout)")

            try await world.serve.clearRequests()
            let again = try await world.bbx(["run", "release.bbx"], environment: environment)
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(try await world.writes().isEmpty, "\(again.stdout)")
        }
    }

    /// Someone with a write token replaces SHA256SUMS (curl) with one listing a tampered
    /// artifact's hash, or replaces only the signature. With `trust`, planning stops naming the
    /// manifest and the key: nothing is downloaded or skipped. Without `trust`, behaviour is as
    /// before: the forged entry is believed and the tampered download passes its check, which is
    /// what `trust` is for.
    @Test func aForgedManifestOrSignatureIsNeverBelieved() async throws {
        try await EndToEnd.with { world in
            let keys = try Keys(in: world)
            try world.write("release.bbx", Self.release(trusting: keys.publicKey))
            #expect(try await world.bbx(["run", "release.bbx"], environment: keys.environment).status == 0)
            let genuine = try await ChecksumsEndToEndTests.manifest(world)

            // The attacker's artifact and a manifest that lists its hash, unsigned by the key.
            try await ManifestTrustTests.replaceWithCurl(world, "app-1.4.0-linux.zip", "tampered")
            let tamperedHash = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "other/app-1.4.0-linux.zip"], in: world.folder
            ).wait().stdout.prefix(64)
            let forged =
                genuine.split(separator: "\n").map { line in
                    line.hasSuffix("  app-1.4.0-linux.zip") ? "\(tamperedHash)  app-1.4.0-linux.zip" : String(line)
                }.joined(separator: "\n") + "\n"
            try await ManifestTrustTests.replaceWithCurl(world, "SHA256SUMS", forged)

            let download = """
                use acme/app
                trust key "release.pub"
                checksums "SHA256SUMS"
                download "app-*.zip" to "out/"

                """
            try world.write("download.bbx", download)
            try await world.serve.clearRequests()
            let refused = try await world.bbx(["run", "download.bbx"])
            #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
            #expect(
                refused.stderr.contains(
                    "SHA256SUMS in acme/app is not signed by a trusted key, so none of its entries is believed"),
                "\(refused.stderr)")
            #expect(refused.stderr.contains(keys.secret.publicKey.keyIDText), "\(refused.stderr)")
            #expect(world.contents("out/app-1.4.0-linux.zip") == nil)
            #expect(try await world.serve.requests().allSatisfy { !$0.path.hasSuffix(".zip") })

            // An update run is refused too: nothing is skipped on a forged entry.
            let update = try await world.bbx(["run", "release.bbx"], environment: keys.environment)
            #expect(update.status == 65, "\(update.stdout)\(update.stderr)")
            #expect(try await world.writes().isEmpty)

            // Without trust, the download checks the bytes against the (forged) entry: the
            // attacker's artifact passes that check, which is why `trust` exists.
            let untrusted = try await world.bbx([
                "run", "-e", "use acme/app\nchecksums \"SHA256SUMS\"\ndownload \"app-1.4.0-linux.zip\" to \"plain/\"",
            ])
            #expect(untrusted.status == 0, "\(untrusted.stdout)\(untrusted.stderr)")

            // The genuine manifest back, with a signature by another key: refused again.
            try await ManifestTrustTests.replaceWithCurl(world, "SHA256SUMS", genuine)
            let other = try Minisign.SecretKey.generate()
            let signature = try other.sign(Array(genuine.utf8), trustedComment: "file:SHA256SUMS").fileText
            try await ManifestTrustTests.replaceWithCurl(world, "SHA256SUMS.minisig", signature)
            let wrongKey = try await world.bbx(["run", "download.bbx"])
            #expect(wrongKey.status == 65, "\(wrongKey.stderr)")
            #expect(wrongKey.stderr.contains("signed with key \(other.publicKey.keyIDText)"), "\(wrongKey.stderr)")
        }
    }

    /// The key file from a pipe (`BBX_SIGNING_KEY_FILE=<(vault read …)`), which can be read
    /// once: bbx read it for the secrets it hides, then found it empty when signing.
    @Test func aKeyFileFromAPipeSigns() async throws {
        try await EndToEnd.with { world in
            let keys = try Keys(in: world)
            try world.write("release.bbx", Self.release(trusting: keys.publicKey))
            var environment = world.environment
            environment["BBX_SIGNING_KEY_PASSWORD"] = keys.password
            let result = try await ChildProcess(
                URL(fileURLWithPath: "/bin/bash"),
                [
                    "-c",
                    "BBX_SIGNING_KEY_FILE=<(cat \(keys.secretFile)) exec '\(BBXProcess.executable.path)' run release.bbx",
                ],
                environment: environment, in: world.folder
            ).wait()
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("(2 to record, signed)"), "\(result.stdout)")
        }
    }

    /// Two signed releases into one repository at once: no entry is lost, and the pair left
    /// behind verifies.
    @Test func twoConcurrentSignedReleasesKeepEveryEntryAndAValidSignature() async throws {
        try await EndToEnd.with { world in
            let keys = try Keys(in: world)
            for (folder, name) in [("a", "one.zip"), ("b", "two.zip")] {
                try world.write("\(folder)/\(name)", String(repeating: folder, count: 100))
                try world.write(
                    "\(folder).bbx",
                    "use acme/app\ntrust \"\(keys.publicKey)\"\nchecksums \"SHA256SUMS\" signed\nupload \"\(folder)/*.zip\"\n"
                )
            }
            async let one = world.bbx(["run", "a.bbx"], environment: keys.environment)
            async let two = world.bbx(["run", "b.bbx"], environment: keys.environment)
            let results = try await [one, two]
            for result in results { #expect(result.status == 0, "\(result.stdout)\(result.stderr)") }
            let manifest = try await ChecksumsEndToEndTests.manifest(world)
            #expect(manifest.contains("  one.zip\n") && manifest.contains("  two.zip\n"), "\(manifest)")
            let signature = String(
                decoding: try await ChecksumsEndToEndTests.fetch(world, "SHA256SUMS.minisig"), as: UTF8.self)
            try Minisign.Signature(signature).verify(Array(manifest.utf8), with: keys.secret.publicKey)
        }
    }

    /// The key's contents, its password and the decrypted key appear in no output, `--json`
    /// or history; scripts cannot read them; a wrong password is refused before any write.
    @Test func signingSecretsStaySecret() async throws {
        try await EndToEnd.with { world in
            let keys = try Keys(in: world)
            let keyText = try #require(world.contents(keys.secretFile)).split(separator: UInt8(ascii: "\n"))[1]
            let keyLine = String(decoding: keyText, as: UTF8.self)
            try world.write("release.bbx", Self.release(trusting: keys.publicKey))
            var environment = keys.environment
            environment["BBX_SIGNING_KEY"] = try String(
                contentsOf: world.folder.appendingPathComponent(keys.secretFile), encoding: .utf8)
            for json in [false, true] {
                let result = try await world.bbx(
                    ["run", "release.bbx"] + (json ? ["--json"] : []), environment: environment)
                let output = result.stdout + result.stderr
                #expect(!output.contains(keys.password), "\(output)")
                #expect(!output.contains(keyLine), "\(output)")
            }
            for name in ["BBX_SIGNING_KEY", "BBX_SIGNING_KEY_FILE", "BBX_SIGNING_KEY_PASSWORD"] {
                let read = try await world.bbx(["run", "-e", "print env(\"\(name)\")"], environment: environment)
                #expect(read.status == 65, "\(name): \(read.stdout)\(read.stderr)")
                #expect(read.stderr.contains("holds a credential"), "\(read.stderr)")
            }
            let printed = try await world.bbx(
                ["run", "-e", "print \"\(keys.password) \(keyLine)\""], environment: environment)
            #expect(!printed.stdout.contains(keys.password) && !printed.stdout.contains(keyLine), "\(printed.stdout)")

            try world.write("build/app-1.4.0-linux.zip", "rebuilt")
            try await world.serve.clearRequests()
            let wrong = try await world.bbx(
                ["run", "release.bbx"],
                environment: ["BBX_SIGNING_KEY_FILE": keys.secretFile, "BBX_SIGNING_KEY_PASSWORD": "nope"])
            #expect(wrong.status == 77, "\(wrong.stdout)\(wrong.stderr)")
            #expect(wrong.stderr.contains("password is wrong"), "\(wrong.stderr)")
            #expect(try await world.writes().isEmpty)
            let none = try await world.bbx(["run", "release.bbx"])
            #expect(none.status == 77, "\(none.stderr)")
            #expect(none.stderr.contains("needs the signing key"), "\(none.stderr)")
        }
    }

    /// `bbx keygen` makes a pair minisign signs and verifies with, and never replaces a key.
    @Test func keygenMakesAPairMinisignUses() async throws {
        try await EndToEnd.with { world in
            let made = try await world.bbx(["keygen", "-o", "ci", "--no-password"])
            #expect(made.status == 0, "\(made.stderr)")
            #expect(made.stdout.contains("trust \""), "\(made.stdout)")
            let again = try await world.bbx(["keygen", "-o", "ci", "--no-password"])
            #expect(again.status == 64)
            #expect(again.stderr.contains("ci.key exists"), "\(again.stderr)")
            try world.write("m", "manifest\n")
            let signed = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["minisign", "-S", "-s", "ci.key", "-m", "m"], in: world.folder
            ).wait()
            #expect(signed.status == 0, "\(signed.stdout)\(signed.stderr)")
            let verified = try await ChildProcess(
                URL(fileURLWithPath: "/usr/bin/env"), ["minisign", "-Vm", "m", "-p", "ci.pub"], in: world.folder
            ).wait()
            #expect(verified.status == 0, "\(verified.stderr)")
            let attributes = try FileManager.default.attributesOfItem(
                atPath: world.folder.appendingPathComponent("ci.key").path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }

    /// The REPL plans each entry on a fresh listing: a manifest declared `signed` in one entry
    /// is still signed by the upload of a later one (it was replaced unsigned, its signature
    /// left stale), as `bbx run` signs it.
    @Test func aReplEntryAfterTheDeclarationStillSigns() async throws {
        try await EndToEnd.with { world in
            let keys = try Keys(in: world)
            // A name as people write them: spaces, `#`, `[`, `%` and a non-ASCII letter.
            try world.write("build/app 1.4.0 #2 [ü] 100%.zip", "odd")
            let entries = ["use acme/app", "checksums \"SHA256SUMS\" signed", "upload \"build/*.zip\""]
            let session = try await BBXProcess.launch(
                ["repl"], environment: world.environment.merging(keys.environment) { $1 }, in: world.folder,
                stdin: entries.joined(separator: "\n") + "\n")
            #expect(session.status == 0, "\(session.stdout)\(session.stderr)")
            #expect(session.stdout.contains("(3 to record, signed)"), "\(session.stdout)")
            let manifest = try await ChecksumsEndToEndTests.fetch(world, "SHA256SUMS")
            #expect(String(decoding: manifest, as: UTF8.self).contains("  app 1.4.0 #2 [ü] 100%.zip\n"))
            let signature = String(
                decoding: try await ChecksumsEndToEndTests.fetch(world, "SHA256SUMS.minisig"), as: UTF8.self)
            #expect(throws: Never.self) {
                try Minisign.Signature(signature).verify(Array(manifest), with: keys.secret.publicKey)
            }
        }
    }
}
