import BBXSyntax
import BitbucketModel

/// A glob as the language defines it: `*`, `?`, `[abc]` (also ranges `[a-z]` and negation
/// `[!a]`), `{a,b}` alternatives, `\x` for a literal `x`, and, in local paths, `**` for any
/// number of folders.
///
/// Remote artifact names are flat, so in `.artifactName` mode `*` matches any characters,
/// `/` included. In `.localPath` mode `*` and `?` stay within one path segment and `**`
/// crosses segments.
///
/// Names come from servers and are untrusted, so matching is a simulation of the pattern's
/// automaton over the name: no recursion (a 1 MiB name cannot exhaust the stack), time
/// proportional to name length × pattern length, and `{a,b}` alternatives are branches of the
/// automaton rather than expanded copies of the pattern (twenty-four of them cost 24 branches,
/// not 2²⁴ patterns).
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    public enum Mode: Hashable, Sendable {
        case artifactName
        case localPath
    }

    public let pattern: String
    public let mode: Mode
    private let program: Program
    /// Patterns most scripts use (`*`, `app-*`, `*.zip`, a plain name) need no automaton.
    private let shortcut: Shortcut?

    private enum Shortcut: Hashable, Sendable {
        case everything
        case exactly(String)
        case prefix(String)
        case suffix(String)
    }

    /// The characters that make a pattern match more than its own text; `\` before one of them
    /// (or before `\`) makes it literal.
    public static let specialCharacters = GlobSyntax.escapable

    public init(_ pattern: String, mode: Mode = .artifactName) {
        self.pattern = pattern
        self.mode = mode
        program = Program(Array(pattern.unicodeScalars), mode: mode)
        shortcut = Self.shortcut(for: pattern, mode: mode)
    }

    private static func shortcut(for pattern: String, mode: Mode) -> Shortcut? {
        let plain = { (text: Substring) in !text.unicodeScalars.contains { specialCharacters.contains($0) } }
        if pattern == "*" && mode == .artifactName { return .everything }
        if plain(pattern[...]) { return .exactly(pattern) }
        guard mode == .artifactName else { return nil }
        if pattern.hasSuffix("*"), plain(pattern.dropLast()) { return .prefix(String(pattern.dropLast())) }
        if pattern.hasPrefix("*"), plain(pattern.dropFirst()) { return .suffix(String(pattern.dropFirst())) }
        return nil
    }

    public var description: String { pattern }

    /// Whether the pattern has any glob character, so that it may match several names.
    public var isLiteral: Bool { !GlobSyntax.hasWildcards(pattern) }

    /// A pattern that matches exactly `name`: every special character escaped with `\`.
    public static func escaping(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if specialCharacters.contains(scalar) { result.unicodeScalars.append("\\") }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    public func matches(_ name: String) -> Bool {
        switch shortcut {
        case .everything: return true
        // By bytes, not String's canonical equality (see GlobSyntax). A byte suffix of UTF-8 that
        // starts with a whole character starts at a character boundary.
        case .exactly(let text): return name.isExactly(text)
        case .prefix(let text): return name.utf8.starts(with: text.utf8)
        case .suffix(let text): return name.utf8.reversed().starts(with: text.utf8.reversed())
        case nil: return program.matches(Array(name.unicodeScalars))
        }
    }
}

// MARK: - The automaton

/// A Thompson automaton: each instruction consumes one character (a Unicode scalar) or branches without
/// consuming; a name matches when `.match` is reachable after its last character.
private struct Program: Hashable, Sendable {
    enum Instruction: Hashable, Sendable {
        /// One character equal to this one.
        case character(Unicode.Scalar)
        /// Any one character (`?`, or a step of `*`); `crossesSlash` false in a path segment.
        case any(crossesSlash: Bool)
        /// One character in (or, negated, not in) a class.
        case characterClass(CharacterClass)
        /// Continue at both targets.
        case split(Int, Int)
        case jump(Int)
        case match
    }

    struct CharacterClass: Hashable, Sendable {
        var negated = false
        var singles: Set<Unicode.Scalar> = []
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        /// In a path, a class never matches `/`.
        var crossesSlash: Bool

        func contains(_ character: Unicode.Scalar) -> Bool {
            if character == "/" && !crossesSlash { return false }
            let found = singles.contains(character) || ranges.contains { $0.contains(character) }
            return found != negated
        }
    }

    var instructions: [Instruction] = []
    let mode: Mode

    typealias Mode = Glob.Mode

    /// Deeper brace nesting than this is taken literally: it bounds the compiler's recursion.
    static let maximumBraceDepth = 64

    init(_ pattern: [Unicode.Scalar], mode: Mode) {
        self.mode = mode
        compile(pattern[...], depth: 0)
        instructions.append(.match)
    }

    // MARK: Compiling

    private mutating func emit(_ instruction: Instruction) -> Int {
        instructions.append(instruction)
        return instructions.count - 1
    }

    /// `*` (or `**`): any number of characters, looping on one `.any`.
    private mutating func emitStar(crossesSlash: Bool) {
        let split = emit(.split(0, 0))
        let any = emit(.any(crossesSlash: crossesSlash))
        _ = any
        _ = emit(.jump(split))
        instructions[split] = .split(split + 1, instructions.count)
    }

    private mutating func compile(_ pattern: ArraySlice<Unicode.Scalar>, depth: Int) {
        var index = pattern.startIndex
        while index < pattern.endIndex {
            let c = pattern[index]
            switch c {
            case "*":
                var next = index + 1
                if mode == .localPath, next < pattern.endIndex, pattern[next] == "*" {
                    next += 1
                    if next < pattern.endIndex, pattern[next] == "/" {
                        // `**/`: no folder at all, or any path ending in `/`.
                        let split = emit(.split(0, 0))
                        emitStar(crossesSlash: true)
                        _ = emit(.character("/"))
                        instructions[split] = .split(split + 1, instructions.count)
                        next += 1
                    } else {
                        emitStar(crossesSlash: true)
                    }
                } else {
                    // In artifact names `**` is two stars, and one star already crosses `/`.
                    while next < pattern.endIndex, pattern[next] == "*", mode == .artifactName { next += 1 }
                    emitStar(crossesSlash: mode == .artifactName)
                }
                index = next
            case "?":
                _ = emit(.any(crossesSlash: mode == .artifactName))
                index += 1
            case "[":
                if let (characterClass, end) = Self.parseClass(pattern, at: index, crossesSlash: mode == .artifactName)
                {
                    _ = emit(.characterClass(characterClass))
                    index = end
                } else {
                    _ = emit(.character("["))
                    index += 1
                }
            case "\\" where index + 1 < pattern.endIndex:
                _ = emit(.character(pattern[index + 1]))
                index += 2
            case "{":
                if depth < Self.maximumBraceDepth, let (choices, end) = Self.splitBraces(pattern, at: index) {
                    // split → choice 1 → jump end; split → choice 2 → jump end; … last choice.
                    var jumps: [Int] = []
                    for (number, choice) in choices.enumerated() {
                        if number < choices.count - 1 {
                            let split = emit(.split(0, 0))
                            compile(choice, depth: depth + 1)
                            jumps.append(emit(.jump(0)))
                            instructions[split] = .split(split + 1, instructions.count)
                        } else {
                            compile(choice, depth: depth + 1)
                        }
                    }
                    for jump in jumps { instructions[jump] = .jump(instructions.count) }
                    index = end
                } else {
                    _ = emit(.character("{"))
                    index += 1
                }
            default:
                _ = emit(.character(c))
                index += 1
            }
        }
    }

    /// `{a,b,c}` at `open`: the alternatives (split at top-level commas) and the index after the
    /// closing brace. nil when the brace is not closed or holds no comma: then it is literal.
    private static func splitBraces(_ pattern: ArraySlice<Unicode.Scalar>, at open: Int)
        -> ([ArraySlice<Unicode.Scalar>], Int)?
    {
        var depth = 0
        var start = open + 1
        var choices: [ArraySlice<Unicode.Scalar>] = []
        var index = open
        while index < pattern.endIndex {
            switch pattern[index] {
            case "\\":
                index += 1
            case "{":
                depth += 1
            case "}":
                depth -= 1
                if depth == 0 {
                    guard !choices.isEmpty else { return nil }
                    choices.append(pattern[start..<index])
                    return (choices, index + 1)
                }
            case "," where depth == 1:
                choices.append(pattern[start..<index])
                start = index + 1
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// `[abc]`, `[a-z]`, `[!abc]` or `[^abc]` at `start`, and where the class ends. nil when the
    /// `[` is not closed (then it is a literal `[`).
    private static func parseClass(_ pattern: ArraySlice<Unicode.Scalar>, at start: Int, crossesSlash: Bool)
        -> (CharacterClass, Int)?
    {
        var result = CharacterClass(crossesSlash: crossesSlash)
        var index = start + 1
        if index < pattern.endIndex, pattern[index] == "!" || pattern[index] == "^" {
            result.negated = true
            index += 1
        }
        var first = true
        while index < pattern.endIndex {
            let c = pattern[index]
            if c == "]", !first { return (result, index + 1) }
            first = false
            if index + 2 < pattern.endIndex, pattern[index + 1] == "-", pattern[index + 2] != "]" {
                let upper = pattern[index + 2]
                if c <= upper { result.ranges.append(c...upper) }
                index += 3
            } else {
                result.singles.insert(c)
                index += 1
            }
        }
        return nil
    }

    // MARK: Running

    /// Steps every live state over each character at once (Thompson's simulation).
    func matches(_ text: [Unicode.Scalar]) -> Bool {
        var current: [Int] = []
        var next: [Int] = []
        // The generation in which each instruction was last added, to add each once per step.
        var seen = [Int](repeating: -1, count: instructions.count)
        var stack: [Int] = []

        func add(_ start: Int, to list: inout [Int], generation: Int) {
            stack.append(start)
            while let pc = stack.popLast() {
                guard seen[pc] != generation else { continue }
                seen[pc] = generation
                switch instructions[pc] {
                case .split(let a, let b):
                    stack.append(b)
                    stack.append(a)
                case .jump(let target):
                    stack.append(target)
                default:
                    list.append(pc)
                }
            }
        }

        add(0, to: &current, generation: 0)
        for (position, character) in text.enumerated() {
            if current.isEmpty { return false }
            let generation = position + 1
            next.removeAll(keepingCapacity: true)
            for pc in current {
                let takes: Bool
                switch instructions[pc] {
                case .character(let expected): takes = character == expected
                case .any(let crossesSlash): takes = crossesSlash || character != "/"
                case .characterClass(let characterClass): takes = characterClass.contains(character)
                case .match, .split, .jump: takes = false
                }
                if takes { add(pc + 1, to: &next, generation: generation) }
            }
            swap(&current, &next)
        }
        return current.contains { instructions[$0] == .match }
    }
}
