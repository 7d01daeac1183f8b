import BBXTestSupport
import BitbucketAPI
import BitbucketModel
import Foundation
import Testing

@Suite("Client: errors a user can act on")
struct ErrorTests {
    let repo = Harness.repository

    /// The failure a call ends with.
    func failure(
        _ harness: Harness, _ credential: Credential?, _ call: @escaping (BitbucketClient) async throws -> Void
    ) async -> BitbucketError? {
        await bitbucketError { try await harness.withClient(credential) { try await call($0) } }
    }

    @Test func missingScopeSaysWhatIsLackingAndWhatWasGranted() async throws {
        try await withHarness { harness in
            let path = try harness.file("f", size: 10)
            let upload: (BitbucketClient) async throws -> Void = {
                try await $0.upload([UploadFile(path: path, name: "f.zip")], to: repo)
            }
            let token = await failure(harness, .accessToken(Secret("read-token")), upload)
            #expect(token?.cause == .credentials)
            #expect(
                token?.description
                    == "POST /2.0/repositories/acme/app/downloads: 403 Forbidden: the token lacks repository:write (granted: repository)"
            )
            let apiToken = await failure(
                harness, .apiToken(email: "reader@example.com", token: Secret("api-token-2")), upload)
            #expect(
                apiToken?.description
                    == "POST /2.0/repositories/acme/app/downloads: 403 Forbidden: the API token lacks write:repository:bitbucket (granted: read:repository:bitbucket)"
            )
        }
    }

    @Test func rejectedOrMissingCredentials() async throws {
        try await withHarness { harness in
            let list: (BitbucketClient) async throws -> Void = { _ = try await $0.artifacts(in: repo) }
            let bad = await failure(harness, .accessToken(Secret("wrong-token-value")), list)
            #expect(bad?.cause == .credentials)
            #expect(
                bad?.description
                    == "GET /2.0/repositories/acme/app/downloads: 401 Unauthorized: Token is invalid, expired, or not supported for this endpoint; check the access token (BITBUCKET_TOKEN or --token-file): it may be mistyped, expired or revoked"
            )
            #expect(bad?.description.contains("wrong-token-value") == false)
            let basic = await failure(harness, .apiToken(email: "dev@example.com", token: Secret("nope")), list)
            guard case .status(let rejected) = basic else { Issue.record("\(String(describing: basic))"); return }
            #expect(rejected.status == 401)
            #expect(
                rejected.description.hasSuffix(
                    "; check BITBUCKET_EMAIL and BITBUCKET_API_TOKEN: the email must be the Atlassian account's"))
            #expect(!rejected.description.contains("nope"))
            // Without any credential Bitbucket answers 404 (a private repository it will not
            // name); the client says no credential was configured.
            let none = await failure(harness, nil, list)
            #expect(none?.cause == .credentials)
            #expect(none?.description.contains("404 Not Found") == true, "\(String(describing: none))")
            #expect(
                none?.description.hasSuffix(
                    "; no credential was given: set BITBUCKET_TOKEN, or BITBUCKET_EMAIL with BITBUCKET_API_TOKEN")
                    == true)
            // A valid API token works.
            let artifacts = try await harness.withClient(
                .apiToken(email: "dev@example.com", token: Secret("api-token-1"))
            ) {
                try await $0.artifacts(in: repo)
            }
            #expect(artifacts.isEmpty)
        }
    }

    @Test func unknownRepositoryAndFreePlan() async throws {
        try await withHarness({ $0.repositories.append("freebie/site") }) { harness in
            let missing = await failure(harness, .accessToken(Secret("write-token"))) {
                _ = try await $0.artifacts(in: RepositoryName(parsing: "acme/nope")!)
            }
            #expect(
                missing?.description.hasPrefix(
                    "GET /2.0/repositories/acme/nope/downloads: 404 Not Found: The requested repository either does not exist or you do not have access."
                ) == true)
            #expect(missing?.cause != .credentials)
            let free = await failure(harness, .accessToken(Secret("write-token"))) {
                _ = try await $0.artifacts(in: RepositoryName(parsing: "freebie/site")!)
            }
            guard case .status(let failure) = free else { Issue.record("\(String(describing: free))"); return }
            #expect(failure.status == 402)
            #expect(failure.description.contains("402 Payment Required: This workspace is on the free plan"))
            // Said once: Bitbucket's message already names the plan, so no hint repeats it.
            #expect(!failure.description.contains("; the workspace's plan does not include Downloads"))
            #expect(failure.description.hasSuffix("Upgrade the workspace's plan to use Downloads"))
        }
    }

    @Test func persistentRateLimitGivesUpAfterTheRetryBudget() async throws {
        try await withHarness { harness in
            try await harness.addFault(#"{"status": 429}"#)
            try await harness.clearRequests()
            let error = await failure(harness, .accessToken(Secret("write-token"))) {
                _ = try await $0.artifacts(in: repo)
            }
            #expect(
                error?.description
                    == "GET /2.0/repositories/acme/app/downloads: 429 Too Many Requests: Rate limit for this resource has been exceeded; Bitbucket's rate limit (1,000 requests an hour per credential) was reached (gave up after 4 attempts)"
            )
            #expect(try await harness.requests().count == 4)
        }
    }

    @Test func aRefusedConnectionIsReportedQuicklyWithTheHost() async throws {
        // Not a freed ephemeral port: an emulator of a test running in parallel once took it,
        // and the request hung on that server instead of being refused.
        var configuration = ClientConfiguration()
        configuration.baseURL = "http://127.0.0.1:\(Tools.closedPort)"
        configuration.retry = .never
        // A refusal is reported when it happens, not when a long connect timeout runs out.
        configuration.connectTimeout = .seconds(30)
        let client = try BitbucketClient(configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        let started = ContinuousClock.now
        let error = await #expect(throws: BitbucketError.self) { _ = try await client.artifacts(in: repo) }
        #expect(ContinuousClock.now - started < configuration.connectTimeout)
        guard case .connection(let failure) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(failure.kind == .refused)
        #expect(failure.description.hasSuffix("/2.0/repositories/acme/app/downloads: connection refused"))
    }
}
