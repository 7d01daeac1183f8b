import BBXTestSupport
import BitbucketAPI
import BitbucketEmulator
import BitbucketModel
import Foundation
import Testing

/// An emulator with one repository and tokens of each kind, and clients pointed at it.
struct Harness {
    let emulator: RunningEmulator
    let folder: URL
    static let repository = RepositoryName(parsing: "acme/app")!
    static let connect = ConnectInstallation(
        appKey: "com.example.bbx", clientKey: "connection:42", sharedSecret: "s3cret-shared")

    static func start(_ configure: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> Harness {
        let emulator = try await RunningEmulator.start { configuration in
            configuration.repositories = ["acme/app", "acme/free"]
            configuration.tokens = [
                AccessToken(token: "write-token"), AccessToken(token: "read-token", scopes: .read),
            ]
            configuration.apiTokens = [
                APITokenCredential(email: "dev@example.com", apiToken: "api-token-1"),
                APITokenCredential(email: "reader@example.com", apiToken: "api-token-2", scopes: .read),
            ]
            configuration.freePlanWorkspaces = ["freebie"]
            configuration.connect = connect
            configuration.linkers = ["jira-keys"]
            configure(&configuration)
        }
        return Harness(emulator: emulator, folder: try BBXProcess.temporaryDirectory())
    }

    func stop() async {
        await emulator.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Fast retries, so that tests of them take milliseconds.
    static let quickRetries = RetryPolicy(
        maxAttempts: 4, initialDelay: .milliseconds(20), maxDelay: .milliseconds(100), maxTotalDelay: .seconds(5))

    func configuration(
        _ credential: Credential? = .accessToken(Secret("write-token")),
        _ adjust: (inout ClientConfiguration) -> Void = { _ in }
    ) -> ClientConfiguration {
        var configuration = ClientConfiguration()
        configuration.baseURL = emulator.api
        configuration.credential = credential
        configuration.connect = ConnectCredentials(
            appKey: Self.connect.appKey, clientKey: Self.connect.clientKey,
            sharedSecret: Secret(Self.connect.sharedSecret))
        configuration.retry = Self.quickRetries
        configuration.connectTimeout = .seconds(2)
        configuration.readTimeout = .seconds(5)
        adjust(&configuration)
        return configuration
    }

    /// Runs `body` with a client, and shuts the client down after.
    @discardableResult
    func withClient<T>(
        _ credential: Credential? = .accessToken(Secret("write-token")),
        _ adjust: (inout ClientConfiguration) -> Void = { _ in },
        _ body: (BitbucketClient) async throws -> T
    ) async throws -> T {
        let client = try BitbucketClient(configuration: configuration(credential, adjust))
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    // MARK: - Looking at the emulator from outside the client

    struct Logged: Decodable, Equatable {
        let method: String
        let path: String
        let query: String
        let status: Int
        let host: String
        let authorization: Bool
    }

    func requests() async throws -> [Logged] {
        let result = try await Curl.admin("GET", "\(emulator.api)/_emulator/requests")
        return try JSONDecoder().decode([Logged].self, from: result.body)
    }

    /// The request log once `condition` holds (polling: a delayed answer is logged when the
    /// emulator sends it, after the client gave up on it), or as it is after 15 s.
    func requests(until condition: ([Logged]) -> Bool) async throws -> [Logged] {
        var log = try await requests()
        for _ in 0..<300 where !condition(log) {
            try await Task.sleep(for: .milliseconds(50))
            log = try await requests()
        }
        return log
    }

    func clearRequests() async throws {
        try await Curl.admin("DELETE", "\(emulator.api)/_emulator/requests")
    }

    func addFault(_ json: String) async throws {
        let result = try await Curl.admin("POST", "\(emulator.api)/_emulator/faults", json: json)
        #expect(result.status == 201, "fault not added: \(result.text)")
    }

    func seed(_ name: String, size: Int, created: String? = nil, repo: String = "acme/app") async throws {
        var object: [String: Any] = ["repo": repo, "name": name, "size": size]
        if let created { object["created_on"] = created }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let result = try await Curl.admin("POST", "\(emulator.api)/_emulator/artifacts", json: json)
        #expect(result.status == 201, "seed failed: \(result.text)")
    }

    /// The remote list as curl sees it: name → size.
    func remote(_ repo: String = "acme/app") async throws -> [ExactName: Int] {
        let result = try await Curl.run([
            "-H", "Authorization: Bearer write-token", emulator.downloads(repo) + "?pagelen=100",
        ])
        let values = (result.json as? [String: Any])?["values"] as? [[String: Any]] ?? []
        return Dictionary(
            values.map { (ExactName($0["name"] as! String), $0["size"] as! Int) }, uniquingKeysWith: { a, _ in a })
    }

    /// A file of `size` bytes with content that differs from position to position.
    func file(_ name: String, size: Int, seed: UInt8 = 7) throws -> String {
        let url = folder.appendingPathComponent(name)
        var bytes = [UInt8](repeating: 0, count: size)
        var state = UInt32(seed) &* 2_654_435_761
        for index in bytes.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            bytes[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Files left in a folder (to see that nothing half-written stayed behind).
    func contents(of folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }
}

/// Runs `body` with a fresh harness, stopping it afterwards whatever happens.
func withHarness(
    _ configure: (inout EmulatorConfiguration) -> Void = { _ in }, _ body: (Harness) async throws -> Void
) async throws {
    let harness = try await Harness.start(configure)
    do {
        try await body(harness)
        await harness.stop()
    } catch {
        await harness.stop()
        throw error
    }
}

/// The BitbucketError a call ends with; records an issue when it succeeds or throws another error.
func bitbucketError(_ call: () async throws -> Void) async -> BitbucketError? {
    do {
        try await call()
        Issue.record("the call succeeded")
    } catch let error as BitbucketError {
        return error
    } catch {
        Issue.record("not a BitbucketError: \(error)")
    }
    return nil
}

/// A client of a Python server, with an access token and, if given, another retry policy.
func client(of server: ScriptedServer, token: String, retry: RetryPolicy? = nil) throws -> BitbucketClient {
    var configuration = ClientConfiguration()
    configuration.baseURL = server.url
    configuration.credential = .accessToken(Secret(token))
    if let retry { configuration.retry = retry }
    return try BitbucketClient(configuration: configuration)
}
