import BBXPlan
import Testing

/// Versions read from artifact names, and their order.
@Suite("Versions")
struct VersionTests {
    /// Name (and pattern, when one is in use) → the version read, or nil.
    static let table: [(name: String, pattern: String?, version: String?)] = [
        ("app-1.9.2.zip", nil, "1.9.2"),
        ("app-1.10.0.zip", nil, "1.10.0"),
        ("app-2.0.0-rc.1.zip", nil, "2.0.0-rc.1"),
        ("app-2.0.0-rc.1.zip", "app-*.zip", "2.0.0-rc.1"),
        ("app-2.0.0.zip", "app-*.zip", "2.0.0"),
        ("app-latest.zip", nil, nil),
        ("app-latest.zip", "app-*.zip", nil),
        ("nightly-2026.12.07.zip", nil, "2026.12.07"),
        ("app-v1.2.3.tar.gz", nil, "v1.2.3"),
        ("app-V1.2.tgz", nil, "V1.2"),
        ("app-1.2.3+build.5.zip", nil, "1.2.3+build.5"),
        ("app-1.2.3-beta+exp.sha.5114f85.zip", nil, "1.2.3-beta+exp.sha.5114f85"),
        (
            "app-1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay.zip", nil,
            "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay"
        ),
        ("x64-app-3.4.5.zip", nil, "3.4.5"),
        ("app2-1.0.zip", nil, "1.0"),
        ("app 1.4.0 #1%.tar.gz", nil, "1.4.0"),
        ("My_App_1.10.0_(linux).tar.gz", nil, "1.10.0"),
        ("app-1.0.0-linux-x86_64.tar.xz", "app-*-linux-x86_64.tar.xz", "1.0.0"),
        ("app-1.0.0-linux-x86_64.tar.xz", nil, "1.0.0-linux-x86"),  // `_` ends an identifier: give the pattern
        ("app-10.0.0.tar.gz", "app-*.tar.gz", "10.0.0"),
        ("release_5.zip", nil, "5"),
        ("readme.txt", nil, nil),
        ("SHA256SUMS", nil, nil),
        ("app.1.2.zip", nil, "1.2"),
        ("app-1.2.3.minisig", nil, "1.2.3"),
        ("app-1.2.3.zip.sha256", nil, "1.2.3"),
        ("app-0.0.1-0.zip", nil, "0.0.1-0"),
        ("app-1.0.0-0A.is.legal.zip", nil, "1.0.0-0A.is.legal"),
        ("app-1.2.3----RC-SNAPSHOT.12.9.1--.12.zip", nil, "1.2.3----RC-SNAPSHOT.12.9.1--.12"),
        (
            "app-99999999999999999999999.999999999999999999.99999999999999999.zip", nil,
            "99999999999999999999999.999999999999999999.99999999999999999"
        ),
        ("app-2.0.0-rc.10.zip", "app-*.zip", "2.0.0-rc.10"),
        ("app-1.0.0-.zip", nil, "1.0.0"),
        ("app-1..2.zip", nil, "1"),
        ("app-.zip", "app-*.zip", nil),
        ("café-1.0.zip", nil, "1.0"),
        // The pattern's prefix is compared by code point, as globs match: in the other Unicode
        // spelling it does not capture, and the whole name is read.
        ("caf\u{E9}-1.0.0-linux_x86.zip", "caf\u{E9}-*-linux_x86.zip", "1.0.0"),
        ("cafe\u{301}-1.0.0-linux_x86.zip", "caf\u{E9}-*-linux_x86.zip", "1.0.0-linux"),
        ("app-1.0.0-rc.1.ZIP", nil, "1.0.0-rc.1"),
        ("v1", nil, "v1"),
        ("lib-4.5.6-SNAPSHOT.jar", nil, "4.5.6-SNAPSHOT"),
        ("tool_1.2.3_amd64.deb", nil, "1.2.3"),
        ("tool-1.2.3-1.el9.x86_64.rpm", nil, "1.2.3-1.el9.x86"),
        ("app-[x64]-1.0.zip", nil, "1.0"),
        ("build-42.log", nil, "42"),
    ]

    @Test func namesReadAsVersions() {
        #expect(Self.table.count >= 40)
        for row in Self.table {
            #expect(
                Version.read(from: row.name, pattern: row.pattern)?.text == row.version,
                "\(row.name) with \(row.pattern ?? "no pattern")")
        }
    }

    /// semver.org's precedence examples, in order, and the series the issue names.
    static let ordered: [[String]] = [
        ["1.0.0", "2.0.0", "2.1.0", "2.1.1"],
        [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0",
        ],
        ["1.0.0-alpha", "1.0.0"],
        ["1.9.2", "1.10.0"],
        ["2.0.0-rc.2", "2.0.0-rc.10", "2.0.0"],
        ["1.9.2", "1.9.3", "1.10.0", "2.0.0-rc.1", "2.0.0"],
        ["2026.12.07", "2026.12.8", "2027.1.1"],
    ]

    @Test func semverOrgsPrecedenceExamples() throws {
        for series in Self.ordered {
            let versions = try series.map { try #require(Version($0), "\($0)") }
            for (a, b) in zip(versions, versions.dropFirst()) {
                #expect(Version.compare(a, b) == -1, "\(a) < \(b)")
                #expect(Version.compare(b, a) == 1, "\(b) > \(a)")
            }
        }
    }

    @Test func equalPrecedence() throws {
        let pairs = [("3.1", "3.1.0"), ("1.0.0+build.1", "1.0.0+build.2"), ("v1.2", "1.2.0"), ("01.2", "1.2")]
        for (a, b) in pairs {
            #expect(Version.compare(try #require(Version(a)), try #require(Version(b))) == 0, "\(a) = \(b)")
        }
    }

    /// Over every pair and triple of a pool of versions (numbers of different lengths,
    /// pre-releases numeric and alphanumeric, builds): the order is total, antisymmetric and
    /// transitive, and agrees with a sort.
    @Test func theOrderIsTotalAntisymmetricAndTransitive() throws {
        let numbers = ["0", "1", "1.0", "1.2", "1.10", "1.2.3", "1.2.3.4", "2", "10.0.0", "v2.0"]
        let suffixes = ["", "-0", "-1", "-10", "-2", "-alpha", "-alpha.1", "-alpha.beta", "-beta.11", "-rc.1", "+b7"]
        let pool = try numbers.flatMap { n in try suffixes.map { try #require(Version(n + $0), "\(n + $0)") } }
        for a in pool {
            #expect(Version.compare(a, a) == 0)
            for b in pool {
                let ab = Version.compare(a, b)
                #expect(ab == -Version.compare(b, a), "\(a) vs \(b)")
                #expect([-1, 0, 1].contains(ab))
            }
        }
        for a in pool {
            for b in pool where Version.compare(a, b) <= 0 {
                for c in pool where Version.compare(b, c) <= 0 {
                    #expect(Version.compare(a, c) <= 0, "\(a) ≤ \(b) ≤ \(c)")
                }
            }
        }
    }
}
