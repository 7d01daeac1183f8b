import BBXTestSupport
import BitbucketAPI
import BitbucketModel
import Foundation
import Testing

/// The `/2.0/addon*` calls, each signed with a JWT the emulator verifies (issuer, signature,
/// expiry and the query hash of exactly that request).
@Suite("Client: Connect app calls")
struct ConnectTests {
    @Test func linkerValuesFromFirstToLast() async throws {
        try await withHarness { harness in
            try await harness.withClient { client in
                #expect(try await client.linkers().map(\.key) == ["jira-keys"])
                #expect(try await client.linker("jira-keys").key == "jira-keys")
                #expect(try await client.linkerValues("jira-keys").isEmpty)

                let proj = try #require(try await client.addLinkerValue("jira-keys", value: "PROJ"))
                #expect(proj.value == "PROJ")
                try await client.addLinkerValue("jira-keys", value: "OPS")
                #expect(try await client.linkerValues("jira-keys").map(\.value) == ["PROJ", "OPS"])
                #expect(try await client.linkerValue("jira-keys", id: proj.id) == proj)

                // 409 "already has the value": the goal is met (added since the plan was made).
                #expect(try await client.addLinkerValue("jira-keys", value: "PROJ") == nil)
                #expect(try await client.linkerValues("jira-keys").map(\.value) == ["PROJ", "OPS"])

                try await client.replaceLinkerValues("jira-keys", with: ["A", "B", "C"])
                let replaced = try await client.linkerValues("jira-keys")
                #expect(replaced.map(\.value) == ["A", "B", "C"])
                try await client.deleteLinkerValue("jira-keys", id: replaced[1].id)
                #expect(try await client.linkerValues("jira-keys").map(\.value) == ["A", "C"])
                let gone = await bitbucketError { _ = try await client.linkerValue("jira-keys", id: replaced[1].id) }
                #expect(gone?.description.hasSuffix("404 Not Found: The linker value does not exist.") == true)

                try await client.deleteLinkerValues("jira-keys")
                #expect(try await client.linkerValues("jira-keys").isEmpty)

                let unknown = await bitbucketError { _ = try await client.linker("no-such-linker") }
                #expect(
                    unknown?.description
                        == "GET /2.0/addon/linkers/no-such-linker: 404 Not Found: The linker does not exist.")
                let invalid = await bitbucketError {
                    try await client.replaceLinkerValues("jira-keys", with: ["has space"])
                }
                #expect(invalid?.description.hasSuffix("400 Bad Request: Invalid input.") == true)
            }
            // Every call carried a JWT, and none was a Downloads credential.
            let log = try await harness.requests()
            #expect(log.count == 18)
            #expect(log.allSatisfy { $0.authorization && $0.path.hasPrefix("/2.0/addon/linkers") })
        }
    }

    @Test func updateTheAppThreeWaysThenDeleteIt() async throws {
        try await withHarness { harness in
            try await harness.withClient { client in
                try await client.updateApp(.refresh)
                try await client.updateApp(.descriptorURL("https://ci.example.com/atlassian-connect.json"))
                // An inline descriptor redefines the linkers.
                try await client.updateApp(
                    .descriptor(
                        #"{"key": "com.example.bbx", "scopes": ["repository"], "modules": {"linkers": [{"key": "builds", "regex": "B-\\d+", "url": "https://ci.example.com/$0", "type": "href"}]}}"#
                    ))
                let linker = try await client.linker("builds")
                #expect(linker.regex == #"B-\d+"#)
                #expect(linker.url == "https://ci.example.com/$0")

                let noScopes = await bitbucketError { try await client.updateApp(.descriptor(#"{"scopes": []}"#)) }
                #expect(
                    noScopes?.description
                        == "PUT /2.0/addon: 400 Bad Request: Scopes have increased or decreased to none.")
                let notJSON = await bitbucketError { try await client.updateApp(.descriptor("[1, 2")) }
                #expect(notJSON?.description.contains("not a JSON object") == true)

                try await client.deleteApp()
                // The app is gone: its JWTs are no longer accepted.
                let afterDelete = await bitbucketError { _ = try await client.linkers() }
                #expect(afterDelete?.cause == .credentials)
            }
            let log = try await harness.requests()
            #expect(
                log.map { "\($0.method) \($0.path) \($0.status)" } == [
                    "PUT /2.0/addon 204", "PUT /2.0/addon 204", "PUT /2.0/addon 204",
                    "GET /2.0/addon/linkers/builds 200",
                    "PUT /2.0/addon 400", "DELETE /2.0/addon 204", "GET /2.0/addon/linkers 401",
                ])
        }
    }

    @Test func aWrongSharedSecretIsRejectedAndNeverShown() async throws {
        try await withHarness { harness in
            let error = await bitbucketError {
                try await harness.withClient(
                    nil,
                    {
                        $0.connect = ConnectCredentials(
                            appKey: "com.example.bbx", clientKey: "connection:42",
                            sharedSecret: Secret("wrong-secret-value"))
                    }
                ) { _ = try await $0.linkers() }
            }
            #expect(error?.cause == .credentials)
            #expect(
                error?.description.hasSuffix(
                    "; check the Connect credentials (BITBUCKET_CONNECT_APP_KEY, BITBUCKET_CONNECT_CLIENT_KEY, BITBUCKET_CONNECT_SHARED_SECRET)"
                ) == true)
            #expect(error?.description.contains("wrong-secret-value") == false)
            #expect(error?.description.hasPrefix("GET /2.0/addon/linkers: 401 Unauthorized") == true)
        }
    }

    @Test func withoutConnectCredentialsNothingIsSent() async throws {
        try await withHarness { harness in
            let error = await bitbucketError {
                try await harness.withClient(.accessToken(Secret("write-token")), { $0.connect = nil }) {
                    _ = try await $0.linkers()
                }
            }
            #expect(error?.description.hasPrefix("Connect calls need BITBUCKET_CONNECT_APP_KEY") == true)
            let log = try await harness.requests()
            #expect(log.isEmpty)
        }
    }
}
