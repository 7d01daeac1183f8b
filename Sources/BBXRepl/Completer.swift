import BBXCheck
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation

/// Tab completion, from what the session already knows: never a request per keystroke.
public struct Completer: Sendable {
    /// What a completion replaces: the text from `start` to the cursor.
    public struct Result: Equatable, Sendable {
        public let start: Int
        public let candidates: [String]
        /// Appended after a single candidate: a space after a word, `"` after a whole name.
        public let suffix: String
    }

    /// The meta-commands, with their arguments and what they do: `:help` prints this list and
    /// Tab completes its names, so neither can leave one out.
    public static let metaCommandHelp: [(usage: String, meaning: String)] = [
        (":help", "this text"),
        (":quit", "leave (Ctrl-D too)"),
        (":dry-run on|off", "only plan entries (on), or plan and apply them (off)"),
        (":use REPO", "set the current repository (workspace/slug) and read it"),
        (":vars", "the names bound so far, the repository, dry-run"),
        (":load FILE", "run a script file as one entry"),
        (":refresh", "read the current repository again (completion, :vars)"),
        (":save FILE", "write the statements that were applied as a new script"),
        (":save! FILE", "the same, replacing FILE if it exists"),
    ]

    public static let metaCommands = metaCommandHelp.map { String($0.usage.prefix { $0 != " " }) }
    public var names: [String] = []
    /// The artifact names of the current repository, as last read.
    public var artifacts: [String] = []
    /// Lists a local directory (names, directories ending in `/`).
    public var listDirectory: @Sendable (String) -> [String] = Completer.diskListing

    public init(names: [String] = [], artifacts: [String] = []) {
        self.names = names
        self.artifacts = artifacts
    }

    /// The candidates for the text before the cursor (`line` is only that text).
    public func complete(_ line: String) -> Result {
        let characters = Array(line)
        let scan = scan(characters)
        if scan.inComment { return Result(start: line.utf8.count, candidates: [], suffix: "") }
        if let quote = scan.openQuote {
            let typed = String(characters[(quote + 1)...])
            let statement = statementWords(String(characters[..<quote]))
            let start = line.utf8.count - typed.utf8.count
            let quoteCharacter = characters[quote]
            let tag = Statement.Tag.allCases.first { $0.keyword == statement.first }
            if tag?.strings == .localFiles || statement.contains("files(") {
                return paths(typed, start: start, quote: quoteCharacter)
            }
            if tag?.strings == .artifacts || statement.contains("exists") || statement.contains("artifacts(") {
                // Names are inserted as patterns that match exactly them, written as the string
                // they stand in: a name is untrusted, and `x*" ; delete "*` must stay one name.
                // What was typed is matched as text (a `[` typed is that character, as in the
                // name) or as the escaped pattern Tab inserts; the escaped pattern is inserted.
                let matches = artifacts.compactMap { name in
                    Self.literal(name, quote: quoteCharacter).flatMap {
                        name.hasPrefix(typed) || $0.hasPrefix(typed) ? $0 : nil
                    }
                }.sorted()
                return Result(start: start, candidates: matches, suffix: String(quoteCharacter))
            }
            return Result(start: start, candidates: [], suffix: "")
        }
        var index = characters.count
        while index > 0,
            characters[index - 1].isLetter || characters[index - 1].isNumber || "_:-".contains(characters[index - 1])
        {
            index -= 1
        }
        let typed = String(characters[index...])
        let start = line.utf8.count - typed.utf8.count
        let before = statementWords(String(characters[..<index]))
        if before.isEmpty && typed.hasPrefix(":") {
            return Result(start: start, candidates: Self.metaCommands.filter { $0.hasPrefix(typed) }, suffix: " ")
        }
        if typed.isEmpty { return Result(start: start, candidates: [], suffix: "") }
        // Distinct by bytes: two Unicode spellings of one artifact name are two artifacts.
        var seen = Set<ExactName>()
        let matches = vocabulary(after: before).filter {
            $0.hasPrefix(typed) && seen.insert(ExactName($0)).inserted
        }.sorted()
        let suffix = matches.count == 1 && matches[0].hasSuffix("(") ? "" : " "
        return Result(start: start, candidates: matches, suffix: suffix)
    }

    /// The words that can follow `before` (the statement's words so far): a clause's own words
    /// after its lead word, else keywords, bound names and functions.
    func vocabulary(after before: [String]) -> [String] {
        if let last = before.last, let words = Self.followingWords[last] { return words }
        if before.count == 2, let words = Self.followingWords["\(before[0]) KEY"] { return words }
        return Keyword.allCases.map(\.rawValue) + Statement.Tag.contextualKeywords + names
            + Builtins.functions.keys.map { $0 + "(" }
    }

    /// Every statement kind's words that follow another word (`on` → `conflict`).
    static let followingWords: [String: [String]] = Statement.Tag.allCases.reduce(into: [:]) { table, tag in
        table.merge(tag.followingWords) { first, _ in first }
    }

    /// `name` as the text of a string (opened by `quote`) holding a pattern that matches only
    /// `name`: glob characters escaped with `\\`, then the string's own escapes (`\\`, the quote,
    /// and in double quotes `$` and control characters). nil for a name no string can spell
    /// (a control character other than newline and tab, or a single-quoted newline).
    public static func literal(_ name: String, quote: Character = "\"") -> String? {
        let pattern = Glob.escaping(name)
        var text = ""
        for character in pattern {
            switch character {
            case "\\": text += "\\\\"
            case quote: text += "\\" + String(quote)
            case "$" where quote == "\"": text += "\\$"
            case "\n" where quote == "\"": text += "\\n"
            case "\t" where quote == "\"": text += "\\t"
            default:
                if character.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return nil }
                text.append(character)
            }
        }
        return text
    }

    /// Local paths below the directory part of `typed`; directories end in `/` and take no suffix.
    func paths(_ typed: String, start: Int, quote: Character) -> Result {
        let slash = typed.lastIndex(of: "/")
        let directory = slash.map { String(typed[...$0]) } ?? ""
        let prefix = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        // As for artifact names: what was typed matches as text or as the escaped pattern.
        let candidates = listDirectory(directory.isEmpty ? "." : directory).sorted().compactMap { entry -> String? in
            guard prefix.hasPrefix(".") || !entry.hasPrefix("."), let literal = Self.literal(entry, quote: quote),
                entry.hasPrefix(prefix) || literal.hasPrefix(prefix)
            else { return nil }
            return directory + literal
        }
        let suffix = candidates.count == 1 && !candidates[0].hasSuffix("/") ? "\"" : ""
        return Result(start: start, candidates: candidates, suffix: suffix)
    }

    /// Where the cursor is: inside a string (and where it opened), or in a comment.
    func scan(_ characters: [Character]) -> (openQuote: Int?, inComment: Bool) {
        var open: (index: Int, quote: Character)?
        var escaped = false
        for (index, character) in characters.enumerated() {
            if escaped {
                escaped = false
                continue
            }
            if let current = open {
                if character == "\\" {
                    escaped = true
                } else if character == current.quote {
                    open = nil
                }
            } else if character == "\"" || character == "'" {
                open = (index, character)
            } else if character == "#" {
                return (nil, true)
            }
        }
        return (open?.index, false)
    }

    /// The words of the statement being typed (after the last `;` or `{`), `files(` kept whole.
    func statementWords(_ text: String) -> [String] {
        let statement = text.split(whereSeparator: { $0 == ";" || $0 == "{" || $0 == "\n" }).last.map(String.init) ?? ""
        return statement.replacingOccurrences(of: "(", with: "( ").split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == ","
        })
        .map(String.init)
    }

    public static let diskListing: @Sendable (String) -> [String] = { directory in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.map { name in
            var isDirectory: ObjCBool = false
            let path = directory == "." ? name : (directory as NSString).appendingPathComponent(name)
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            return isDirectory.boolValue ? name + "/" : name
        }
    }
}

/// The longest text every candidate starts with.
public func commonPrefix(_ candidates: [String]) -> String {
    guard var prefix = candidates.first else { return "" }
    for candidate in candidates.dropFirst() {
        while !candidate.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
}
