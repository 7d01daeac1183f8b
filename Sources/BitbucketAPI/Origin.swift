import Foundation
import NIOCore

/// Scheme, host and port: what decides whether a request may carry the API's credentials.
struct Origin: Hashable {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
    }

    var defaultPort: Int { scheme == "https" ? 443 : 80 }

    /// `scheme://host:port/path`, as connection failures name what they tried to reach.
    func target(_ path: String) -> String { "\(scheme)://\(host):\(port)\(path)" }

    /// A host on this machine: no network path to read or change what travels to it.
    var isLoopback: Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "[::1]"
            || host.hasPrefix("127.") && host.split(separator: ".").count == 4
                && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }
}

extension String {
    /// The URL without its query and fragment, for messages: a signed storage link's query is
    /// as secret as a password.
    var withoutQuery: String {
        let end = firstIndex(where: { $0 == "?" || $0 == "#" }) ?? endIndex
        return String(self[..<end])
    }

    /// The URL with any user name and password replaced by `<redacted>`, for messages: people
    /// paste URLs such as `https://user:token@host`.
    var withoutUserInfo: String { redactingUserInfo(keepingUser: false) }

    /// The URL with its password (and, unless `keepingUser`, its user name) replaced by
    /// `<redacted>`. The user info ends at the last `@`: a password with a raw `/` or `?` is
    /// still hidden, and an `@` later in the path only hides more than needed.
    func redactingUserInfo(keepingUser: Bool) -> String {
        guard let at = lastIndex(of: "@") else { return self }
        let start = range(of: "://")?.upperBound ?? startIndex
        guard start <= at else { return self }
        guard keepingUser else { return String(self[..<start]) + "<redacted>" + String(self[at...]) }
        guard let colon = self[start..<at].firstIndex(of: ":") else { return self }
        return String(self[..<colon]) + ":<redacted>" + String(self[at...])
    }

    /// The path and query of a URL (what an HTTP request line and a Connect signature name).
    var pathAndQuery: (path: String, query: String?) {
        guard let components = URLComponents(string: self) else { return (self, nil) }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return (path, components.percentEncodedQuery)
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// In seconds, for messages and reports (`0.21 s`).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
