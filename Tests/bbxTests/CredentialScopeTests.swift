import BBXTestSupport
import Foundation
import Testing

/// A credential that cannot write is known from the listing's headers: the plan is refused
/// before its first write, naming the steps, the scope they need and the scopes held.
@Suite("Scopes known before the first write")
struct CredentialScopeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let serve: [String]
        let environment: [String: String]
        let needed: String
        let held: String
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "a read-only access token", serve: ["--token", "reader:repository"],
            environment: ["BITBUCKET_TOKEN": "reader"], needed: "repository:write",
            held: "(repo_access_token) holds repository"),
        Case(
            name: "an API token without write",
            serve: ["--basic", "dev@example.com:api-tok:read:repository:bitbucket"],
            environment: [
                "BITBUCKET_TOKEN": "", "BITBUCKET_EMAIL": "dev@example.com", "BITBUCKET_API_TOKEN": "api-tok",
            ],
            needed: "write:repository:bitbucket", held: "(api_token) holds read:repository:bitbucket"),
    ]

    @Test(arguments: cases)
    func aPlanTheCredentialCannotRunIsRefusedBeforeAnyWrite(_ testCase: Case) async throws {
        try await EndToEnd.with(testCase.serve) { world in
            try await world.serve.seed("acme/app", "app-1.0.0.tar.gz", size: 10, created: daysAgo(3))
            try world.write("release.bbx", RunCommandTests.release)
            try await world.serve.clearRequests()
            let result = try await world.bbx(["run", "release.bbx"], environment: testCase.environment)
            #expect(result.status == 77, "\(result.stderr)")
            #expect(result.stderr.contains("the credential cannot change acme/app's Downloads"), "\(result.stderr)")
            #expect(result.stderr.contains("upload app-1.4.0-linux.zip (release.bbx:3)"), "\(result.stderr)")
            #expect(result.stderr.contains("need \(testCase.needed)"), "\(result.stderr)")
            #expect(result.stderr.contains(testCase.held), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was changed"))
            #expect(try await world.writes().isEmpty, "no POST or DELETE may be sent")
            // Reading still works with the same credential, and a preview only warns: a read-only
            // token is what a pull request's pipeline previews with.
            let list = try await world.bbx(["run", "-e", "list in acme/app"], environment: testCase.environment)
            #expect(list.status == 0, "\(list.stderr)")
            let preview = try await world.bbx(["plan", "release.bbx"], environment: testCase.environment)
            #expect(preview.status == 0, "\(preview.stderr)")
            #expect(preview.stderr.contains("bbx: warning: the credential cannot change acme/app's Downloads"))
            #expect(preview.stderr.contains("applying this plan needs that scope"))
            #expect(try await world.writes().isEmpty)
        }
    }

    /// `bbx apply` lists again before applying a saved plan, and refuses it the same way.
    @Test func aSavedPlanIsRefusedBeforeAnyWriteToo() async throws {
        try await EndToEnd.with(["--token", "reader:repository"]) { world in
            try world.write("release.bbx", RunCommandTests.release)
            let planned = try await world.bbx(["plan", "release.bbx", "-o", "plan.json"])
            #expect(planned.status == 0, "\(planned.stderr)")
            try await world.serve.clearRequests()
            let applied = try await world.bbx(["apply", "plan.json"], environment: ["BITBUCKET_TOKEN": "reader"])
            #expect(applied.status == 77, "\(applied.stderr)")
            #expect(applied.stderr.contains("need repository:write"), "\(applied.stderr)")
            #expect(try await world.writes().isEmpty)
        }
    }

    /// With the write scope, the same run goes through: the check refuses nothing it can do.
    @Test func aCredentialThatCanWriteRunsAsBefore() async throws {
        try await EndToEnd.with { world in
            try world.write("release.bbx", RunCommandTests.release)
            let result = try await world.bbx(["run", "release.bbx"])
            #expect(result.status == 0, "\(result.stderr)")
        }
    }
}
