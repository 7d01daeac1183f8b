import BBXTestSupport
import Foundation
import Testing

/// Connect in its final year, as a user maintaining an existing installation meets it: the
/// deprecation said once, an export in `--json`, changes that change nothing planned as skips,
/// removed endpoints named as such, and half-set Connect variables that only matter to Connect.
@Suite("bbx: Connect in its final year")
struct ConnectFinalYearTests {
    static let installation = ["--connect", "bbx-app:connection:42:shh-secret", "--linker", "jira-issues"]
    static let connect = [
        "BITBUCKET_CONNECT_APP_KEY": "bbx-app", "BITBUCKET_CONNECT_CLIENT_KEY": "connection:42",
        "BITBUCKET_CONNECT_SHARED_SECRET": "shh-secret",
    ]

    @Test func addingAPresentValueAndRemovingAnAbsentOneAreSkips() async throws {
        try await EndToEnd.with(Self.installation) { world in
            let first = try await world.bbx(
                ["run", "-e", #"linker "jira-issues" add "OPS""#], environment: Self.connect)
            #expect(first.status == 0, "\(first.stderr)")
            // Once per run, however many linker statements.
            let again = try await world.bbx(
                [
                    "run", "-e",
                    "linker \"jira-issues\" values\nlinker \"jira-issues\" add \"OPS\"\nlinker \"jira-issues\" remove 999",
                ],
                environment: Self.connect)
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(again.stdout.contains("= skip"), "\(again.stdout)")
            #expect(again.stdout.contains("OPS is already a value of linker jira-issues, skipped"))
            #expect(again.stdout.contains("linker jira-issues has no value 999, skipped"))
            let notes = (again.stdout + again.stderr).components(separatedBy: "May 2026").count - 1
            #expect(notes == 1, "\(again.stdout)\(again.stderr)")
            #expect((again.stdout + again.stderr).contains("December 2026"))
            try await world.serve.clearRequests()
            _ = try await world.bbx(["run", "-e", #"linker "jira-issues" add "OPS""#], environment: Self.connect)
            #expect(try await world.writes().isEmpty)
        }
    }

    /// An installation's state exported before it is removed: data, not lines.
    @Test func connectReadsAreStructuredInJSON() async throws {
        try await EndToEnd.with(Self.installation) { world in
            _ = try await world.bbx(
                ["run", "-e", #"linker "jira-issues" set ["PROJ", "OPS"]"#], environment: Self.connect)
            let export = try await world.bbx(
                ["run", "--json", "-e", "linkers\nlinker \"jira-issues\" values"], environment: Self.connect)
            #expect(export.status == 0, "\(export.stderr)")
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
            let output = try #require(document["output"] as? [[String: Any]])
            let linkers = try #require(output.first?["linkers"] as? [[String: Any]])
            #expect(linkers.first?["key"] as? String == "jira-issues")
            let values = try #require(output.last?["values"] as? [[String: Any]])
            #expect(values.compactMap { $0["value"] as? String } == ["PROJ", "OPS"])
            #expect(values.allSatisfy { $0["id"] is Int })
            #expect(output.last?["linker_key"] as? String == "jira-issues")
        }
    }

    @Test func removedLinkerEndpointsAreNamedAsSuch() async throws {
        try await EndToEnd.with(Self.installation + ["--linkers-removed"]) { world in
            let read = try await world.bbx(["run", "-e", #"linker "jira-issues" values"#], environment: Self.connect)
            #expect(read.status == 1, "\(read.stderr)")
            #expect(read.stderr.contains("Bitbucket has removed the linker endpoints"), "\(read.stderr)")
            #expect(!read.stderr.contains("does not exist"))
            // The app itself is still there.
            let update = try await world.bbx(["run", "-e", "addon update"], environment: Self.connect)
            #expect(update.status == 0, "\(update.stderr)")
        }
    }

    /// Half the Connect variables set: a Downloads script does not care; a Connect one says
    /// what is missing, exit 77, without usage text.
    @Test func partialConnectVariablesOnlyMatterToConnectScripts() async throws {
        try await EndToEnd.with(Self.installation) { world in
            let partial = ["BITBUCKET_CONNECT_APP_KEY": "bbx-app"]
            let downloads = try await world.bbx(["run", "-e", "list in acme/app"], environment: partial)
            #expect(downloads.status == 0, "\(downloads.stderr)")
            let connect = try await world.bbx(["run", "-e", "linkers"], environment: partial)
            #expect(connect.status == 77, "\(connect.stderr)")
            #expect(
                connect.stderr.contains("BITBUCKET_CONNECT_CLIENT_KEY and BITBUCKET_CONNECT_SHARED_SECRET are not set"))
            #expect(!connect.stderr.contains("USAGE"))
        }
    }
}
