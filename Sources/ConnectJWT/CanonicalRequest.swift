import Crypto
import Foundation

/// The canonical form of a request that a Connect JWT's `qsh` claim hashes:
/// `METHOD&CANONICAL_URI&CANONICAL_QUERY`.
public struct CanonicalRequest: Sendable, Equatable {
    public let method: String
    public let path: String
    /// Query parameters as decoded name and value pairs, in any order (`jwt` is ignored).
    public let parameters: [(name: String, value: String)]

    public init(method: String, path: String, parameters: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.parameters = parameters
    }

    /// From a path and a raw (still percent-encoded) query string, as they arrive in a request.
    public init(method: String, path: String, rawQuery: String?) {
        self.init(method: method, path: path, parameters: CanonicalRequest.decodeQuery(rawQuery ?? ""))
    }

    public static func == (a: CanonicalRequest, b: CanonicalRequest) -> Bool { a.string == b.string }

    /// `METHOD&CANONICAL_URI&CANONICAL_QUERY`.
    public var string: String {
        "\(method.uppercased())&\(canonicalURI)&\(canonicalQuery)"
    }

    /// The lower-case hex SHA-256 of `string`: the `qsh` claim.
    public var queryStringHash: String {
        SHA256.hash(data: Data(string.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The path starting with `/`, without a trailing `/` (unless it is `/`), `&` written `%26`.
    var canonicalURI: String {
        var uri = path.isEmpty ? "/" : path
        if !uri.hasPrefix("/") { uri = "/" + uri }
        while uri.count > 1, uri.hasSuffix("/") { uri.removeLast() }
        return uri.replacingOccurrences(of: "&", with: "%26")
    }

    /// Parameters without `jwt`, sorted by name, each name and value percent-encoded per RFC 3986,
    /// a repeated name's values sorted and joined with `,`, pairs joined with `&`.
    var canonicalQuery: String {
        var grouped: [String: [String]] = [:]
        for (name, value) in parameters where name != "jwt" {
            grouped[name, default: []].append(value)
        }
        return grouped.keys.sorted(by: CanonicalRequest.byteOrder).map { name in
            let values = grouped[name]!.sorted(by: CanonicalRequest.byteOrder).map(CanonicalRequest.percentEncode)
            return "\(CanonicalRequest.percentEncode(name))=\(values.joined(separator: ","))"
        }.joined(separator: "&")
    }

    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Only `A-Z a-z 0-9 - . _ ~` stay as they are; everything else is `%XX` of its UTF-8 bytes.
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `a=1&b=x%20y&c` into pairs (`+` is a space, as in form encoding; a bare name has value "").
    public static func decodeQuery(_ query: String) -> [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in
                (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s))
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
