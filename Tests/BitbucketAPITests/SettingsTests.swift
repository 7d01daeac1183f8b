import BitbucketAPI
import BitbucketModel
import Foundation
import Logging
import Synchronization
import Testing

/// The settings users give through the environment, and what the client says about them:
/// never a secret.
@Suite("Client: settings and redaction")
struct SettingsTests {
    struct EnvironmentCase: CustomTestStringConvertible, Sendable {
        let environment: [String: String]
        let expected: String
        var testDescription: String { environment.keys.sorted().joined(separator: " ") }
    }

    static let environmentCases: [EnvironmentCase] = [
        .init(environment: [:], expected: "url https://api.bitbucket.org, credential none"),
        .init(
            environment: ["BITBUCKET_TOKEN": "tok-123", "BITBUCKET_URL": "http://127.0.0.1:7990"],
            expected: "url http://127.0.0.1:7990, credential access token"),
        .init(
            environment: ["BITBUCKET_EMAIL": "dev@example.com", "BITBUCKET_API_TOKEN": "api-token-secret"],
            expected: "url https://api.bitbucket.org, credential API token of dev@example.com"),
        // An access token wins over an API token when both are set.
        .init(
            environment: [
                "BITBUCKET_TOKEN": "tok-123", "BITBUCKET_EMAIL": "dev@example.com", "BITBUCKET_API_TOKEN": "x",
            ],
            expected: "url https://api.bitbucket.org, credential access token"),
        .init(
            environment: ["BITBUCKET_USERNAME": "dev", "BITBUCKET_APP_PASSWORD": "app-pass-9"],
            expected: "url https://api.bitbucket.org, credential app password of dev"),
        // Empty counts as unset, as in curl.
        .init(
            environment: ["BITBUCKET_TOKEN": "", "HTTPS_PROXY": ""],
            expected: "url https://api.bitbucket.org, credential none"),
        .init(
            environment: [
                "BITBUCKET_CONNECT_APP_KEY": "com.example.bbx", "BITBUCKET_CONNECT_CLIENT_KEY": "connection:42",
                "BITBUCKET_CONNECT_SHARED_SECRET": "shh-secret",
            ],
            expected:
                "url https://api.bitbucket.org, credential none, Connect app com.example.bbx (client key connection:42)"
        ),
        .init(
            environment: ["HTTPS_PROXY": "http://alice:pr%40xy-pass@proxy.corp:3128"],
            expected: "url https://api.bitbucket.org, credential none, proxy http://alice:<redacted>@proxy.corp:3128"),
        .init(
            environment: ["https_proxy": "proxy.corp:8080"],
            expected: "url https://api.bitbucket.org, credential none, proxy http://proxy.corp:8080"),
    ]

    @Test(arguments: environmentCases)
    func environmentIsReadAndDescribedWithoutSecrets(_ example: EnvironmentCase) throws {
        let configuration = try ClientConfiguration(environment: example.environment)
        #expect(configuration.description == example.expected)
        for secret in ["tok-123", "api-token-secret", "app-pass-9", "shh-secret", "pr@xy-pass", "pr%40xy-pass"] {
            #expect(!"\(configuration)".contains(secret))
            #expect(!String(reflecting: configuration).contains(secret))
            var dumped = ""
            dump(configuration, to: &dumped)
            #expect(!dumped.contains(secret), "dump shows \(secret)")
        }
    }

    @Test func proxyCredentialsAreDecodedForUse() throws {
        let configuration = try ClientConfiguration(environment: [
            "HTTPS_PROXY": "http://alice:pr%40xy-pass@proxy.corp:3128"
        ])
        #expect(configuration.proxy?.username == "alice")
        #expect(configuration.proxy?.password?.revealed == "pr@xy-pass")
        #expect(configuration.proxy?.port == 3128)
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let environment: [String: String]
        let message: String
        var testDescription: String { message }
    }

    static let invalidCases: [InvalidCase] = [
        .init(
            environment: ["HTTPS_PROXY": "socks5://bob:hidden-2@proxy:1080"],
            message:
                "HTTPS_PROXY: the proxy 'socks5://bob:<redacted>@proxy:1080' uses socks5://; only http:// proxies are supported"
        ),
        .init(
            environment: ["HTTPS_PROXY": "http://bob:pr/xy-hunter2@proxy:3128"],
            message:
                "HTTPS_PROXY: the proxy 'http://bob:<redacted>@proxy:3128' is not a URL like http://proxy.example.com:3128"
        ),
        .init(
            environment: ["BITBUCKET_URL": "api.bitbucket.org"],
            message: "the API URL 'api.bitbucket.org' is not an http:// or https:// URL"),
        // A URL with credentials or a query: refused, and the secret is not repeated.
        url(
            "ftp://alice:hunter2-secret@example.com/",
            "'ftp://<redacted>@example.com/' is not an http:// or https:// URL"),
        url("https://alice:hunter2-secret@api.bitbucket.org", "'https://<redacted>@api.bitbucket.org'" + credentials),
        url("https://x-token-auth:hunter2-secret@/", "'https://<redacted>@/'" + credentials),
        // A password with a raw `/` ends the authority early for a URL parser; still hidden.
        url(
            "https://alice:pa/ss-hunter2@api.bitbucket.org",
            "'https://<redacted>@api.bitbucket.org' is not an http:// or https:// URL"),
        url("https://api.bitbucket.org/?access_token=hunter2-secret", "'https://api.bitbucket.org/'" + query),
        url("https://api.bitbucket.org#top", "'https://api.bitbucket.org'" + query),
        url("http:///2.0", "'http:///2.0' has no host"),
        url("http://127.0.0.1:70000", "'http://127.0.0.1:70000' has port 70000; a port is 1 to 65535"),
        // A line break inside a credential could not go into a header: every request failed
        // five times with the HTTP client's words. Around it, whitespace is dropped.
        .init(
            environment: ["BITBUCKET_TOKEN": "tok-hunter2\r\nX-Injected: 1\n"],
            message: "BITBUCKET_TOKEN has a line break or another control character inside it; give it on one line"),
        .init(
            environment: ["BITBUCKET_EMAIL": "dev@example.com", "BITBUCKET_API_TOKEN": "abc\u{7F}def"],
            message: "BITBUCKET_API_TOKEN has a line break or another control character inside it; give it on one line"),
    ]

    static func url(_ value: String, _ message: String) -> InvalidCase {
        InvalidCase(environment: ["BITBUCKET_URL": value], message: "the API URL " + message)
    }
    static let credentials =
        " holds a user name or password; bbx does not take credentials from the URL: set BITBUCKET_TOKEN, or BITBUCKET_EMAIL with BITBUCKET_API_TOKEN"
    static let query = " has a query or a fragment; give the base URL alone, like https://api.bitbucket.org"

    /// Half the Connect variables: not an error for the run (only Connect statements need
    /// them), but what is missing is kept for those to say.
    @Test func partialConnectVariablesAreKeptAsAProblem() throws {
        let configuration = try ClientConfiguration(environment: [
            "BITBUCKET_CONNECT_APP_KEY": "app", "BITBUCKET_CONNECT_SHARED_SECRET": "s3cret-value",
        ])
        #expect(configuration.connect == nil)
        #expect(configuration.incompleteConnect?.contains("BITBUCKET_CONNECT_CLIENT_KEY is not set") == true)
    }

    /// A Connect variable with a line break inside concerns Connect statements only, like one
    /// that is missing: the run goes on, and those statements say why they cannot.
    @Test func aBrokenConnectVariableIsKeptAsAProblem() throws {
        let configuration = try ClientConfiguration(environment: [
            "BITBUCKET_TOKEN": "t", "BITBUCKET_CONNECT_APP_KEY": "app", "BITBUCKET_CONNECT_CLIENT_KEY": "c",
            "BITBUCKET_CONNECT_SHARED_SECRET": "s3cret\nvalue",
        ])
        #expect(configuration.connect == nil)
        #expect(
            configuration.incompleteConnect
                == "BITBUCKET_CONNECT_SHARED_SECRET has a line break or another control character inside it; give it on one line"
        )
    }

    @Test func aBaseURLEndingIn20IsTrimmedWithANote() {
        var configuration = ClientConfiguration()
        configuration.baseURL = "https://api.bitbucket.org/2.0/"
        #expect(configuration.normalizeBaseURL()?.contains("ends in /2.0") == true)
        #expect(configuration.baseURL == "https://api.bitbucket.org")
        configuration.baseURL = "http://127.0.0.1:7990/"
        #expect(configuration.normalizeBaseURL() == nil)
        #expect(configuration.baseURL == "http://127.0.0.1:7990")
    }

    @Test(arguments: invalidCases)
    func invalidSettingsAreExplained(_ example: InvalidCase) {
        #expect(throws: ClientConfiguration.Invalid.self) { try ClientConfiguration(environment: example.environment) }
        do {
            _ = try ClientConfiguration(environment: example.environment)
        } catch {
            #expect(error.description == example.message)
        }
    }

    @Test func warningsForInsecureTLSAndAppPasswords() throws {
        var configuration = try ClientConfiguration(environment: [
            "BITBUCKET_USERNAME": "dev", "BITBUCKET_APP_PASSWORD": "p",
        ])
        configuration.verifiesTLS = false
        #expect(configuration.warnings.count == 2)
        #expect(configuration.warnings[0].contains("TLS certificate verification is off"))
        #expect(configuration.warnings[1].contains("Bitbucket removed app passwords on 28 July 2026"))
        #expect(try ClientConfiguration(environment: ["BITBUCKET_TOKEN": "t"]).warnings.isEmpty)
    }

    struct NoProxyCase: Sendable {
        let list: String
        let host: String
        let port: Int
        let bypasses: Bool
    }

    @Test(arguments: [
        NoProxyCase(list: "*", host: "api.bitbucket.org", port: 443, bypasses: true),
        NoProxyCase(list: "bitbucket.org", host: "api.bitbucket.org", port: 443, bypasses: true),
        NoProxyCase(list: ".bitbucket.org", host: "api.bitbucket.org", port: 443, bypasses: true),
        NoProxyCase(list: "bitbucket.org", host: "bitbucket.org", port: 443, bypasses: true),
        NoProxyCase(list: "ket.org", host: "bitbucket.org", port: 443, bypasses: false),
        NoProxyCase(list: "localhost, 127.0.0.1", host: "127.0.0.1", port: 8080, bypasses: true),
        NoProxyCase(list: "127.0.0.1:9000", host: "127.0.0.1", port: 8080, bypasses: false),
        NoProxyCase(list: "127.0.0.1:8080", host: "127.0.0.1", port: 8080, bypasses: true),
        NoProxyCase(list: "::1", host: "[::1]", port: 443, bypasses: true),
        NoProxyCase(list: "", host: "api.bitbucket.org", port: 443, bypasses: false),
        NoProxyCase(list: "EXAMPLE.com", host: "ci.example.COM", port: 443, bypasses: true),
    ])
    func noProxyFollowsCurl(_ example: NoProxyCase) {
        #expect(NoProxyList(example.list).bypassesProxy(host: example.host, port: example.port) == example.bypasses)
    }

    /// Every line the client logs, at every level, while it fails and retries with secrets
    /// configured everywhere.
    @Test func logLinesAndErrorsCarryNoSecret() async throws {
        try await withHarness { harness in
            let lines = LogLines()
            let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
            try await harness.addFault(#"{"status": 503, "count": 2}"#)
            var configuration = harness.configuration(.apiToken(email: "dev@example.com", token: Secret("api-token-1")))
            configuration.proxy = ProxySettings(
                host: "127.0.0.1", port: 9, username: "u", password: Secret("proxy-secret"))
            configuration.noProxy = NoProxyList("127.0.0.1")
            let client = try BitbucketClient(configuration: configuration, logger: logger)
            defer { Task { try? await client.shutdown() } }
            _ = try await client.artifacts(in: Harness.repository)
            let path = try harness.file("f.bin", size: 100)
            try await client.upload([UploadFile(path: path, name: "f.bin")], to: Harness.repository)
            try await client.download(
                "f.bin", from: Harness.repository, to: harness.folder.appendingPathComponent("g").path)
            var errors: [String] = []
            do { _ = try await client.linker("nope") } catch { errors.append("\(error)") }
            do { try await client.delete("nope", from: RepositoryName(parsing: "acme/nope")!) } catch {
                errors.append("\(error)")
            }
            let logged = lines.all
            #expect(logged.contains { $0.contains("503") }, "the retries are logged")
            #expect(errors.count == 2)
            let basic = Data("dev@example.com:api-token-1".utf8).base64EncodedString()
            for text in logged + errors {
                for secret in ["api-token-1", basic, "s3cret-shared", "proxy-secret", "JWT ", "Bearer", "Basic "] {
                    #expect(!text.contains(secret), "\(text)")
                }
            }
        }
    }
}

/// Collects every log line with its metadata, at trace level.
final class LogLines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var all: [String] { storage.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = "\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)"
        lines.append(text)
    }
}
