import Foundation

/// An HTTP proxy that requests reach Bitbucket through (`CONNECT` tunnels, as curl does for
/// HTTPS), with optional Basic credentials taken from its URL.
public struct ProxySettings: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String?
    public let password: Secret?

    public init(host: String, port: Int, username: String? = nil, password: Secret? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `http://[user:password@]host[:port]`, or `host:port` as curl accepts it. The user and
    /// password may be percent-encoded (`p%40ss` for `p@ss`).
    public init(url text: String) throws(Invalid) {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let components = URLComponents(string: withScheme), let host = components.host, !host.isEmpty else {
            throw Invalid(
                description: "the proxy '\(Self.redacting(text))' is not a URL like http://proxy.example.com:3128")
        }
        guard components.scheme?.lowercased() == "http" else {
            throw Invalid(
                description:
                    "the proxy '\(Self.redacting(text))' uses \(components.scheme ?? "?")://; only http:// proxies are supported"
            )
        }
        self.host = host
        self.port = components.port ?? 1080
        self.username = components.user?.removingPercentEncoding ?? components.user
        self.password = (components.password?.removingPercentEncoding ?? components.password).map(Secret.init)
    }

    /// The proxy as a URL with its password replaced, for messages.
    public var description: String {
        let credentials = username.map { user in password == nil ? "\(user)@" : "\(user):<redacted>@" } ?? ""
        return "http://\(credentials)\(host):\(port)"
    }

    /// A proxy URL as the user wrote it, with any password replaced, for messages about it.
    static func redacting(_ text: String) -> String { text.redactingUserInfo(keepingUser: true) }
}

/// The hosts that `NO_PROXY` sends straight to, not through the proxy: curl's reading of it.
/// Entries are separated by commas or spaces; `*` matches every host; `example.com` and
/// `.example.com` match that host and its subdomains; `host:port` matches that port only;
/// IP addresses match exactly (IPv6 with or without brackets).
public struct NoProxyList: Sendable, Hashable {
    public let entries: [String]

    public init(_ text: String) {
        entries = text.split(whereSeparator: { $0 == "," || $0 == " " }).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }.filter { !$0.isEmpty }
    }

    public static let none = NoProxyList("")

    public func bypassesProxy(host rawHost: String, port: Int) -> Bool {
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for entry in entries {
            if entry == "*" { return true }
            var pattern = entry
            var entryPort: Int?
            // host:port, but not a bare IPv6 address.
            if let colon = pattern.lastIndex(of: ":"), pattern.firstIndex(of: ":") == colon || pattern.hasPrefix("[") {
                entryPort = Int(pattern[pattern.index(after: colon)...])
                pattern = String(pattern[..<colon])
            }
            pattern = pattern.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            if let entryPort, entryPort != port { continue }
            if pattern.hasPrefix(".") { pattern.removeFirst() }
            if host == pattern || host.hasSuffix("." + pattern) { return true }
        }
        return false
    }
}
