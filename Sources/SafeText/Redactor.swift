/// Replaces secret values in text before it is written anywhere. Matching is on UTF-8 bytes,
/// not on Swift's `Character`s: a combining mark after a token joins its last letter into
/// another grapheme cluster, and a Character-wise search would then not find the token.
public struct Redactor: Sendable {
    public static let replacement = "<redacted>"
    /// Shorter values would redact ordinary words.
    public static let minimumLength = 4

    /// Each secret, and each form in which bbx or a server might write it.
    private let needles: [[UInt8]]

    public init(secrets: [String]) {
        var needles: Set<[UInt8]> = []
        for secret in secrets where secret.unicodeScalars.count >= Self.minimumLength {
            for form in Self.forms(of: secret) { needles.insert(Array(form.utf8)) }
        }
        // Longest first, so that a secret containing another is replaced whole.
        self.needles = needles.sorted { $0.count > $1.count }
    }

    public var isEmpty: Bool { needles.isEmpty }

    /// Whether `text` holds any secret.
    public func reveals(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return needles.contains { Self.firstIndex(of: $0, in: bytes, from: 0) != nil }
    }

    public func redact(_ text: String) -> String {
        guard !needles.isEmpty else { return text }
        var bytes = Array(text.utf8)
        var changed = false
        for needle in needles {
            var output: [UInt8] = []
            var start = 0
            var found = false
            while let index = Self.firstIndex(of: needle, in: bytes, from: start) {
                output += bytes[start..<index]
                output += Self.replacement.utf8
                start = index + needle.count
                found = true
            }
            if found {
                output += bytes[start...]
                bytes = output
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let head = needle.first, haystack.count - start >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == head, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The text forms a secret takes on its way out: as is, JSON-escaped (with `/` as is and as
    /// `\/`, as Foundation's encoders write it), and percent-encoded (a query or form value,
    /// hex in either case). Forms that depend on the credential's kind (the base64 of
    /// `user:secret` in a Basic header) are the credential's to give.
    public static func forms(of secret: String) -> Set<String> {
        let json = jsonEscaped(secret)
        var forms: Set<String> = [secret, json, json.replacingSlashes]
        for strict in [false, true] {
            let percent = percentEncoded(secret, strict: strict)
            forms.formUnion([percent, percent.lowercasedHex])
        }
        return forms
    }

    /// Every byte outside RFC 3986's unreserved characters as `%XX`; `strict`, every byte but
    /// letters and digits (as Foundation's `.alphanumerics` encodes).
    static func percentEncoded(_ text: String, strict: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                bytes.append(byte)
            // (A `where` would bind to the last pattern only.)
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                if strict {
                    bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                } else {
                    bytes.append(byte)
                }
            default: bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The secret as a JSON encoder writes it inside a string (`"` and `\` escaped, controls
    /// as `\uXXXX` or their short forms, `/` as is).
    static func jsonEscaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    fileprivate var replacingSlashes: String {
        String(decoding: utf8.flatMap { $0 == UInt8(ascii: "/") ? Array(#"\/"#.utf8) : [$0] }, as: UTF8.self)
    }

    /// `%2F` as `%2f`, the rest as is.
    fileprivate var lowercasedHex: String {
        var bytes = Array(utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count {
                for offset in 1...2 where (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(bytes[index + offset]) {
                    bytes[index + offset] += 32
                }
                index += 3
            } else {
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
