import BBXSyntax

/// The result of formatting: the canonical text, or the syntax errors that prevent it.
public enum FormatResult: Sendable {
    case formatted(String)
    case syntaxErrors([Diagnostic])
}

/// Rewrites a script into its one canonical layout.
///
/// It works on the token stream, never on the syntax tree, and only decides the whitespace
/// between tokens: so every comment is kept by construction and the tree cannot change. Strings
/// (with their interpolations) are copied exactly as written. The rules:
/// - one statement per line (`;` between statements becomes a line break), four spaces per block;
/// - `{` ends its header's line, `}` stands on its own line, `} else {` stays together;
/// - one space between tokens, none inside `( )` and `[ ]`, before `,` or around `.`;
/// - at most one blank line in a row, none at the start or end of a block or the file;
/// - line breaks inside `( )` and `[ ]` are kept, continuation lines indented one level more;
/// - a comment after code is kept on its line, one space after the code.
public enum Formatter {
    public static let indentation = "    "

    public static func format(_ source: SourceFile) -> FormatResult {
        let parsed = Parser.parse(source)
        if parsed.diagnostics.hasErrors { return .syntaxErrors(parsed.diagnostics) }
        var layout = Layout(source: source, tokens: parsed.tokens)
        return .formatted(layout.run())
    }
}

/// The formatter's walk over the tokens.
private struct Layout {
    let source: SourceFile
    let tokens: [Token]
    var output = ""
    var blocks = 0
    var brackets = 0
    /// Line breaks seen since the last token written (2 or more: keep one blank line).
    var pendingBreaks = 0
    /// The current line ends in a comment: the next token must start a new line.
    var lineClosed = false
    /// A line break is due after `{`, `}` or `;` even if the source has none; a newline that
    /// follows is that same break, not a blank line.
    var breakDue = false
    var previous: TokenKind?
    var afterOpenBrace = false

    mutating func run() -> String {
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            switch token.kind {
            case .endOfFile:
                index = tokens.count
                continue
            case .newline:
                pendingBreaks += 1
            case .semicolon:
                breakDue = true
            case .comment:
                writeComment(token)
            case .leftBrace:
                // The block opens on its header's line, whatever the source did.
                if !lineClosed { pendingBreaks = 0 }
                write(text(token), kind: .leftBrace)
                blocks += 1
                breakDue = true
                afterOpenBrace = true
            case .rightBrace:
                blocks -= 1
                breakDue = true
                write(text(token), kind: .rightBrace)
                if let next = nextSignificant(after: index), tokens[next].kind == .keyword(.else) {
                    // `} else` on one line; only newlines lie between, so nothing is lost.
                    index = next
                    write("else", kind: .keyword(.else))
                } else {
                    breakDue = true
                }
            case .leftParen, .leftBracket:
                write(text(token), kind: token.kind)
                brackets += 1
            case .rightParen, .rightBracket:
                brackets -= 1
                write(text(token), kind: token.kind)
            case .stringStart:
                let end = matchingStringEnd(from: index)
                let range = SourceRange(token.range.start, tokens[end].range.end)
                write(source.text(of: range), kind: .stringStart)
                index = end
            default:
                write(text(token), kind: token.kind)
            }
            index += 1
        }
        while output.hasSuffix("\n") { output.removeLast() }
        return output.isEmpty ? "" : output + "\n"
    }

    func text(_ token: Token) -> String { source.text(of: token.range) }

    /// The next token that is not a line break, if only line breaks come before it.
    func nextSignificant(after index: Int) -> Int? {
        var next = index + 1
        while next < tokens.count, tokens[next].kind == .newline { next += 1 }
        return next < tokens.count ? next : nil
    }

    /// The `"` that closes the string opening at `index` (nested strings skipped).
    func matchingStringEnd(from index: Int) -> Int {
        var depth = 0
        var i = index
        while i < tokens.count {
            switch tokens[i].kind {
            case .stringStart: depth += 1
            case .stringEnd:
                depth -= 1
                if depth == 0 { return i }
            case .endOfFile: return i - 1
            default: break
            }
            i += 1
        }
        return tokens.count - 1
    }

    /// Starts a new line if one is due: one break, plus one blank line where the source had one
    /// and the place allows it.
    mutating func breakLineIfDue(before kind: TokenKind?) {
        guard pendingBreaks > 0 || lineClosed || breakDue else { return }
        if !output.isEmpty {
            output += "\n"
            let blankAllowed = !afterOpenBrace && kind != .rightBrace && brackets == 0
            if pendingBreaks >= 2, blankAllowed { output += "\n" }
            output += String(repeating: Formatter.indentation, count: max(0, blocks + brackets))
        }
        pendingBreaks = 0
        lineClosed = false
        breakDue = false
    }

    mutating func write(_ text: String, kind: TokenKind) {
        let startsLine = pendingBreaks > 0 || lineClosed || breakDue || output.isEmpty
        breakLineIfDue(before: kind)
        if !startsLine, let previous, needsSpace(between: previous, and: kind) {
            output += " "
        }
        output += text
        previous = kind
        if kind != .leftBrace { afterOpenBrace = false }
    }

    mutating func writeComment(_ token: Token) {
        var comment = text(token)
        while comment.last == " " || comment.last == "\t" || comment.last == "\r" { comment.removeLast() }
        if pendingBreaks == 0, !lineClosed, !output.isEmpty {
            output += " " + comment
        } else {
            breakLineIfDue(before: .comment)
            output += comment
            afterOpenBrace = false
        }
        lineClosed = true
        previous = .comment
    }

    func needsSpace(between previous: TokenKind, and next: TokenKind) -> Bool {
        switch previous {
        case .leftParen, .leftBracket, .dot: return false
        default: break
        }
        switch next {
        case .rightParen, .rightBracket, .comma, .dot: return false
        case .leftParen: return previous != .identifier
        default: return true
        }
    }
}
