import Foundation

/// The examples of a Markdown document that show a command with its output, as the doc tests
/// run them (the way Rust's doctests or mdBook's `test` keep a book true).
///
/// - A fenced block whose first line is `# NAME.bbx` (or `# NAME.bbx: what it does`) is a
///   script: it is written to the example's folder as NAME.bbx before the commands after it.
/// - A fenced block whose lines start with `$ ` holds commands, each followed by the output it
///   shows. Only `bbx` commands run (`cd examples && ` in front is where they run anyway).
/// - `<!-- example: … -->` on the line before a block sets how it runs: `continues` (the folder
///   and sandbox of the example before), `status=N` (the last command's exit status, default
///   0; `status=N,M` gives each command's),
///   and `env=NAME=VALUE`. An example that cannot run here says so visibly: its block's first
///   line is `# not run by the doc tests: WHY`.
/// - In shown output, a line `…` (however indented) stands for any number of lines, and `…` inside a line for any
///   text; ports, times of day and run times are compared loosely.
public struct GuideExample: Sendable {
    public struct Command: Sendable {
        /// After `bbx`: `run`, `release.bbx`, … (quotes removed, comments dropped).
        public let arguments: [String]
        /// The output as the document shows it.
        public let expected: [String]
        /// For `bbx repl`: the lines typed after its prompts.
        public let input: [String]
        /// `VERSION=1.4.0 bbx run …`: the variables set in front.
        public var environment: [String: String] = [:]
    }

    /// The exit status command `index` must end with.
    public func status(of index: Int) -> Int32 {
        if statuses.count == commands.count { return statuses[index] }
        return index == commands.count - 1 ? statuses.last ?? 0 : 0
    }

    /// Where the block starts (1-based line of the opening fence).
    public let line: Int
    public var scripts: [(name: String, text: String)] = []
    public var commands: [Command] = []
    public var continues = false
    /// The exit status of the last command (`status=65`), or of each (`status=65,65`).
    public var statuses: [Int32] = []
    public var environment: [String: String] = [:]
    /// Why it cannot run here, when it cannot.
    public var notRun: String?

    /// Every example of `markdown`, in order.
    public static func parse(_ markdown: String) -> [GuideExample] {
        let lines = markdown.components(separatedBy: "\n")
        var examples: [GuideExample] = []
        var pendingScripts: [(name: String, text: String)] = []
        var index = 0
        while index < lines.count {
            guard lines[index].hasPrefix("```") else {
                index += 1
                continue
            }
            let open = index
            var body: [String] = []
            index += 1
            while index < lines.count, !lines[index].hasPrefix("```") {
                body.append(lines[index])
                index += 1
            }
            index += 1
            let directive = open > 0 ? Self.directive(lines[open - 1]) : nil
            if let first = body.first, first.hasPrefix("# "), let name = Self.scriptName(first) {
                pendingScripts.append((name, body.joined(separator: "\n") + "\n"))
                continue
            }
            // `# not run by the doc tests: WHY` above the commands: shown, and counted.
            var notRun: String?
            if let first = body.first, first.hasPrefix(Self.notRunMark) {
                notRun = first.dropFirst(Self.notRunMark.count).trimmingCharacters(in: .whitespaces)
                body.removeFirst()
            }
            guard body.first?.hasPrefix("$ ") == true else { continue }
            var example = GuideExample(line: open + 1)
            example.notRun = notRun
            example.scripts = pendingScripts
            pendingScripts = []
            example.commands = Self.commands(body)
            for part in directive ?? [] {
                if part == "continues" { example.continues = true }
                if part.hasPrefix("status=") {
                    example.statuses = part.dropFirst(7).split(separator: ",").compactMap { Int32($0) }
                }
                if part.hasPrefix("env=") {
                    let pair = part.dropFirst(4).split(separator: "=", maxSplits: 1).map(String.init)
                    if pair.count == 2 { example.environment[pair[0]] = pair[1] }
                }
            }
            examples.append(example)
        }
        return examples
    }

    public static let notRunMark = "# not run by the doc tests:"

    /// `<!-- example: continues status=65 -->` → its words.
    static func directive(_ line: String) -> [String]? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<!-- example:"), trimmed.hasSuffix("-->") else { return nil }
        let inner = trimmed.dropFirst("<!-- example:".count).dropLast(3).trimmingCharacters(in: .whitespaces)
        return inner.split(separator: " ").map(String.init)
    }

    /// `# release.bbx` or `# release.bbx: …` → `release.bbx`.
    static func scriptName(_ line: String) -> String? {
        let word = line.dropFirst(2).prefix { $0 != ":" && $0 != " " }
        guard word.hasSuffix(".bbx"), !word.contains("/") else { return nil }
        return String(word)
    }

    static func commands(_ body: [String]) -> [Command] {
        var commands: [Command] = []
        var index = 0
        while index < body.count {
            guard body[index].hasPrefix("$ ") else {
                index += 1
                continue
            }
            var text = String(body[index].dropFirst(2))
            index += 1
            while text.hasSuffix("\\"), index < body.count {
                text = String(text.dropLast()) + " " + body[index].trimmingCharacters(in: .whitespaces)
                index += 1
            }
            var output: [String] = []
            while index < body.count, !body[index].hasPrefix("$ ") {
                output.append(body[index])
                index += 1
            }
            while output.last == "" { output.removeLast() }
            var words = Self.words(Self.withoutComment(text))
            if words.starts(with: ["cd", "examples", "&&"]) { words.removeFirst(3) }
            var environment: [String: String] = [:]
            while let first = words.first, let equals = first.firstIndex(of: "="), first != "=",
                first[..<equals].allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber })
            {
                environment[String(first[..<equals])] = String(first[first.index(after: equals)...])
                words.removeFirst()
            }
            guard words.first == "bbx" else {
                commands.append(Command(arguments: words, expected: output, input: []))
                continue
            }
            words.removeFirst()
            if words.first == "repl" {
                // A transcript: what follows a prompt was typed; the rest is what bbx printed.
                var input: [String] = []
                var shown: [String] = []
                for line in output {
                    if let typed = Self.typed(line) {
                        input.append(typed)
                    } else if !(line.hasPrefix("bbx ") && line.contains(" — :help")) {
                        // The greeting is for a terminal; piped, the REPL prints none.
                        shown.append(line)
                    }
                }
                commands.append(Command(arguments: words, expected: shown, input: input, environment: environment))
            } else {
                commands.append(Command(arguments: words, expected: output, input: [], environment: environment))
            }
        }
        return commands
    }

    /// The text typed after a REPL prompt (`bbx acme/app> `, `...> `), or nil.
    static func typed(_ line: String) -> String? {
        if line.hasPrefix("...> ") { return String(line.dropFirst(5)) }
        guard line.hasPrefix("bbx"), let prompt = line.range(of: "> ") else { return nil }
        let head = line[..<prompt.lowerBound]
        guard !head.contains(" — ") else { return nil }
        return String(line[prompt.upperBound...])
    }

    /// A trailing `# comment` after two spaces, outside quotes.
    static func withoutComment(_ text: String) -> String {
        var quote: Character?
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#", index >= 2, characters[index - 1] == " ", characters[index - 2] == " " {
                return String(characters[..<index]).trimmingCharacters(in: .whitespaces)
            }
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Shell-like words: spaces separate, quotes group (and are removed).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Whether `actual` shows what `expected` shows: line by line after `normalized`, a line
    /// `…` matching any number of lines, `…` inside a line any text.
    public static func matches(_ expected: [String], _ actual: [String]) -> Bool {
        let expected = expected.map(normalized)
        let actual = actual.map(normalized)
        func match(_ e: Int, _ a: Int) -> Bool {
            if e == expected.count { return a == actual.count }
            if expected[e].trimmingCharacters(in: .whitespaces) == "…" {
                for next in a...actual.count where match(e + 1, next) { return true }
                return false
            }
            guard a < actual.count, lineMatches(expected[e], actual[a]) else { return false }
            return match(e + 1, a + 1)
        }
        return match(0, 0)
    }

    static func lineMatches(_ expected: String, _ actual: String) -> Bool {
        guard expected.contains("…") else { return expected == actual }
        let pattern =
            "^" + expected.components(separatedBy: "…").map(NSRegularExpression.escapedPattern).joined(separator: ".*")
            + "$"
        return actual.range(of: pattern, options: .regularExpression) != nil
    }

    /// Ports, times of day and run times vary from run to run; trailing spaces do not count.
    public static func normalized(_ line: String) -> String {
        var line = line
        for (pattern, replacement) in [
            (#"127\.0\.0\.1:\d+"#, "127.0.0.1:PORT"),
            (#"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"#, "YYYY-MM-DD hh:mm:ss UTC"),
            (#"in \d+\.\d s\b"#, "in N.N s"),
        ] {
            line = line.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}
