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
    var withoutUserInfo: String {
        let start = range(of: "://")?.upperBound ?? startIndex
        let authorityEnd = self[start...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? endIndex
        guard let at = self[start..<authorityEnd].lastIndex(of: "@") else { return self }
        return String(self[..<start]) + "<redacted>" + String(self[at...])
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
