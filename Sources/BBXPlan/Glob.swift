/// A glob as the language defines it: `*`, `?`, `[abc]` (also ranges `[a-z]` and negation
/// `[!a]`), `{a,b}` alternatives and, in local paths, `**` for any number of folders.
///
/// Remote artifact names are flat, so in `.artifactName` mode `*` matches any characters,
/// `/` included. In `.localPath` mode `*` and `?` stay within one path segment and `**`
/// crosses segments.
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    public enum Mode: Hashable, Sendable {
        case artifactName
        case localPath
    }

    public let pattern: String
    public let mode: Mode
    /// The pattern with every `{a,b}` expanded: a name matches if any alternative does.
    private let alternatives: [[Character]]

    public init(_ pattern: String, mode: Mode = .artifactName) {
        self.pattern = pattern
        self.mode = mode
        alternatives = Self.expandBraces(Array(pattern))
    }

    public var description: String { pattern }

    /// Whether the pattern has any glob character, so that it may match several names.
    public var isLiteral: Bool { !pattern.contains { "*?[{".contains($0) } }

    public func matches(_ name: String) -> Bool {
        let text = Array(name)
        return alternatives.contains { Self.match(ArraySlice($0), ArraySlice(text), mode: mode) }
    }

    // MARK: - Matching

    /// Matching with memoised positions: each (pattern index, text index) pair is decided
    /// once, so even many stars against a long near-miss stay quadratic at worst.
    private static func match(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>, mode: Mode) -> Bool {
        let pattern = Array(pattern)
        let text = Array(text)
        var memo = [Int: Bool]()
        func at(_ p: Int, _ t: Int) -> Bool {
            let key = p * (text.count + 1) + t
            if let known = memo[key] { return known }
            let result = step(p, t)
            memo[key] = result
            return result
        }
        func step(_ p: Int, _ t: Int) -> Bool {
            guard p < pattern.count else { return t == text.count }
            let c = pattern[p]
            if c == "*" {
                var next = p + 1
                var crosses = mode == .artifactName
                if next < pattern.count, pattern[next] == "*" {
                    next += 1
                    crosses = true
                    // `**/` also matches no folder at all.
                    if next < pattern.count, pattern[next] == "/", at(next + 1, t) { return true }
                }
                // Zero characters, or one more and stay on the star.
                if at(next, t) { return true }
                guard t < text.count, crosses || text[t] != "/" else { return false }
                return at(p, t + 1)
            }
            guard t < text.count else { return false }
            let mayTake = text[t] != "/" || mode == .artifactName
            switch c {
            case "?":
                return mayTake && at(p + 1, t + 1)
            case "[":
                if let (matched, end) = matchClass(pattern[...], at: p, text[t]) {
                    return matched && mayTake && at(end, t + 1)
                }
                return text[t] == "[" && at(p + 1, t + 1)
            case "\\" where p + 1 < pattern.count:
                return pattern[p + 1] == text[t] && at(p + 2, t + 1)
            default:
                return c == text[t] && at(p + 1, t + 1)
            }
        }
        return at(0, 0)
    }

    /// `[abc]`, `[a-z]`, `[!abc]` or `[^abc]` at `start`: whether `character` is in it, and
    /// where the class ends. nil when the `[` is not closed (then it is a literal `[`).
    private static func matchClass(_ pattern: ArraySlice<Character>, at start: Int, _ character: Character)
        -> (Bool, Int)?
    {
        var index = start + 1
        var negated = false
        if index < pattern.endIndex, pattern[index] == "!" || pattern[index] == "^" {
            negated = true
            index += 1
        }
        var found = false
        var first = true
        while index < pattern.endIndex {
            let c = pattern[index]
            if c == "]", !first {
                return (found != negated, index + 1)
            }
            first = false
            if index + 2 < pattern.endIndex, pattern[index + 1] == "-", pattern[index + 2] != "]" {
                if c <= character, character <= pattern[index + 2] { found = true }
                index += 3
            } else {
                if c == character { found = true }
                index += 1
            }
        }
        return nil
    }

    // MARK: - Braces

    /// `a{b,c}d{e,f}` → `abde`, `abdf`, `acde`, `acdf`. Nested braces expand too; a brace
    /// without a closing partner or a comma is literal.
    static func expandBraces(_ pattern: [Character]) -> [[Character]] {
        guard let open = pattern.firstIndex(of: "{") else { return [pattern] }
        var depth = 0
        var commas: [Int] = []
        var close: Int?
        for index in open..<pattern.count {
            switch pattern[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { close = index }
            case "," where depth == 1: commas.append(index)
            default: break
            }
            if close != nil { break }
        }
        guard let close, !commas.isEmpty else {
            // Literal brace: keep it and expand what follows.
            return expandBraces(Array(pattern[(open + 1)...])).map { Array(pattern[...open]) + $0 }
        }
        let prefix = Array(pattern[..<open])
        let suffix = Array(pattern[(close + 1)...])
        let bounds = [open] + commas + [close]
        var results: [[Character]] = []
        for index in 0..<(bounds.count - 1) {
            let choice = Array(pattern[(bounds[index] + 1)..<bounds[index + 1]])
            results += expandBraces(prefix + choice + suffix)
        }
        return results
    }
}
