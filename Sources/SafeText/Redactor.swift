/// Replaces secret values in text before it is written anywhere. Matching is on UTF-8 bytes,
/// not on Swift's `Character`s: a combining mark after a token joins its last letter into
/// another grapheme cluster, and a Character-wise search would then not find the token.
public struct Redactor: Sendable {
    public static let replacement = "<redacted>"
    /// Shorter values would redact ordinary words.
    public static let minimumLength = 4

    /// Each secret, and each form in which bbx might write it (JSON-escaped).
    private let needles: [[UInt8]]

    public init(secrets: [String]) {
        var needles: Set<[UInt8]> = []
        for secret in secrets where secret.unicodeScalars.count >= Self.minimumLength {
            needles.insert(Array(secret.utf8))
            needles.insert(Array(Self.jsonEscaped(secret).utf8))
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
