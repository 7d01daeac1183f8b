import BBXTestSupport
import BitbucketEmulator
import Foundation
import Testing

/// Every error the spec lists, with Bitbucket's status, body and headers.
@Suite("Emulator: error bodies")
struct ErrorBodyTests {
    static func start() async throws -> RunningEmulator {
        try await RunningEmulator.start { configuration in
            configuration.repositories = ["acme/app", "free/app"]
            configuration.tokens = [AccessToken(token: "reader", scopes: .read), AccessToken(token: "writer")]
            configuration.apiTokens = [
                APITokenCredential(email: "dev@example.com", apiToken: "api-secret", scopes: .read)
            ]
            configuration.freePlanWorkspaces = ["free"]
        }
    }

    @Test func credentials() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let downloads = emulator.downloads("acme/app")

        let badToken = try await Curl.run(["-H", "Authorization: Bearer nope", downloads])
        #expect(badToken.status == 401)
        #expect(badToken.errorMessage == "Token is invalid, expired, or not supported for this endpoint.")

        let badBasic = try await Curl.run(["-u", "dev@example.com:wrong", downloads])
        #expect(badBasic.status == 401)
        #expect(badBasic.headers["www-authenticate"] == "Basic realm=\"Bitbucket.org HTTP\"")

        // No Authorization at all: a private repository Bitbucket will not name.
        let none = try await Curl.run([downloads])
        #expect(none.status == 404)
        #expect(none.errorMessage?.hasPrefix("The requested repository either does not exist") == true)

        let goodBasic = try await Curl.run(["-u", "dev@example.com:api-secret", downloads])
        #expect(goodBasic.status == 200)
    }

    @Test func missingScopesNameRequiredAndGranted() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let downloads = emulator.downloads("acme/app")
        let token = try await Curl.run(["-H", "Authorization: Bearer reader", "-X", "DELETE", "\(downloads)/x.zip"])
        #expect(token.status == 403)
        #expect(token.errorMessage == "Your credentials lack one or more required privilege scopes.")
        let detail = ((token.json as? [String: Any])?["error"] as? [String: Any])?["detail"] as? [String: Any]
        #expect(detail?["required"] as? [String] == ["repository:write"])
        #expect(detail?["granted"] as? [String] == ["repository"])

        let basic = try await Curl.run([
            "-u", "dev@example.com:api-secret", "-X", "POST", downloads, "-F", "files=@/dev/null",
        ])
        let basicDetail = ((basic.json as? [String: Any])?["error"] as? [String: Any])?["detail"] as? [String: Any]
        #expect(basic.status == 403)
        #expect(basicDetail?["required"] as? [String] == ["write:repository:bitbucket"])
        #expect(basicDetail?["granted"] as? [String] == ["read:repository:bitbucket"])
    }

    @Test func repositoriesArtifactsAndBodies() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let writer = ["-H", "Authorization: Bearer writer"]

        let unknown = try await Curl.run(writer + [emulator.downloads("acme/nope")])
        #expect(unknown.status == 404)
        #expect(
            unknown.errorMessage?.hasPrefix("The requested repository either does not exist or you do not have access.")
                == true)

        let missing = try await Curl.run(writer + ["\(emulator.downloads("acme/app"))/missing.zip"])
        #expect(missing.status == 404)
        #expect(missing.errorMessage == "The specified download does not exist.")

        let notMultipart = try await Curl.run(
            writer + [
                "-X", "POST", "-H", "Content-Type: application/json", "--data", "{}", emulator.downloads("acme/app"),
            ])
        #expect(notMultipart.status == 406)

        let noFile = try await Curl.run(writer + ["-X", "POST", "-F", "other=value", emulator.downloads("acme/app")])
        #expect(noFile.status == 400)

        let freePlan = try await Curl.run(writer + [emulator.downloads("free/app")])
        #expect(freePlan.status == 402)
        #expect(freePlan.errorMessage?.contains("free plan") == true)

        let linkers = try await Curl.run(writer + ["\(emulator.api)/2.0/addon/linkers"])
        #expect(linkers.status == 403)
        #expect(linkers.errorMessage == "This API is only accessible with the following authentication types: jwt")
    }

    @Test func withoutAnyCredentialConfiguredEveryCallIs401() async throws {
        let emulator = try await RunningEmulator.start { $0.repositories = ["acme/app"] }
        defer { Task { await emulator.stop() } }
        #expect(
            try await Curl.run(["-H", "Authorization: Bearer anything", emulator.downloads("acme/app")]).status == 401)
    }
}
