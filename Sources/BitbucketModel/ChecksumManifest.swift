import Crypto
import Foundation

/// A `sha256sum` manifest: `<64 hex>  <name>` lines sorted by name, exactly what
/// `sha256sum -c MANIFEST` reads in a folder holding the downloaded artifacts. Bitbucket keeps
/// no checksum of its own, so bbx keeps this one as an artifact next to the others.
///
/// Names that hold a backslash or a line break are written as GNU sha256sum writes them: the
/// line starts with `\` and the name has `\\` and `\n` in their place (and `\r` for a carriage
/// return, which coreutils 9 escapes too), so every name survives the round trip.
public struct ChecksumManifest: Hashable, Sendable {
    /// Name → lowercase hex SHA-256, names compared by their bytes (`café` in its two Unicode
    /// spellings is two artifacts, two lines).
    private var entries: [ExactName: String]

    public init(entries: [String: String] = [:]) {
        self.entries = Dictionary(entries.map { (ExactName($0.key), $0.value.lowercased()) }) { first, _ in first }
    }

    public subscript(name: String) -> String? {
        get { entries[ExactName(name)] }
        set { entries[ExactName(name)] = newValue?.lowercased() }
    }

    /// The names listed, in the manifest's order (bytewise).
    public var names: [String] { entries.keys.sorted().map(\.text) }

    public var count: Int { entries.count }

    /// The most a manifest may hold when read from Bitbucket: about 100,000 entries. A bigger
    /// one is refused rather than read into memory.
    public static let maximumBytes = 16 * 1024 * 1024

    /// A line that is not an entry, with its number (1-based).
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Reads a manifest. Empty lines are ignored; `*` before the name (binary mode) is accepted;
    /// a line that is not `<64 hex> <space> <space or *> <name>` is a problem, not guessed at.
    public init(parsing text: String) throws(Problem) {
        var entries: [ExactName: String] = [:]
        // Lines and fields by Unicode scalars, not Characters: a name may begin with a combining
        // mark (which would join the space before it into one Character), and `\r\n` is one
        // Character that a split at `\n` would not see.
        for (offset, rawLine) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            var line = rawLine
            // A manifest written on Windows ends its lines with CR LF; GNU sha256sum -c reads it.
            if line.last == "\r" { line = line.dropLast() }
            if line.isEmpty { continue }
            let number = offset + 1
            let escaped = line.first == "\\"
            if escaped { line = line.dropFirst() }
            let hex = line.prefix(64)
            guard hex.count == 64, hex.allSatisfy({ $0.isASCII && Self.isHexDigit(UInt8($0.value)) }) else {
                throw Problem(line: number, reason: "does not start with a SHA-256 (64 hexadecimal digits)")
            }
            var rest = line.dropFirst(64)
            guard rest.first == " ", let mode = rest.dropFirst().first, mode == " " || mode == "*" else {
                throw Problem(line: number, reason: "expected two spaces (or a space and *) after the checksum")
            }
            rest = rest.dropFirst(2)
            guard !rest.isEmpty else { throw Problem(line: number, reason: "has no name") }
            let name = ExactName(escaped ? try Self.unescape(rest, line: number) : String(rest))
            let sha256 = String(hex).lowercased()
            if let earlier = entries[name], earlier != sha256 {
                throw Problem(line: number, reason: "lists a name a second time with another checksum")
            }
            entries[name] = sha256
        }
        self.entries = entries
    }

    /// The manifest's text: one line per entry, sorted by name (bytewise, as `LC_ALL=C sort`).
    public var text: String {
        entries.keys.sorted().map { key in
            let name = key.text
            let hex = entries[key] ?? ""
            let needsEscape = name.unicodeScalars.contains { $0 == "\\" || $0 == "\n" || $0 == "\r" }
            guard needsEscape else { return "\(hex)  \(name)\n" }
            var escaped = ""
            for scalar in name.unicodeScalars {
                switch scalar {
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\\\(hex)  \(escaped)\n"
        }.joined()
    }

    /// What another writer did to the manifest since `base` was read, kept; what this run did
    /// (`changes`: a hash to set, nil to remove), applied on top.
    public func merging(_ changes: [ExactName: String?]) -> ChecksumManifest {
        var merged = self
        for (name, hash) in changes { merged.entries[name] = hash?.lowercased() }
        return merged
    }

    /// Whether every change of `changes` is in this manifest (a write that another writer's
    /// overwrote is not).
    public func holds(_ changes: [ExactName: String?]) -> Bool {
        changes.allSatisfy { name, hash in entries[name] == hash?.lowercased() }
    }

    /// The SHA-256 of a text's UTF-8 bytes, in lowercase hex (a manifest's fingerprint).
    public static func sha256(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).hex
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (97...102).contains(byte) || (65...70).contains(byte)
    }

    static func unescape(_ text: Substring.UnicodeScalarView, line: Int) throws(Problem) -> String {
        var out = ""
        var iterator = text.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\\" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch iterator.next() {
            case "\\": out.unicodeScalars.append("\\")
            case "n": out.unicodeScalars.append("\n")
            case "r": out.unicodeScalars.append("\r")
            default: throw Problem(line: line, reason: "has an escape other than \\\\, \\n or \\r in its name")
            }
        }
        return out
    }
}

extension SHA256.Digest {
    /// The digest in lowercase hex, as sha256sum writes it: the one spelling of a hash in bbx.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// A SHA-256 in lowercase hex is 64 characters.
extension String {
    /// Whether this is a SHA-256 as bbx writes it (64 hex digits).
    public var isSHA256Hex: Bool { utf8.count == 64 && utf8.allSatisfy(ChecksumManifest.isHexDigit) }
}
