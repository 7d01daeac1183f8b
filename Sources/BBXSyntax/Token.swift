/// Words the grammar reserves: they can never be names.
///
/// Words that only mean something in one place (`conflict`, `replace`, `skip`, `update`,
/// `descriptor`, `url`, `values`, `value`, `add`, `set`, `remove`, `clear`) are contextual: they
/// lex as identifiers and stay usable as names.
public enum Keyword: String, CaseIterable, Sendable {
    case use, `let`, upload, download, delete, prune, list, print, assert, fail
    case `if`, `else`, `for`, `in`, exists, and, or, not, matches, `true`, `false`
    case `as`, to, from, on, keep, older, than
    case addon, linkers, linker
}

public enum TokenKind: Hashable, Sendable {
    case identifier
    case keyword(Keyword)
    case integer
    case duration
    /// A bare repository reference: `acme/app`, `acme-corp/web.site_2`.
    case repository
    /// `"` opening a string with escapes and interpolation.
    case stringStart
    /// Literal text inside a double-quoted string (escapes already decoded in `value`).
    case stringText
    /// `${` inside a double-quoted string.
    case interpolationStart
    /// `}` closing an interpolation.
    case interpolationEnd
    /// `"` closing a string.
    case stringEnd
    /// A whole single-quoted raw string.
    case rawString
    case leftBrace, rightBrace, leftBracket, rightBracket, leftParen, rightParen
    case comma, dot, semicolon, newline
    case assign, equal, notEqual, less, lessEqual, greater, greaterEqual, coalesce
    /// `# ...` to the end of the line (trivia: the parser skips it, the formatter keeps it).
    case comment
    /// Bytes the lexer could not read; already reported.
    case invalid
    case endOfFile
}

/// A decoded literal value carried by a token.
public enum TokenValue: Hashable, Sendable {
    case text(String)
    case integer(Int)
    case duration(seconds: Int)
}

public struct Token: Hashable, Sendable {
    public let kind: TokenKind
    public let range: SourceRange
    public let value: TokenValue?

    public init(_ kind: TokenKind, _ range: SourceRange, value: TokenValue? = nil) {
        self.kind = kind
        self.range = range
        self.value = value
    }
}

extension TokenKind {
    /// How diagnostics name a token kind (`expected ..., found <this>`).
    public var spelling: String {
        switch self {
        case .identifier: return "a name"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .integer: return "an integer"
        case .duration: return "a duration"
        case .repository: return "a repository"
        case .stringStart, .rawString: return "a string"
        case .stringText: return "string text"
        case .interpolationStart: return "'${'"
        case .interpolationEnd: return "'}'"
        case .stringEnd: return "'\"'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .semicolon: return "';'"
        case .newline: return "a newline"
        case .assign: return "'='"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .coalesce: return "'??'"
        case .comment: return "a comment"
        case .invalid: return "an unreadable character"
        case .endOfFile: return "the end of the input"
        }
    }

    /// Tokens that are not part of the syntax tree.
    public var isTrivia: Bool { self == .comment }
}
