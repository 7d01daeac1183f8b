import BBXTestSupport
import Foundation
import Testing

/// Cleaning up a workspace: `repositories()`, the plan's request count, and runs that stop at
/// the budget (`--max-requests`, Bitbucket's 429s) and go on when run again.
@Suite("Workspaces and the hourly budget")
struct WorkspaceEndToEndTests {
    static let script = """
        for r in repositories("acme", "svc-*") {
            prune "nightly-*" in r keep 5
        }

        """

    /// `--repo` for `count` repositories `acme/svc-NNN`.
    static func repositories(_ count: Int) -> [String] {
        (1...count).flatMap { ["--repo", String(format: "acme/svc-%03d", $0)] }
    }

    /// Seeds `nightly` artifacts into each repository, a day apart (`nightly-01` the newest), and a
    /// release that no prune touches; returns the deletes a `keep 5` prune should plan.
    static func seed(_ world: EndToEnd, repositories count: Int, nightly: Int) async throws -> Set<String> {
        var seeds: [[String: Any]] = []
        var expected = Set<String>()
        for index in 1...count {
            let repository = String(format: "acme/svc-%03d", index)
            for day in 1...nightly {
                let name = String(format: "nightly-%02d.zip", day)
                seeds.append(["repo": repository, "name": name, "size": 64, "created_on": daysAgo(Double(day))])
                if day > 5 { expected.insert("\(repository) \(name)") }
            }
            seeds.append(["repo": repository, "name": "release-1.0.zip", "size": 64, "created_on": daysAgo(90)])
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: seeds), as: UTF8.self)
        let seeded = try await Curl.admin("POST", "\(world.serve.api)/_emulator/artifacts", json: json)
        #expect((200..<300).contains(seeded.status), "\(seeded.text)")
        return expected
    }

    /// The deletes of a `--json` plan, as `repository name`.
    static func deletes(_ stdout: String) -> Set<String> {
        let document = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        let steps = (document?["plan"] as? [String: Any])?["steps"] as? [[String: Any]] ?? []
        return Set(
            steps.filter { $0["kind"] as? String == "delete" }.map {
                "\($0["repository"] as? String ?? "") \($0["name"] as? String ?? "")"
            })
    }

    @Test func twoHundredFiftyRepositoriesArePlannedAndPrunedExactly() async throws {
        try await EndToEnd.with(Self.repositories(250)) { world in
            let expected = try await Self.seed(world, repositories: 250, nightly: 30)
            try world.write("cleanup.bbx", Self.script)
            try await world.serve.clearRequests()
            let plan = try await world.bbx(["plan", "cleanup.bbx", "--json"])
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(Self.deletes(plan.stdout) == expected)
            #expect(expected.count == 250 * 25)
            // 252 repositories (acme/app and acme/web too): three pages of 100; then one listing
            // per repository matched.
            let requests = try await world.serve.requests()
            #expect(requests.filter { $0.path == "/2.0/repositories/acme" }.count == 3)
            #expect(requests.count == 3 + 250, "\(requests.count) requests")
            let document = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
            let counted = (document?["plan"] as? [String: Any])?["requests"] as? [String: Any]
            #expect(counted?["planning"] as? Int == 253)
            // Each repository: 25 deletes, the listing before its first delete, the confirming one.
            #expect(counted?["applying"] as? Int == 250 * 27)
            // 747 requests a run are left after planning (253): ten runs.
            #expect(counted?["runs"] as? Int == 10)
            let perRepository = counted?["repositories"] as? [[String: Any]] ?? []
            #expect(perRepository.count == 251)
            #expect(
                perRepository.first { $0["target"] as? String == "acme/svc-007" }.map {
                    [$0["planning"] as? Int, $0["applying"] as? Int]
                } == [1, 27])

            let text = try await world.bbx(["plan", "cleanup.bbx"])
            #expect(
                text.stdout.contains(
                    "This apply needs 6,750 requests; Bitbucket allows about 1,000 an hour per credential: expect to run it 10 times (exit 75 until done)."
                ), "\(text.stdout.suffix(600))")

            try await world.serve.clearRequests()
            let run = try await world.bbx(["run", "cleanup.bbx", "--jobs", "8"])
            #expect(run.status == 0, "\(run.stdout.suffix(2000))\(run.stderr.suffix(2000))")
            #expect(run.stdout.contains("Applied: 6250 deleted"), "\(run.stdout.suffix(400))")
            let deletes = try await world.serve.requests().filter { $0.method == "DELETE" }
            #expect(deletes.count == 6250)
            #expect(Set(deletes.map(\.path)).count == 6250)
            for repository in ["acme/svc-001", "acme/svc-250"] {
                let left = try await world.remote(repository)
                #expect(left.count == 6, "\(repository): \(left.keys.map(\.text).sorted())")
            }
        }
    }

    /// Runs the cleanup until it exits 0 (at most `runs` times), checking that every run but
    /// the last stops cleanly with 75 and a report of what is left.
    static func runUntilDone(
        _ world: EndToEnd, arguments: [String], environment: [String: String] = [:], runs: Int,
        between: () async throws -> Void = {}
    ) async throws -> [Int32] {
        var statuses: [Int32] = []
        for _ in 1...runs {
            let run = try await world.bbx(["run", "cleanup.bbx"] + arguments, environment: environment)
            statuses.append(run.status)
            if run.status == 0 { break }
            #expect(run.status == 75, "\(run.stdout.suffix(1500))\(run.stderr.suffix(1500))")
            #expect(run.stdout.contains("Left: "), "\(run.stdout.suffix(800))")
            #expect(run.stdout.contains("running the script again plans only what is left"))
            #expect(!run.stdout.contains("failed"), "\(run.stdout.suffix(800))")
            try await between()
        }
        return statuses
    }

    @Test func bitbucketsHourlyLimitStopsARunCleanlyAndTheNextOneFinishes() async throws {
        // Basic credentials: Bitbucket tells access tokens (Bearer) that they are near the
        // limit, and bbx then slows down to the limit's pace (9 s a request at 400 an hour),
        // which is right for a real hour and too slow for a test; an API token runs into 429.
        let basic = [
            "BITBUCKET_TOKEN": "", "BITBUCKET_EMAIL": "ci@example.com", "BITBUCKET_API_TOKEN": "test-api-token",
        ]
        try await EndToEnd.with(
            Self.repositories(20) + ["--basic", "ci@example.com:test-api-token", "--rate-limit", "400"]
        ) { world in
            let expected = try await Self.seed(world, repositories: 20, nightly: 30)
            try world.write("cleanup.bbx", Self.script)
            try await world.serve.clearRequests()
            let statuses = try await Self.runUntilDone(world, arguments: [], environment: basic, runs: 2) {
                let reset = try await Curl.admin("DELETE", "\(world.serve.api)/_emulator/rate-limits")
                #expect(reset.status == 204)
            }
            #expect(statuses == [75, 0])
            let requests = try await world.serve.requests()
            let deletes = requests.filter { $0.method == "DELETE" && $0.status == 204 }
            #expect(deletes.count == expected.count)
            #expect(Set(deletes.map(\.path)).count == expected.count)
            // Each request refused is retried at most 5 times in all (the retry budget), and
            // only the requests in flight (--jobs 4) meet the limit before the run stops.
            let refused = requests.filter { $0.status == 429 }
            #expect(!refused.isEmpty && refused.count <= 4 * 5, "\(refused.count) answered 429")
            let refusedByPath = Dictionary(grouping: refused, by: \.path)
            #expect(refusedByPath.values.allSatisfy { $0.count <= 5 })
            for index in [1, 20] {
                #expect(try await world.remote(String(format: "acme/svc-%03d", index)).count == 6)
            }
        }
    }

    @Test func maxRequestsStopsBetweenStepsAndNothingIsDoneTwice() async throws {
        try await EndToEnd.with(Self.repositories(20)) { world in
            let expected = try await Self.seed(world, repositories: 20, nightly: 30)
            try world.write("cleanup.bbx", Self.script)
            try await world.serve.clearRequests()
            // Planning alone takes 21 requests; 561 in all, so four runs of 200.
            let statuses = try await Self.runUntilDone(
                world, arguments: ["--max-requests", "200"], runs: 6)
            #expect(statuses == [75, 75, 75, 0])
            let requests = try await world.serve.requests()
            #expect(!requests.contains { $0.status == 429 })
            let deletes = requests.filter { $0.method == "DELETE" }
            #expect(deletes.count == expected.count)
            #expect(Set(deletes.map(\.path)).count == expected.count)
            #expect(try await world.remote("acme/svc-010").count == 6)

            // The variable does the same; planning that alone needs more stops before any write.
            let starved = try await world.bbx(["run", "cleanup.bbx"], environment: ["BBX_MAX_REQUESTS": "10"])
            #expect(starved.status == 75, "\(starved.stderr)")
            #expect(starved.stderr.contains("--max-requests"), "\(starved.stderr)")
            #expect(starved.stderr.contains("nothing was changed"))
            let wrong = try await world.bbx(["run", "cleanup.bbx", "--max-requests", "0"])
            #expect(wrong.status == 64)
        }
    }

    @Test func anUnknownWorkspaceIsAPlanningErrorNamingIt() async throws {
        try await EndToEnd.with { world in
            try world.write("cleanup.bbx", "for r in repositories(\"nobody\") {\n    prune \"*\" in r keep 1\n}\n")
            let run = try await world.bbx(["run", "cleanup.bbx"])
            #expect(run.status == 65, "\(run.stderr)")
            #expect(run.stderr.contains("cleanup.bbx:1:10: error: workspace nobody does not exist"), "\(run.stderr)")
            try world.write("bad.bbx", "for r in repositories(\"no/such\") { list in r }\n")
            let bad = try await world.bbx(["run", "bad.bbx"])
            #expect(bad.status == 65)
            #expect(bad.stderr.contains("'no/such' is not a workspace"), "\(bad.stderr)")
        }
    }
}
