import BBXTestSupport
import Foundation
import Testing

/// Release series against `bbx serve`: a prune that never undoes its own plan, versions,
/// `latest`, `newest` and `exact`.
@Suite("Release series")
struct ReleaseSeriesTests {
    /// A release script with `checksums`, `on conflict update` and `prune keep 3`, run three
    /// times on the same build folder. Run 2 deleted `app-1.9.2.zip`, which it had just
    /// confirmed; run 3 uploaded it again and deleted another. Now runs 2 and 3 change nothing,
    /// and the plan says why the prune keeps what it keeps.
    @Test func aReleaseRunAgainChangesNothing() async throws {
        try await EndToEnd.with { world in
            for (index, version) in ["1.9.2", "1.10.0", "2.0.0-rc.1", "2.0.0"].enumerated() {
                try world.write("series/app-\(version).zip", String(repeating: "v", count: 100 + index))
            }
            try world.write(
                "release.bbx",
                """
                use acme/app
                checksums "SHA256SUMS"
                upload "series/*.zip" on conflict update
                prune "app-*.zip" keep 3

                """)
            let first = try await world.bbx(["run", "release.bbx"])
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            for run in 2...3 {
                try await world.serve.clearRequests()
                let again = try await world.bbx(["run", "release.bbx"])
                #expect(again.status == 0, "run \(run): \(again.stdout)\(again.stderr)")
                #expect(try await world.writes().isEmpty, "run \(run): \(again.stdout)")
                #expect(again.stdout.contains("(kept: confirmed by line 3)"), "run \(run): \(again.stdout)")
            }
            #expect(try await world.remote().count == 5)
        }
    }

    /// The series of the issue, seeded in an adversarial creation order: the hotfix 1.9.3 is
    /// newer than 2.0.0, a release candidate came after its release, and `app-latest.zip` is
    /// the newest of all.
    static func seedSeries(_ world: EndToEnd) async throws {
        let series: [(String, Double)] = [
            ("app-1.9.2.zip", 40), ("app-1.10.0.zip", 30), ("app-2.0.0.zip", 20), ("app-2.0.0-rc.1.zip", 10),
            ("app-1.9.3.zip", 1), ("app-latest.zip", 0.5),
        ]
        for (name, days) in series { try await world.serve.seed("acme/app", name, size: 100, created: daysAgo(days)) }
    }

    /// The names a plan (`--json`) deletes and downloads.
    static func planned(_ world: EndToEnd, _ code: String) async throws -> (
        deleted: [String], downloaded: [String], notes: String
    ) {
        let result = try await world.bbx(["plan", "--json", "-e", "use acme/app\n" + code])
        #expect(result.status == 0, "\(code): \(result.stdout)\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let steps = (document["plan"] as? [String: Any])?["steps"] as? [[String: Any]] ?? []
        func names(_ kind: String) -> [String] {
            steps.filter { $0["kind"] as? String == kind }.compactMap { $0["name"] as? String }.sorted()
        }
        return (names("delete"), names("download"), result.stdout)
    }

    @Test func versionsDecideWhatIsKeptAndWhatIsLatest() async throws {
        try await EndToEnd.with { world in
            try await Self.seedSeries(world)
            let byVersion = try await Self.planned(world, #"prune "app-*.zip" keep 2 by version"#)
            #expect(byVersion.deleted == ["app-1.10.0.zip", "app-1.9.2.zip", "app-1.9.3.zip"])
            #expect(byVersion.notes.contains("no version, never deleted by a version rule: 'app-latest.zip'"))

            let perMinor = try await Self.planned(world, #"prune "app-*.zip" keep 1 per minor"#)
            #expect(perMinor.deleted == ["app-1.9.2.zip", "app-2.0.0-rc.1.zip"])

            let union = try await Self.planned(
                world, #"prune "app-*.zip" keep 1 by version keep 1 per major older than 15d"#)
            #expect(union.deleted == ["app-1.9.2.zip"])

            // By upload time, the hotfix and the candidate would push 2.0.0's neighbours out.
            let newest = try await Self.planned(world, #"prune "app-*.zip" keep 3"#)
            #expect(newest.deleted == ["app-1.10.0.zip", "app-1.9.2.zip", "app-2.0.0.zip"])

            let latest = try await Self.planned(world, #"download latest("app-*.zip") to "out/""#)
            #expect(latest.downloaded == ["app-2.0.0.zip"])
            let newestOne = try await Self.planned(world, #"download newest("app-*.zip") to "out/""#)
            #expect(newestOne.downloaded == ["app-latest.zip"])

            // Applied: exactly those, and app-latest.zip untouched.
            let applied = try await world.bbx([
                "run", "-e",
                "use acme/app\nprune \"app-*.zip\" keep 2 by version\ndownload latest(\"app-*.zip\") to \"out/\"",
            ])
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            #expect(
                Set(try await world.remote().keys.map(\.text))
                    == ["app-2.0.0.zip", "app-2.0.0-rc.1.zip", "app-latest.zip"])
            #expect(world.contents("out/app-2.0.0.zip") != nil)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: world.folder.appendingPathComponent("out").path)
                    == ["app-2.0.0.zip"])

            // Versions in expressions: a loop deletes old pre-releases.
            let loop = try await Self.planned(
                world,
                "for a in artifacts(\"app-*.zip\") { if a.version.prerelease and a.age > 5d { delete a } }\nprint (newest(\"app-*\").version ?? \"none\")"
            )
            #expect(loop.deleted == ["app-2.0.0-rc.1.zip"], "\(loop.notes)")
        }
    }

    /// A name holding `[x64]` given through `--var` is a glob class unless made exact.
    @Test func aNameWithBracketsDownloadsThroughExact() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "app [x64] 1.0.zip", size: 10)
            let plain = try await world.bbx(
                ["run", "-e", "use acme/app\ndownload name to \"out/\"", "--var", "name=app [x64] 1.0.zip"])
            #expect(plain.status == 65, "\(plain.stdout)\(plain.stderr)")
            #expect(plain.stderr.contains("exact("), "\(plain.stderr)")
            let exact = try await world.bbx(
                ["run", "-e", "use acme/app\ndownload exact(name) to \"out/\"", "--var", "name=app [x64] 1.0.zip"])
            #expect(exact.status == 0, "\(exact.stdout)\(exact.stderr)")
            #expect(world.contents("out/app [x64] 1.0.zip") != nil)
        }
    }
}
