import BBXTestSupport
import BitbucketModel
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
        let changes: [ExactName: String?] = ["mine.zip": b, "gone.zip": nil, "new.zip": c]
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
}
