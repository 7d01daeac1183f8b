import BBXTestSupport
import BitbucketModel
import Crypto
import Foundation
import Testing

/// The manifest bbx keeps must read and write exactly as GNU `sha256sum` does, names from
/// Bitbucket included (spaces, `%`, `#`, quotes, non-ASCII, backslashes, line breaks).
@Suite("Checksum manifest")
struct ChecksumManifestTests {
    static let names = [
        "app-1.4.0.zip", "my app (final) #2 100%.zip", "naïve-日本.tar.gz", "quote\"d 'x'.bin", "back\\slash.zip",
        "line\nbreak.zip", "tab\there.zip", "-leading-dash.zip",
        // Two spellings of café (two files, two artifacts), and a name that begins with a
        // combining mark (one Character with the space before it).
        "caf\u{E9}.zip", "cafe\u{301}.zip", "\u{301}accent-first.zip",
    ]

    @Test func whatSha256sumWritesIsReadAndWrittenBackByteForByte() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, name) in Self.names.enumerated() {
            try Data(String(repeating: "\(index)", count: index + 1).utf8).write(
                to: folder.appendingPathComponent(name))
        }
        // sha256sum in the C locale, names sorted bytewise as bbx sorts them.
        let sorted = Self.names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let result = try await ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "--"] + sorted, environment: ["LC_ALL": "C"],
            in: folder
        ).wait()
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try ChecksumManifest(parsing: result.stdout)
        #expect(manifest.count == Self.names.count, "one entry per file, whatever its Unicode spelling")
        #expect(Set(names: manifest.names) == Set(names: Self.names))
        #expect(manifest.text == result.stdout, "bbx writes what sha256sum wrote")

        // And sha256sum -c accepts what bbx writes.
        try Data(manifest.text.utf8).write(to: folder.appendingPathComponent("SHA256SUMS"))
        let check = try await ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", "-c", "SHA256SUMS"], in: folder
        ).wait()
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test(arguments: [
        ("zz  a.zip\n", 1, "does not start with a SHA-256"),
        (String(repeating: "a", count: 64) + " a.zip\n", 1, "expected two spaces"),
        (String(repeating: "a", count: 64) + "  \n", 1, "has no name"),
        ("\n" + String(repeating: "g", count: 64) + "  a.zip\n", 2, "does not start with a SHA-256"),
        (
            String(repeating: "a", count: 64) + "  a.zip\n" + String(repeating: "b", count: 64) + "  a.zip\n", 2,
            "second time"
        ),
        ("\\" + String(repeating: "a", count: 64) + "  a\\x.zip\n", 1, "an escape other than"),
    ])
    func whatIsNotAManifestIsRefusedWithItsLine(_ text: String, _ line: Int, _ reason: String) {
        #expect {
            _ = try ChecksumManifest(parsing: text)
        } throws: { error in
            guard let problem = error as? ChecksumManifest.Problem else { return false }
            return problem.line == line && problem.reason.contains(reason)
        }
    }

    @Test func mergingKeepsOtherWritersEntriesAndAppliesThisRunsOnTop() throws {
        let a = String(repeating: "a", count: 64)
        let b = String(repeating: "b", count: 64)
        let c = String(repeating: "C", count: 64)
        let theirs = ChecksumManifest(entries: ["theirs.zip": a, "gone.zip": a, "mine.zip": a])
        let changes: [ExactName: ChecksumManifest.Entry?] = [
            "mine.zip": .init(sha256: b, stamp: nil), "gone.zip": nil, "new.zip": .init(sha256: c, stamp: nil),
        ]
        let merged = theirs.merging(changes)
        #expect(merged == ChecksumManifest(entries: ["theirs.zip": a, "mine.zip": b, "new.zip": c.lowercased()]))
        #expect(merged.holds(changes))
        #expect(!theirs.holds(changes))
        // Binary-mode lines (`*name`) read as the same entries.
        let binary = try ChecksumManifest(parsing: "\(a) *x.zip\n")
        #expect(binary == ChecksumManifest(entries: ["x.zip": a]))
        // Lines ended by CR LF (a manifest written on Windows) read as sha256sum -c reads them.
        let windows = try ChecksumManifest(parsing: "\(a)  x.zip\r\n\(b)  y.zip\r\n")
        #expect(windows == ChecksumManifest(entries: ["x.zip": a, "y.zip": b]))
    }

    /// Each entry carries the listing of the upload it was made for, as a `#` line that
    /// `sha256sum -c` skips; it reads back, and only that listing is believed.
    @Test func stampsRoundTripAndDecideBelief() throws {
        let a = String(repeating: "a", count: 64)
        var manifest = ChecksumManifest()
        let stamp = ChecksumManifest.Stamp(size: 3, createdOn: "2026-12-07T10:00:00.123456+00:00")
        manifest.set("My App 1.0 (linux).zip", .init(sha256: a, stamp: stamp))
        manifest.set("line\nbreak.zip", .init(sha256: a, stamp: stamp))
        manifest["plain.zip"] = a
        #expect(
            manifest.text == """
                # bbx: size=3 created_on=2026-12-07T10:00:00.123456+00:00
                \(a)  My App 1.0 (linux).zip
                # bbx: size=3 created_on=2026-12-07T10:00:00.123456+00:00
                \\\(a)  line\\nbreak.zip
                \(a)  plain.zip

                """)
        let read = try ChecksumManifest(parsing: manifest.text)
        #expect(read == manifest)
        #expect(read.stamp(of: "plain.zip") == nil)
        func listed(_ name: String, _ size: Int64, _ created: String) -> Artifact {
            Artifact(name: name, size: size, created: Date(), createdOn: created)
        }
        #expect(read.believed(listed("My App 1.0 (linux).zip", 3, stamp.createdOn)) == a)
        // Replaced since: another size, or the same size uploaded again later.
        #expect(read.believed(listed("My App 1.0 (linux).zip", 4, stamp.createdOn)) == nil)
        #expect(read.believed(listed("My App 1.0 (linux).zip", 3, "2026-12-07T11:00:00.000001+00:00")) == nil)
        // An entry without a stamp says nothing of which upload it was for.
        #expect(read.believed(listed("plain.zip", 3, stamp.createdOn)) == nil)
        // Other comments are skipped, as sha256sum -c skips them; a stamp binds only the next line.
        let other = try ChecksumManifest(parsing: "# written by hand\n# bbx: size=3 created_on=x\n\n\(a)  b.zip\n")
        #expect(other.stamp(of: "b.zip") == ChecksumManifest.Stamp(size: 3, createdOn: "x"))
    }

    /// The real tool reads what bbx writes, stamps and all, with `--strict`.
    @Test func sha256sumChecksAManifestWithStamps() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = Data("hello\n".utf8)
        try bytes.write(to: folder.appendingPathComponent("My App 1.0.zip"))
        var manifest = ChecksumManifest()
        manifest.set(
            "My App 1.0.zip",
            .init(
                sha256: SHA256.hash(data: bytes).hex,
                stamp: .init(size: 6, createdOn: "2026-12-07T10:00:00.123456+00:00")))
        try Data(manifest.text.utf8).write(to: folder.appendingPathComponent("SHA256SUMS"))
        let result = try await ChildProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "cd '\(folder.path)' && sha256sum -c --strict SHA256SUMS"]
        ).wait()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "My App 1.0.zip: OK\n")
    }
}
