import BBXTestSupport
import Foundation
import Testing

@testable import BitbucketEmulator

/// `GET /2.0/repositories/{workspace}` and `--rate-limit`: what `repositories()` and bbx's
/// request budget are tested against.
@Suite("Emulator: workspaces and the hourly limit")
struct WorkspaceAndRateLimitTests {
    static let bearer = ["-H", "Authorization: Bearer t"]
    static let basic = ["-u", "me@example.com:api-token"]

    static func start(
        repositories: [String], _ configure: (inout EmulatorConfiguration) -> Void = { _ in }
    ) async throws -> RunningEmulator {
        try await RunningEmulator.start { configuration in
            configuration.repositories = repositories
            configuration.tokens = [AccessToken(token: "t")]
            configuration.apiTokens = [APITokenCredential(email: "me@example.com", apiToken: "api-token")]
            configure(&configuration)
        }
    }

    @Test func aWorkspaceIsListedInPagesSortedByFullName() async throws {
        let names = (1...205).map { String(format: "acme/svc-%03d", $0) }.shuffled() + ["other/app"]
        let emulator = try await Self.start(repositories: names)
        defer { Task { await emulator.stop() } }
        var next: String? = "\(emulator.api)/2.0/repositories/acme?pagelen=100"
        var seen: [String] = []
        var pages = 0
        while let url = next {
            let page = try await Curl.run(Self.bearer + [url])
            #expect(page.status == 200)
            let json = page.json as? [String: Any] ?? [:]
            #expect(json["size"] as? Int == 205)
            for value in json["values"] as? [[String: Any]] ?? [] {
                seen.append(value["full_name"] as? String ?? "")
                #expect((value["uuid"] as? String)?.hasPrefix("{") == true)
                #expect(
                    value["slug"] as? String
                        == (value["full_name"] as? String)?.split(separator: "/").last.map(String.init))
            }
            next = json["next"] as? String
            pages += 1
        }
        #expect(pages == 3)
        #expect(seen == names.filter { $0.hasPrefix("acme/") }.sorted())
        // Bitbucket's default page length is 10, and at most 100.
        let small = try await Curl.run(Self.bearer + ["\(emulator.api)/2.0/repositories/acme"])
        #expect(((small.json as? [String: Any])?["values"] as? [Any])?.count == 10)
        #expect(try await Curl.run(Self.bearer + ["\(emulator.api)/2.0/repositories/acme?pagelen=101"]).status == 400)
    }

    @Test func anUnknownWorkspaceIs404AndACallerWithoutCredentialsIsRefused() async throws {
        let emulator = try await Self.start(repositories: ["acme/app"])
        defer { Task { await emulator.stop() } }
        let unknown = try await Curl.run(Self.bearer + ["\(emulator.api)/2.0/repositories/nobody"])
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("nobody"))
        #expect(try await Curl.run(["\(emulator.api)/2.0/repositories/acme"]).status == 401)
        #expect(
            try await Curl.run(["-H", "Authorization: Bearer wrong", "\(emulator.api)/2.0/repositories/acme"]).status
                == 401)
    }

    @Test func eachCredentialHasItsOwnHourAndTheResetStartsItAfresh() async throws {
        let emulator = try await Self.start(repositories: ["acme/app"]) {
            $0.rateLimit = 5
            $0.rateLimitUsed = 1
        }
        defer { Task { await emulator.stop() } }
        let downloads = emulator.downloads("acme/app")
        var statuses: [Int] = []
        var near: [String?] = []
        for _ in 1...5 {
            let answer = try await Curl.run(Self.bearer + [downloads])
            statuses.append(answer.status)
            near.append(answer.headers["x-ratelimit-nearlimit"])
            if answer.status == 200 {
                #expect(answer.headers["x-ratelimit-limit"] == "5")
                #expect(answer.headers["x-ratelimit-resource"] == "api")
            }
        }
        // One counted at start: four more pass, the fifth is refused as Bitbucket refuses it.
        #expect(statuses == [200, 200, 200, 200, 429])
        // From 80 % on: the fourth request (four of five counted) on.
        #expect(near == [nil, nil, "true", "true", "true"])
        let refused = try await Curl.run(Self.bearer + [downloads])
        #expect(refused.text == "Rate limit for this resource has been exceeded")
        #expect(refused.headers["retry-after"] == nil)
        // A credential the emulator does not accept is refused for what it is, not counted.
        #expect(try await Curl.run(["-H", "Authorization: Bearer wrong", downloads]).status == 401)
        // The workspace listing counts too: the budget is the credential's, not the endpoint's.
        #expect(try await Curl.run(Self.bearer + ["\(emulator.api)/2.0/repositories/acme"]).status == 429)
        // Another credential has its own hour, and Basic callers are told nothing of it.
        let other = try await Curl.run(Self.basic + [downloads])
        #expect(other.status == 200)
        #expect(other.headers["x-ratelimit-limit"] == nil)
        // Reset: every count starts afresh, the initial USED included.
        #expect(try await Curl.admin("DELETE", "\(emulator.api)/_emulator/rate-limits").status == 204)
        for _ in 1...5 { #expect(try await Curl.run(Self.bearer + [downloads]).status == 200) }
        #expect(try await Curl.run(Self.bearer + [downloads]).status == 429)
    }
}
