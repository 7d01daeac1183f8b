import BBXSyntax
import Testing

/// Tokens as compact text: `kw:use repo:acme/app nl`.
func describeTokens(_ source: String) -> String {
    let file = SourceFile(name: "t", text: source)
    return Lexer.lex(file).tokens.compactMap { token -> String? in
        let text = file.text(of: token.range)
        switch token.kind {
        case .endOfFile: return nil
        case .keyword(let k): return "kw:\(k.rawValue)"
        case .identifier: return "id:\(text)"
        case .integer: if case .integer(let n)? = token.value { return "int:\(n)" }
        case .duration: if case .duration(let s)? = token.value { return "dur:\(s)" }
        case .repository: return "repo:\(text)"
        case .stringStart: return "str("
        case .stringEnd: return ")str"
        case .stringText: if case .text(let t)? = token.value { return "text:\(t.debugDescription)" }
        case .interpolationStart: return "${"
        case .interpolationEnd: return "}$"
        case .rawString: if case .text(let t)? = token.value { return "raw:\(t.debugDescription)" }
        case .newline: return "nl"
        case .comment: return "comment:\(text)"
        case .invalid: return "invalid:\(text)"
        default: return text
        }
        return "?"
    }.joined(separator: " ")
}

struct LexerCase: CustomTestStringConvertible, Sendable {
    let name: String
    let source: String
    let tokens: String
    var testDescription: String { name }
}

@Suite("Lexer")
struct LexerTests {
    static let cases: [LexerCase] = [
        .init(
            name: "keywords and names", source: "use let upload version _x1",
            tokens: "kw:use kw:let kw:upload id:version id:_x1"),
        .init(
            name: "contextual words are names", source: "replace skip values add",
            tokens: "id:replace id:skip id:values id:add"),
        .init(name: "integer", source: "0 5 1234", tokens: "int:0 int:5 int:1234"),
        .init(
            name: "durations", source: "90s 15m 12h 30d 2w", tokens: "dur:90 dur:900 dur:43200 dur:2592000 dur:1209600"),
        .init(name: "bad duration unit", source: "10days", tokens: "invalid:10days"),
        .init(name: "bare repository", source: "use acme/app", tokens: "kw:use repo:acme/app"),
        .init(
            name: "repository with dots, dashes, underscores", source: "acme-corp/web.site_2",
            tokens: "repo:acme-corp/web.site_2"),
        .init(name: "repository starting with a digit", source: "30d/app", tokens: "repo:30d/app"),
        .init(name: "member access is not a repository", source: "a.name", tokens: "id:a . id:name"),
        .init(name: "simple string", source: #""app.zip""#, tokens: #"str( text:"app.zip" )str"#),
        .init(name: "empty string", source: #""""#, tokens: "str( )str"),
        .init(name: "escapes", source: #""a\"b\\c\nd\te\$f""#, tokens: #"str( text:"a\"b\\c\nd\te$f" )str"#),
        .init(name: "escaped interpolation is text", source: #""\${x}""#, tokens: #"str( text:"${x}" )str"#),
        .init(name: "lone dollar is text", source: #""$5 $x""#, tokens: #"str( text:"$5 $x" )str"#),
        .init(
            name: "interpolation", source: #""app-${version}.zip""#,
            tokens: #"str( text:"app-" ${ id:version }$ text:".zip" )str"#),
        .init(
            name: "string inside an interpolation", source: #""a-${env("V", "x")}""#,
            tokens: #"str( text:"a-" ${ id:env ( str( text:"V" )str , str( text:"x" )str ) }$ )str"#),
        .init(
            name: "nested interpolation", source: #""${"${x}"}""#,
            tokens: #"str( ${ str( ${ id:x }$ )str }$ )str"#),
        .init(name: "raw string", source: #"'raw ${not} \n'"#, tokens: #"raw:"raw ${not} \\n""#),
        .init(name: "raw string escapes", source: #"'it\'s \\ ok'"#, tokens: #"raw:"it\'s \\ ok""#),
        .init(name: "string spans lines", source: "\"a\nb\"", tokens: #"str( text:"a\nb" )str"#),
        .init(name: "operators", source: "== != < <= > >= ?? =", tokens: "== != < <= > >= ?? ="),
        .init(name: "punctuation", source: "{ } [ ] ( ) , . ;", tokens: "{ } [ ] ( ) , . ;"),
        .init(
            name: "comments and newlines", source: "print 1 # note\n# own line\n",
            tokens: "kw:print int:1 comment:# note nl comment:# own line nl"),
        .init(name: "CRLF line ends", source: "print 1\r\nprint 2", tokens: "kw:print int:1 nl kw:print int:2"),
        .init(name: "byte-order mark", source: "\u{FEFF}use acme/app", tokens: "kw:use repo:acme/app"),
        .init(
            name: "shebang line is a comment", source: "#!/usr/bin/env bbx run\nlist",
            tokens: "comment:#!/usr/bin/env bbx run nl kw:list"),
        .init(
            name: "unexpected characters form one token", source: "print @@@ 1", tokens: "kw:print invalid:@@@ int:1"),
        .init(
            name: "C operators are not operators", source: "a && b || !c",
            tokens: "id:a invalid:&& id:b invalid:|| invalid:! id:c"),
    ]

    @Test(arguments: cases)
    func tokens(_ testCase: LexerCase) {
        #expect(describeTokens(testCase.source) == testCase.tokens)
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        let name: String
        let source: String
        let id: DiagnosticID
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        .init(name: "unterminated string", source: "print \"abc", id: .unterminatedString),
        .init(name: "unterminated raw string", source: "print 'abc", id: .unterminatedString),
        .init(name: "unterminated interpolation", source: "print \"a${x", id: .unterminatedInterpolation),
        .init(name: "unknown escape", source: #"print "a\qb""#, id: .unknownEscape),
        .init(name: "bad duration unit", source: "prune keep 5x", id: .badDurationUnit),
        .init(name: "integer too large", source: "keep 99999999999999999999999", id: .integerTooLarge),
        .init(name: "NUL in a string", source: "print \"a\u{0}b\"", id: .nulInString),
        .init(name: "unexpected character", source: "print €", id: .unexpectedCharacter),
        .init(name: "bang is not an operator", source: "if !x {}", id: .wrongOperator),
    ]

    @Test(arguments: errorCases)
    func errors(_ testCase: ErrorCase) {
        let result = Lexer.lex(SourceFile(name: "t", text: testCase.source))
        #expect(result.diagnostics.map(\.id).contains(testCase.id), "\(result.diagnostics)")
    }

    @Test func invalidUTF8InAStringIsReported() {
        let bytes = Array("print \"a".utf8) + [0xFF, 0xFE] + Array("b\"".utf8)
        let result = Lexer.lex(SourceFile(name: "t", bytes: bytes))
        #expect(result.diagnostics.map(\.id) == [.invalidUtf8])
        #expect(result.diagnostics[0].range.start == 8)
    }

    @Test func unexpectedCharacterNamesItsCodePoint() {
        let result = Lexer.lex(SourceFile(name: "t", bytes: Array("print ".utf8) + [0x00, 0x01]))
        #expect(result.diagnostics.map(\.message) == ["unexpected character U+0000"])
    }

    @Test func tokensCarryByteRanges() {
        let tokens = Lexer.lex(SourceFile(name: "t", text: "let x = \"é\"\nacme/app")).tokens
        // "é" is two bytes, so everything after it is one byte further on than its characters.
        #expect(tokens.map(\.range.start) == [0, 4, 6, 8, 9, 11, 12, 13, 21])
    }
}
