import Crypto
import Foundation

/// A `sha256sum` manifest: `<64 hex>  <name>` lines sorted by name, exactly what
/// `sha256sum -c MANIFEST` reads in a folder holding the downloaded artifacts. Bitbucket keeps
/// no checksum of its own, so bbx keeps this one as an artifact next to the others.
///
/// Names that hold a backslash or a line break are written as GNU sha256sum writes them: the
/// line starts with `\` and the name has `\\` and `\n` in their place (and `\r` for a carriage
/// return, which coreutils 9 escapes too), so every name survives the round trip.
///
/// Each entry bbx writes is preceded by a comment line naming the upload it was made for, as the
/// listing showed it afterwards: `# bbx: size=1234 created_on=2026-12-07T10:00:00.123456+00:00`.
/// GNU `sha256sum -c` skips lines that begin with `#` (with `--strict` too), so the file stays
/// what it reads; bbx believes an entry only for the artifact whose listing still matches it
/// (replaced with curl since, or by a run that failed before its manifest update: not believed).
public struct ChecksumManifest: Hashable, Sendable {
    /// Name → lowercase hex SHA-256, names compared by their bytes (`café` in its two Unicode
    /// spellings is two artifacts, two lines).
    private var entries: [ExactName: String]
    /// Name → the listing of the artifact the entry was made for.
    private var stamps: [ExactName: Stamp] = [:]

    /// An artifact as listed when its entry was made: its size and `created_on`, as Bitbucket
    /// wrote them.
    public struct Stamp: Hashable, Sendable {
        public let size: Int64
        public let createdOn: String

        public init(size: Int64, createdOn: String) {
            self.size = size
            self.createdOn = createdOn
        }

        /// `# bbx: size=1234 created_on=…`, or nil for a line that is not one.
        init?(comment: Substring.UnicodeScalarView) {
            let text = String(comment)
            guard text.hasPrefix(Self.prefix) else { return nil }
            var size: Int64?
            var created: String?
            for field in text.dropFirst(Self.prefix.count).split(separator: " ") {
                if field.hasPrefix("size=") { size = Int64(field.dropFirst(5)) }
                if field.hasPrefix("created_on=") { created = String(field.dropFirst(11)) }
            }
            guard let size, size >= 0, let created, !created.isEmpty else { return nil }
            self.init(size: size, createdOn: created)
        }

        /// The stamp of an artifact as listed.
        public init(_ artifact: Artifact) { self.init(size: artifact.size, createdOn: artifact.stamp) }

        public func matches(_ artifact: Artifact) -> Bool { size == artifact.size && createdOn == artifact.stamp }

        static let prefix = "# bbx: "
        var comment: String { "\(Self.prefix)size=\(size) created_on=\(createdOn)\n" }
    }

    /// An entry to set: the hash, and the listing it was made for when known.
    public struct Entry: Hashable, Sendable {
        public let sha256: String
        public let stamp: Stamp?

        public init(sha256: String, stamp: Stamp?) {
            self.sha256 = sha256.lowercased()
            self.stamp = stamp
        }
    }

    public init(entries: [String: String] = [:]) {
        self.entries = Dictionary(entries.map { (ExactName($0.key), $0.value.lowercased()) }) { first, _ in first }
    }

    /// The hash listed for `name`. Setting it drops the entry's stamp (the hash is of other bytes).
    public subscript(name: String) -> String? {
        get { entries[ExactName(name)] }
        set {
            entries[ExactName(name)] = newValue?.lowercased()
            stamps[ExactName(name)] = nil
        }
    }

    public func stamp(of name: String) -> Stamp? { stamps[ExactName(name)] }

    public mutating func set(_ name: String, _ entry: Entry) {
        entries[ExactName(name)] = entry.sha256
        stamps[ExactName(name)] = entry.stamp
    }

    /// The hash listed for the artifact, when the entry was made for it as listed now (same
    /// size and `created_on` text): nil for an entry without a stamp or with another one (the
    /// artifact was replaced since the entry was written).
    public func believed(_ artifact: Artifact) -> String? {
        let key = ExactName(artifact.name)
        guard let hash = entries[key], let stamp = stamps[key], stamp.matches(artifact) else { return nil }
        return hash
    }

    /// The names listed, in the manifest's order (bytewise).
    public var names: [String] { entries.keys.sorted().map(\.text) }

    public var count: Int { entries.count }

    /// The most a manifest may hold when read from Bitbucket: about 100,000 entries. A bigger
    /// one is refused rather than read into memory, and bbx never writes one.
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
        var stamps: [ExactName: Stamp] = [:]
        var stamp: Stamp?
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
            // A comment, as `sha256sum -c` skips it; bbx's own names the next entry's upload.
            if line.first == "#" {
                stamp = Stamp(comment: line)
                continue
            }
            defer { stamp = nil }
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
            stamps[name] = stamp
        }
        self.entries = entries
        self.stamps = stamps
    }

    /// The manifest's text: one line per entry, sorted by name (bytewise, as `LC_ALL=C sort`).
    public var text: String {
        entries.keys.sorted().map { key in
            let name = key.text
            let hex = entries[key] ?? ""
            let comment = stamps[key]?.comment ?? ""
            let needsEscape = name.unicodeScalars.contains { $0 == "\\" || $0 == "\n" || $0 == "\r" }
            guard needsEscape else { return "\(comment)\(hex)  \(name)\n" }
            var escaped = ""
            for scalar in name.unicodeScalars {
                switch scalar {
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\(comment)\\\(hex)  \(escaped)\n"
        }.joined()
    }

    /// What another writer did to the manifest since `base` was read, kept; what this run did
    /// (`changes`: a hash to set, nil to remove), applied on top.
    public func merging(_ changes: [ExactName: Entry?]) -> ChecksumManifest {
        var merged = self
        for (name, entry) in changes {
            merged.entries[name] = entry?.sha256
            merged.stamps[name] = entry?.stamp
        }
        return merged
    }

    /// Whether every change of `changes` is in this manifest (a write that another writer's
    /// overwrote is not).
    public func holds(_ changes: [ExactName: Entry?]) -> Bool {
        changes.allSatisfy { name, entry in
            entries[name] == entry?.sha256 && stamps[name] == entry?.stamp
        }
    }

    /// The manifest without the entries of `names`.
    public func removing(_ names: [String]) -> ChecksumManifest {
        var result = self
        for name in names {
            result.entries[ExactName(name)] = nil
            result.stamps[ExactName(name)] = nil
        }
        return result
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
