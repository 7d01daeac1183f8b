import Foundation

/// Everything the client is set up with. `init(environment:)` reads the documented variables;
/// command-line flags then override single fields.
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    public var baseURL = "https://api.bitbucket.org"
    public var credential: Credential?
    public var connect: ConnectCredentials?
    /// Set when only some of the Connect variables are: what is missing, for the Connect
    /// statements that will need them.
    public var incompleteConnect: String?
    /// Off only when asked (`--insecure`); each run then warns.
    public var verifiesTLS = true
    /// A file (PEM, one or more certificates) or folder of trusted authorities, used instead of
    /// the system's: `--cacert`, else SSL_CERT_FILE, else SSL_CERT_DIR.
    public var caCertificates: String?
    public var proxy: ProxySettings?
    public var noProxy = NoProxyList.none
    /// How long establishing a connection (TCP, TLS, proxy tunnel) may take.
    public var connectTimeout: Duration = .seconds(15)
    /// How long the server may stay silent once a request was sent. There is deliberately no
    /// limit on a whole transfer: a 5 GiB upload on a slow line is not an error.
    public var readTimeout: Duration = .seconds(120)
    /// The least a download must receive in each `stallWindow`: a server that sends a byte now
    /// and then never lets `readTimeout` fire, and would hold a release job forever.
    public var stallWindow: Duration = .seconds(120)
    public var stallMinimumBytes: Int64 = 1024
    public var retry = RetryPolicy()
    /// `--max-requests N`: the most API requests this run makes (the storage host's are not
    /// Bitbucket's to count); nil for no cap.
    public var maxRequests: Int?
    /// Every request but GET and HEAD is refused before it is sent.
    public var dryRun = false
    /// The size of the pieces an upload is read and sent in. 1 MiB: against 256 KiB it saved a
    /// quarter of the CPU of a 1 GiB upload (fewer thread hops per byte) for 5 MiB more peak
    /// memory, flat with the file's size (benchmarks/README.md, verified-release.sh).
    public var uploadChunkSize = 1024 * 1024
    public var userAgent = "bbx/0.1 (+https://bitbucket.org)"

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `BITBUCKET_URL`, `BITBUCKET_TOKEN`, `BITBUCKET_EMAIL` + `BITBUCKET_API_TOKEN`,
    /// `BITBUCKET_USERNAME` + `BITBUCKET_APP_PASSWORD`, the three `BITBUCKET_CONNECT_*`
    /// variables, `HTTPS_PROXY`/`https_proxy` and `NO_PROXY`/`no_proxy`. Empty values count as
    /// unset, as in curl; surrounding whitespace is dropped, and a line break or other control
    /// character inside a value is refused by name (a header cannot carry it: every request
    /// failed, five times over, with the HTTP client's own words).
    public init(environment: [String: String]) throws(Invalid) {
        // The first variable read with a control character inside; Connect's are kept apart.
        var problem: String?
        var connectProblem: String?
        func value(_ name: String, _ found: inout String?) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                return nil
            }
            if found == nil, Self.hasControlCharacter(text) {
                found = "\(name) has a line break or another control character inside it; give it on one line"
            }
            return text
        }
        func value(_ name: String) -> String? { value(name, &problem) }
        if let url = value("BITBUCKET_URL") { baseURL = url }
        if let token = value("BITBUCKET_TOKEN") {
            credential = .accessToken(Secret(token))
        } else if let email = value("BITBUCKET_EMAIL"), let token = value("BITBUCKET_API_TOKEN") {
            credential = .apiToken(email: email, token: Secret(token))
        } else if let username = value("BITBUCKET_USERNAME"), let password = value("BITBUCKET_APP_PASSWORD") {
            credential = .appPassword(username: username, password: Secret(password))
        }
        let connectNames = ["APP_KEY", "CLIENT_KEY", "SHARED_SECRET"].map { "BITBUCKET_CONNECT_\($0)" }
        // Connect variables matter only to scripts with Connect statements: a broken one is
        // kept as the reason those fail, not an error for every run.
        let connectValues = connectNames.map { value($0, &connectProblem) }
        if let connectProblem {
            incompleteConnect = connectProblem
        } else if let appKey = connectValues[0], let clientKey = connectValues[1], let secret = connectValues[2] {
            connect = ConnectCredentials(appKey: appKey, clientKey: clientKey, sharedSecret: Secret(secret))
        } else if connectValues.contains(where: { $0 != nil }) {
            // Only scripts with Connect statements need them: those fail at planning (exit 77)
            // with this; every other script runs.
            let missing = zip(connectNames, connectValues).filter { $0.1 == nil }.map(\.0)
            incompleteConnect =
                "the Connect credentials are incomplete: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not set (all three of BITBUCKET_CONNECT_APP_KEY, BITBUCKET_CONNECT_CLIENT_KEY and BITBUCKET_CONNECT_SHARED_SECRET are needed)"
        }
        if let proxy = value("HTTPS_PROXY") ?? value("https_proxy") {
            do { self.proxy = try ProxySettings(url: proxy) } catch {
                throw Invalid(description: "HTTPS_PROXY: \(error)")
            }
        }
        noProxy = NoProxyList(value("NO_PROXY") ?? value("no_proxy") ?? "")
        caCertificates = value("SSL_CERT_FILE") ?? value("SSL_CERT_DIR")
        if let problem { throw Invalid(description: problem) }
        try validate()
    }

    /// Atlassian's OpenAPI names the server `https://api.bitbucket.org/2.0`, and people copy
    /// it: bbx adds `/2.0` itself, so a base URL ending in it (or in slashes) is trimmed, and
    /// the note says so.
    public mutating func normalizeBaseURL() -> String? {
        let original = baseURL
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        let versioned = trimmed.lowercased().hasSuffix("/2.0")
        if versioned { trimmed.removeLast(4) }
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        baseURL = trimmed
        return versioned
            ? "the API URL \(original.withoutUserInfo) ends in /2.0, which bbx adds itself; using \(trimmed.withoutUserInfo)"
            : nil
    }

    /// C0 controls and DEL: what no credential, URL or header value holds.
    public static func hasControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// The base URL must be http(s) with a host; a CA file or folder must be readable.
    public func validate() throws(Invalid) {
        if let authorities = caCertificates, !FileManager.default.isReadableFile(atPath: authorities) {
            throw Invalid(description: "the CA certificates '\(authorities)' cannot be read")
        }
        // Messages show the URL without what may be a secret: a user name and password, or a
        // query (`?access_token=…`).
        let shown = baseURL.withoutUserInfo.withoutQuery
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw Invalid(description: "the API URL '\(shown)' is not an http:// or https:// URL")
        }
        if components.user != nil || components.password != nil {
            throw Invalid(
                description:
                    "the API URL '\(shown)' holds a user name or password; bbx does not take credentials from the URL: set BITBUCKET_TOKEN, or BITBUCKET_EMAIL with BITBUCKET_API_TOKEN"
            )
        }
        if components.query != nil || components.fragment != nil {
            throw Invalid(
                description:
                    "the API URL '\(shown)' has a query or a fragment; give the base URL alone, like https://api.bitbucket.org"
            )
        }
        guard Origin(baseURL) != nil else { throw Invalid(description: "the API URL '\(shown)' has no host") }
        if let port = components.port, !(1...65535).contains(port) {
            throw Invalid(description: "the API URL '\(shown)' has port \(port); a port is 1 to 65535")
        }
    }

    /// What to tell the user on every run: TLS verification off, an app password in use.
    public var warnings: [String] {
        var warnings: [String] = []
        if !verifiesTLS {
            warnings.append(
                "TLS certificate verification is off (--insecure): anyone on the network path can read and change this traffic"
            )
        }
        if let warning = credential?.warning { warnings.append(warning) }
        return warnings
    }

    public var description: String {
        var parts = ["url \(baseURL)", "credential \(credential?.description ?? "none")"]
        if let connect { parts.append(connect.description) }
        if let proxy { parts.append("proxy \(proxy)") }
        if !verifiesTLS { parts.append("TLS verification off") }
        if let caCertificates { parts.append("CA certificates \(caCertificates)") }
        if dryRun { parts.append("dry run") }
        return parts.joined(separator: ", ")
    }
}

/// How often and how patiently a failed request is tried again: exponential backoff with full
/// jitter, bounded both by attempts and by the time spent waiting.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts = 5
    public var initialDelay: Duration = .milliseconds(500)
    public var maxDelay: Duration = .seconds(30)
    /// No new attempt starts once this much time has been spent waiting between attempts.
    public var maxTotalDelay: Duration = .seconds(120)

    public init() {}

    public init(maxAttempts: Int, initialDelay: Duration, maxDelay: Duration, maxTotalDelay: Duration) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxTotalDelay = maxTotalDelay
    }

    /// No retries at all.
    public static let never = RetryPolicy(maxAttempts: 1, initialDelay: .zero, maxDelay: .zero, maxTotalDelay: .zero)

    /// The wait before attempt `attempt + 1` (attempt counts from 1): a random share of
    /// `initialDelay × 2^(attempt-1)`, capped, or the server's `Retry-After` when it gave one.
    func delay(after attempt: Int, retryAfter: Duration?, random: Double = Double.random(in: 0...1)) -> Duration {
        // A Retry-After below zero (a broken server) is no wait, not a wait that gives time back.
        if let retryAfter { return max(.zero, min(retryAfter, maxDelay)) }
        let exponential = initialDelay * Int(1 << min(attempt - 1, 20))
        let ceiling = min(exponential, maxDelay)
        // Full jitter, but never less than half: clients that failed together spread out
        // without any of them hammering again at once.
        return ceiling * (0.5 + random / 2)
    }
}
