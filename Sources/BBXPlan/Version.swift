/// A version read from an artifact's name: an optional `v`, dot-separated numbers, an optional
/// `-` pre-release (dot-separated identifiers) and an optional `+` build. Ordered by SemVer
/// 2.0.0 precedence generalised to any number of numbers: numbers compare numerically, missing
/// trailing numbers count as 0 (`3.1` = `3.1.0`), a pre-release sorts before its release,
/// pre-release identifiers compare as SemVer says (numeric ones numerically, below
/// alphanumeric ones, a longer list after its prefix), build metadata is ignored.
public struct Version: Hashable, Sendable, CustomStringConvertible {
    /// As written (`v2.0.0-rc.1+b.7`).
    public let text: String
    /// The numbers, without leading zeros (compared by length, then by digits: no overflow).
    let numbers: [String]
    public let prerelease: [String]
    public let build: String?

    public var description: String { text }
    public var isPrerelease: Bool { !prerelease.isEmpty }
    public var major: Int { component(0) }
    public var minor: Int { component(1) }
    public var patch: Int { component(2) }

    func component(_ index: Int) -> Int {
        index < numbers.count ? Int(numbers[index]) ?? Int.max : 0
    }

    /// `text` whole as a version, or nil.
    public init?(_ text: String) {
        guard let (version, length) = Self.scan(Array(text.unicodeScalars), from: 0),
            length == text.unicodeScalars.count
        else { return nil }
        self = version
    }

    init(text: String, numbers: [String], prerelease: [String], build: String?) {
        self.text = text
        self.numbers = numbers
        self.prerelease = prerelease
        self.build = build
    }

    // MARK: - Reading a name

    /// The version in an artifact's name. With a pattern of the form `PREFIX*REST` (no other
    /// wildcard before the `*`, none after it), from the text the `*` matched (`app-*.zip` on
    /// `app-2.0.0-rc.1.zip` gives `2.0.0-rc.1`); otherwise from the whole name, the first run
    /// that reads as one, starting at a word boundary. A file extension at the end
    /// (`.zip`, `.tar.gz`) is never part of a pre-release.
    public static func read(from name: String, pattern: String? = nil) -> Version? {
        var text = name
        if let pattern, let captured = capture(of: pattern, in: name) { text = captured }
        return find(in: withoutExtensions(text))
    }

    /// The first run of `text` that reads as a version (`nightly-2026.12.07` → `2026.12.07`).
    public static func find(in text: String) -> Version? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let atBoundary = index == 0 || !isAlphanumeric(scalars[index - 1])
            let startsNumber =
                isDigit(scalars[index])
                || ((scalars[index] == "v" || scalars[index] == "V") && index + 1 < scalars.count
                    && isDigit(scalars[index + 1]))
            if atBoundary, startsNumber, let (version, _) = scan(scalars, from: index) { return version }
            index += 1
        }
        return nil
    }

    /// The text the first `*` of `pattern` matched in `name`, when the pattern is a literal
    /// prefix, one `*`, and a literal rest.
    static func capture(of pattern: String, in name: String) -> String? {
        let special: Set<Character> = ["*", "?", "[", "]", "{", "}", "\\"]
        guard let star = pattern.firstIndex(of: "*") else { return nil }
        let prefix = pattern[..<star]
        let rest = pattern[pattern.index(after: star)...]
        // By scalars, as names compare (bytes): `café` in its two spellings is two names, and a
        // combining mark after the prefix must not join its last letter.
        let scalars = Array(name.unicodeScalars)
        let head = Array(prefix.unicodeScalars)
        let tail = Array(rest.unicodeScalars)
        guard !prefix.contains(where: special.contains), !rest.contains(where: special.contains),
            scalars.count >= head.count + tail.count, scalars.starts(with: head),
            scalars.reversed().starts(with: tail.reversed())
        else { return nil }
        return String(String.UnicodeScalarView(scalars[head.count..<(scalars.count - tail.count)]))
    }

    /// File extensions that end release names; never read as pre-release identifiers.
    static let extensions: Set<String> = [
        "zip", "gz", "tgz", "xz", "txz", "bz2", "tbz2", "zst", "lz", "lzma", "7z", "rar", "tar", "jar", "war", "ear",
        "deb", "rpm", "apk", "aab", "ipa", "exe", "msi", "dmg", "pkg", "whl", "egg", "gem", "nupkg", "crate", "txt",
        "log", "json", "yaml", "yml", "xml", "pdf", "html", "md", "sig", "asc", "minisig", "sha256", "sha512", "md5",
        "sbom", "img", "iso", "bin", "so", "dll", "dylib", "appimage", "snap", "vsix", "crx", "xpi", "zipx", "war",
    ]

    static func withoutExtensions(_ text: String) -> String {
        var result = Substring(text)
        while let dot = result.lastIndex(of: "."), extensions.contains(result[result.index(after: dot)...].lowercased())
        {
            result = result[..<dot]
        }
        return String(result)
    }

    // MARK: - Scanning

    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        isDigit(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
    static func isIdentifier(_ c: Unicode.Scalar) -> Bool { isAlphanumeric(c) || c == "-" }

    /// The longest version starting at `start`, and where it ends.
    static func scan(_ s: [Unicode.Scalar], from start: Int) -> (Version, Int)? {
        var i = start
        if i < s.count, s[i] == "v" || s[i] == "V" { i += 1 }
        var numbers: [String] = []
        while true {
            let begin = i
            while i < s.count, isDigit(s[i]) { i += 1 }
            guard i > begin else { break }
            let digits = String(String.UnicodeScalarView(s[begin..<i]))
            let trimmed = digits.drop { $0 == "0" }
            numbers.append(trimmed.isEmpty ? "0" : String(trimmed))
            // Another number only when a digit follows the dot.
            guard i + 1 < s.count, s[i] == ".", isDigit(s[i + 1]) else { break }
            i += 1
        }
        guard !numbers.isEmpty else { return nil }
        var prerelease: [String] = []
        if i + 1 < s.count, s[i] == "-", isIdentifier(s[i + 1]) {
            var j = i + 1
            var identifiers: [String] = []
            while true {
                let begin = j
                while j < s.count, isIdentifier(s[j]) { j += 1 }
                guard j > begin else { break }
                identifiers.append(String(String.UnicodeScalarView(s[begin..<j])))
                guard j + 1 < s.count, s[j] == ".", isIdentifier(s[j + 1]) else { break }
                j += 1
            }
            if !identifiers.isEmpty {
                prerelease = identifiers
                i = j
            }
        }
        var build: String?
        if i + 1 < s.count, s[i] == "+", isIdentifier(s[i + 1]) {
            var j = i + 1
            while j < s.count, isIdentifier(s[j]) || (s[j] == "." && j + 1 < s.count && isIdentifier(s[j + 1])) {
                j += 1
            }
            build = String(String.UnicodeScalarView(s[(i + 1)..<j]))
            i = j
        }
        let text = String(String.UnicodeScalarView(s[start..<i]))
        return (Version(text: text, numbers: numbers, prerelease: prerelease, build: build), i)
    }

    // MARK: - Precedence

    /// -1, 0 or 1: SemVer precedence, generalised (build metadata ignored).
    public static func compare(_ a: Version, _ b: Version) -> Int {
        for index in 0..<max(a.numbers.count, b.numbers.count) {
            let x = index < a.numbers.count ? a.numbers[index] : "0"
            let y = index < b.numbers.count ? b.numbers[index] : "0"
            if x != y { return x.count != y.count ? (x.count < y.count ? -1 : 1) : (x < y ? -1 : 1) }
        }
        switch (a.prerelease.isEmpty, b.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            let xNumeric = x.unicodeScalars.allSatisfy(isDigit)
            let yNumeric = y.unicodeScalars.allSatisfy(isDigit)
            switch (xNumeric, yNumeric) {
            case (true, true):
                let l = x.drop { $0 == "0" }
                let r = y.drop { $0 == "0" }
                if l != r { return l.count != r.count ? (l.count < r.count ? -1 : 1) : (l < r ? -1 : 1) }
            case (true, false): return -1
            case (false, true): return 1
            case (false, false): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : 1
            }
        }
        return a.prerelease.count == b.prerelease.count ? 0 : (a.prerelease.count < b.prerelease.count ? -1 : 1)
    }

    public static func precedes(_ a: Version, _ b: Version) -> Bool { compare(a, b) < 0 }
}
