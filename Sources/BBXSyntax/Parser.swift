/// What parsing produced: the syntax tree (with whatever statements could be read), every token
/// (comments included, for the formatter), and every problem found by the lexer and the parser.
public struct ParseResult: Sendable {
    public let source: SourceFile
    public let script: Script
    public let tokens: [Token]
    public let diagnostics: [Diagnostic]
    /// The input stopped inside a block, a string, brackets or a statement's header, with no
    /// other error: more lines could complete it. The REPL asks for a continuation line.
    public let isIncomplete: Bool
}

/// A recursive-descent parser over the lexer's tokens.
///
/// Errors are recorded, never thrown to the caller: a statement that fails to parse is skipped up
/// to the next newline, `;` or closing `}` (panic mode), and parsing goes on, so one run reports
/// every syntax error. Nesting is limited so hostile input cannot exhaust the stack.
public struct Parser {
    /// Deepest nesting of blocks, brackets, parentheses, `not` and interpolations.
    public static let maximumNesting = 64
    /// Longest run of binary operators (`a or b or …`) in one expression, nested runs added up.
    /// Each operator is one level of the syntax tree, which every later phase walks
    /// recursively; bounding it here keeps hostile scripts from exhausting their stacks.
    public static let maximumOperators = 512
    /// A file with more errors than this stops being read: the rest would be noise.
    public static let maximumErrors = 50

    /// Thrown inside the parser to abandon the current statement; the diagnostic is already recorded.
    struct StatementError: Error {}
    /// Thrown to stop parsing the file altogether (nesting or error limit reached).
    struct Abort: Error {}

    let source: SourceFile
    /// Tokens without comments.
    var tokens: [Token]
    var current = 0
    var diagnostics: [Diagnostic] = []
    /// Delimiters opened and not yet closed, innermost last, for notes and continuation.
    var openers: [(spelling: String, range: SourceRange)] = []
    var depth = 0
    /// Binary operators of the expressions being parsed, outermost included.
    var operatorDepth = 0
    var incompleteErrors = 0
    var stoppedAtErrorLimit = false
    var otherErrors = 0

    public static func parse(_ source: SourceFile) -> ParseResult {
        let lexed = Lexer.lex(source)
        var parser = Parser(source: source, tokens: lexed.tokens.filter { !$0.kind.isTrivia })
        parser.otherErrors =
            lexed.diagnostics.filter { $0.id != .unterminatedString && $0.id != .unterminatedInterpolation }.count
        // On an abort (nesting or error limit) the diagnostic is recorded and the statements read
        // so far are kept.
        try? parser.parseStatementList()
        let statements = parser.topLevelStatements
        var diagnostics = lexed.diagnostics + parser.diagnostics
        diagnostics.sort { $0.range.start < $1.range.start }
        if diagnostics.count > maximumErrors || parser.stoppedAtErrorLimit {
            diagnostics = Array(diagnostics.prefix(maximumErrors))
            diagnostics.append(.tooManyErrors(at: diagnostics[diagnostics.count - 1].range))
        }
        let incomplete = (lexed.endsInsideString || parser.incompleteErrors > 0) && parser.otherErrors == 0
        return ParseResult(
            source: source, script: Script(statements: statements), tokens: lexed.tokens,
            diagnostics: diagnostics, isIncomplete: incomplete)
    }

    /// Statements completed at top level (all of them, unless the parse was aborted).
    var topLevelStatements: [Statement] = []

    // MARK: - Token helpers

    var peek: Token { tokens[current] }
    var isAtEnd: Bool { peek.kind == .endOfFile }

    func peek(_ ahead: Int) -> Token { tokens[min(current + ahead, tokens.count - 1)] }

    func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    func check(_ keyword: Keyword) -> Bool { peek.kind == .keyword(keyword) }

    /// A contextual word such as `conflict` or `values`: an identifier with that text.
    func checkWord(_ word: String) -> Bool { peek.kind == .identifier && peek.value == .text(word) }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[current]
        if token.kind != .endOfFile { current += 1 }
        return token
    }

    mutating func match(_ kind: TokenKind) -> Token? { check(kind) ? advance() : nil }

    mutating func match(_ keyword: Keyword) -> Token? { check(keyword) ? advance() : nil }

    mutating func matchWord(_ word: String) -> Token? { checkWord(word) ? advance() : nil }

    /// Consumes a token of the kind or records `expected <what> [after <context>]` and throws.
    mutating func consume(_ kind: TokenKind, _ what: String, after context: String? = nil) throws -> Token {
        if let token = match(kind) { return token }
        throw error(.expected(what, after: context, found: peek, opener: openerNote()))
    }

    mutating func skipNewlines() {
        while check(.newline) { advance() }
    }

    // MARK: - Errors and recovery

    /// The innermost open delimiter, when the input ended inside it.
    func openerNote() -> (String, SourceRange)? {
        guard isAtEnd, let last = openers.last else { return nil }
        return (last.spelling, last.range)
    }

    /// Records a diagnostic and returns the error that abandons the statement.
    mutating func error(_ diagnostic: Diagnostic, incomplete: Bool = false) -> StatementError {
        record(diagnostic, incomplete: incomplete || (isAtEnd && !openers.isEmpty))
        return StatementError()
    }

    mutating func record(_ diagnostic: Diagnostic, incomplete: Bool = false) {
        if incomplete { incompleteErrors += 1 } else { otherErrors += 1 }
        // The lexer has already reported what it could not read; saying it twice helps no one.
        if diagnostic.range == peek.range, peek.kind == .invalid { return }
        diagnostics.append(diagnostic)
    }

    /// Counts one level of nesting; past the limit, records it once and stops the parse.
    mutating func nest() throws {
        depth += 1
        if depth > Parser.maximumNesting {
            record(.nestingTooDeep(limit: Parser.maximumNesting, at: peek.range))
            throw Abort()
        }
    }

    mutating func unnest() { depth -= 1 }

    /// Counts one more operator in a chain; past the limit, records it once and stops the parse.
    /// The caller gives the count back with `endChain` when the chain ends.
    mutating func chainOperator(at range: SourceRange) throws {
        operatorDepth += 1
        if operatorDepth > Parser.maximumOperators {
            record(.tooManyOperators(limit: Parser.maximumOperators, at: range))
            throw Abort()
        }
    }

    mutating func endChain(_ count: Int) { operatorDepth -= count }

    mutating func checkErrorLimit() throws {
        if diagnostics.count >= Parser.maximumErrors {
            stoppedAtErrorLimit = true
            throw Abort()
        }
    }

    /// Panic mode: skip to where the next statement can start — after a newline or `;` at this
    /// level, or before the `}` that closes the enclosing block. Blocks and strings met on the way
    /// are skipped whole, so an error in an `if` header does not spill its body into the script.
    mutating func synchronize() {
        var braces = 0
        var strings = 0
        while !isAtEnd {
            switch peek.kind {
            case .stringStart: strings += 1
            case .stringEnd: strings = max(0, strings - 1)
            case .leftBrace: braces += 1
            case .rightBrace:
                // The enclosing block's end, or a stray '}' at top level that the statement loop
                // reports: either way, stop before it.
                if braces == 0 { return }
                braces -= 1
                if braces == 0, strings == 0 {
                    advance()
                    // The `else` branches of an `if` whose header failed go with it, rather
                    // than each being reported as a stray `else`.
                    var lookahead = current
                    while tokens[lookahead].kind == .newline { lookahead += 1 }
                    guard tokens[lookahead].kind == .keyword(.else) else { return }
                    current = lookahead
                }
            case .newline, .semicolon:
                if braces == 0, strings == 0 {
                    advance()
                    return
                }
            default: break
            }
            advance()
        }
    }
}
