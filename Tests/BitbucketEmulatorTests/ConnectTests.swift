import BBXTestSupport
import BitbucketEmulator
import ConnectJWT
import Foundation
import Testing

/// The Connect app endpoints behind JWT verification.
@Suite("Emulator: Connect")
struct ConnectTests {
    static let installation = ConnectInstallation(
        appKey: "com.example.myapp", clientKey: "connection:123", sharedSecret: "shared-secret-123")

    static func start() async throws -> RunningEmulator {
        try await RunningEmulator.start { configuration in
            configuration.connect = installation
            configuration.linkers = ["jira"]
        }
    }

    /// curl arguments for a signed call.
    static func signed(
        _ method: String, _ emulator: RunningEmulator, _ path: String, query: String = "", json: String? = nil,
        secret: String = installation.sharedSecret, signedPath: String? = nil
    ) -> [String] {
        let request = CanonicalRequest(method: method, path: signedPath ?? path, rawQuery: query)
        let token = ConnectJWT.token(
            for: request, appKey: installation.appKey, clientKey: installation.clientKey, sharedSecret: secret)
        var arguments = [
            "-X", method, "-H", "Authorization: JWT \(token)", emulator.api + path + (query.isEmpty ? "" : "?\(query)"),
        ]
        if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
        return arguments
    }

    @Test func jwtIsAcceptedAndRejected() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let ok = try await Curl.run(Self.signed("GET", emulator, "/2.0/addon/linkers", query: "pagelen=10"))
        #expect(ok.status == 200)
        #expect(((ok.json as? [String: Any])?["values"] as? [[String: Any]])?.first?["key"] as? String == "jira")

        #expect(try await Curl.run(Self.signed("GET", emulator, "/2.0/addon/linkers", secret: "wrong")).status == 401)
        // The token may come as a query parameter too; it is left out of the query string hash.
        let inQuery = ConnectJWT.token(
            for: CanonicalRequest(method: "GET", path: "/2.0/addon/linkers", rawQuery: "pagelen=5"),
            appKey: Self.installation.appKey, clientKey: Self.installation.clientKey,
            sharedSecret: Self.installation.sharedSecret)
        #expect(try await Curl.run(["\(emulator.api)/2.0/addon/linkers?pagelen=5&jwt=\(inQuery)"]).status == 200)
        // Signed for another request: the query string hash does not match.
        #expect(
            try await Curl.run(Self.signed("GET", emulator, "/2.0/addon/linkers", signedPath: "/2.0/addon")).status
                == 401)
        // The documented token expired long ago.
        let documented =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjb20uZXhhbXBsZS5teWFwcCIsInN1YiI6ImNvbm5lY3Rpb246MTIzIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAxODAsInFzaCI6IjQyMjg3Y2QwZWIxYTY3NWM2YjM2YWFmMzk4NjBhMzFiYTlkMTZhNTUzZjAwNzQzYjdkMTA5YWU1MDFkMmIzYmEifQ.WD9bbDEl_OZS1zocrk7HUaCFRsJr9WVlUmUcpOmLjpY"
        let expired = try await Curl.run([
            "-H", "Authorization: JWT \(documented)", "\(emulator.api)/2.0/addon/linkers",
        ])
        #expect(expired.status == 401)
        #expect(expired.errorMessage == "Invalid JWT: the token has expired")
        // Signed with the right secret, but claiming to be another app.
        let otherApp = ConnectJWT.token(
            for: CanonicalRequest(method: "GET", path: "/2.0/addon/linkers"), appKey: "com.example.other",
            clientKey: Self.installation.clientKey, sharedSecret: Self.installation.sharedSecret)
        let impostor = try await Curl.run(["-H", "Authorization: JWT \(otherApp)", "\(emulator.api)/2.0/addon/linkers"])
        #expect(impostor.status == 401)
        let bearer = try await Curl.run(["-H", "Authorization: Bearer x", "\(emulator.api)/2.0/addon"])
        #expect(bearer.status == 403)
    }

    @Test func updatingAndDeletingTheApp() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        #expect(try await Curl.run(Self.signed("PUT", emulator, "/2.0/addon", json: "{}")).status == 204)
        let descriptor =
            #"{"descriptor":{"key":"com.example.myapp","scopes":["repository"],"modules":{"linkers":[{"key":"tickets","regex":"T-[0-9]+","url":"https://t.example/\\1","type":"href"}]}}}"#
        #expect(try await Curl.run(Self.signed("PUT", emulator, "/2.0/addon", json: descriptor)).status == 204)
        #expect(try await Curl.run(Self.signed("GET", emulator, "/2.0/addon/linkers/tickets")).status == 200)
        #expect(
            try await Curl.run(
                Self.signed("PUT", emulator, "/2.0/addon", json: #"{"descriptor_url":"https://x.example/d.json"}"#)
            ).status == 204)
        let both = try await Curl.run(
            Self.signed("PUT", emulator, "/2.0/addon", json: #"{"descriptor":{},"descriptor_url":"https://x"}"#))
        #expect(both.status == 400)
        let noScopes = try await Curl.run(
            Self.signed("PUT", emulator, "/2.0/addon", json: #"{"descriptor":{"scopes":[]}}"#))
        #expect(noScopes.errorMessage == "Scopes have increased or decreased to none.")
        #expect(try await Curl.run(Self.signed("DELETE", emulator, "/2.0/addon")).status == 204)
        #expect(try await Curl.run(Self.signed("GET", emulator, "/2.0/addon/linkers")).status == 401)
    }

    @Test func linkerValues() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let values = "/2.0/addon/linkers/jira/values"
        let added = try await Curl.run(Self.signed("POST", emulator, values, json: #"{"value":"PROJ"}"#))
        #expect(added.status == 201)
        let id = try #require((added.json as? [String: Any])?["id"] as? Int)
        let duplicate = try await Curl.run(Self.signed("POST", emulator, values, json: #"{"value":"PROJ"}"#))
        #expect(duplicate.status == 409)
        #expect(duplicate.errorMessage == "The linker already has the value being added.")
        #expect(
            try await Curl.run(Self.signed("POST", emulator, values, json: #"{"value":"not valid!"}"#)).status == 400)

        let one = try await Curl.run(Self.signed("GET", emulator, "\(values)/\(id)"))
        #expect((one.json as? [String: Any])?["value"] as? String == "PROJ")

        #expect(
            try await Curl.run(Self.signed("PUT", emulator, values, json: #"["PROJ", {"value": "OPS"}]"#)).status == 204
        )
        let listed = try await Curl.run(Self.signed("GET", emulator, values)).json as? [String: Any]
        let entries = listed?["values"] as? [[String: Any]] ?? []
        #expect(entries.compactMap { $0["value"] as? String } == ["PROJ", "OPS"])
        #expect(entries.first?["id"] as? Int == id)

        #expect(try await Curl.run(Self.signed("DELETE", emulator, "\(values)/\(id)")).status == 204)
        let gone = try await Curl.run(Self.signed("GET", emulator, "\(values)/\(id)"))
        #expect(gone.status == 404)
        #expect(gone.errorMessage == "The linker value does not exist.")
        #expect(try await Curl.run(Self.signed("DELETE", emulator, values)).status == 204)
        #expect(
            ((try await Curl.run(Self.signed("GET", emulator, values)).json as? [String: Any])?["values"] as? [Any])?
                .isEmpty == true)

        let noLinker = try await Curl.run(Self.signed("GET", emulator, "/2.0/addon/linkers/nope/values"))
        #expect(noLinker.status == 404)
        #expect(noLinker.errorMessage == "The linker does not exist.")
    }
}
