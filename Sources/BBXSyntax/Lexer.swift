/// What the lexer produced: every token (comments included, ending with `.endOfFile`) and the
/// problems it found.
public struct LexResult: Sendable {
    public let tokens: [Token]
    public let diagnostics: [Diagnostic]
    /// The input ended inside a string or an interpolation: more input could complete it.
    public let endsInsideString: Bool
}

/// Turns bytes into tokens. It never fails: what it cannot read becomes an `.invalid` token and
/// a diagnostic, and lexing goes on.
///
/// Double-quoted strings are lexed with a stack of modes, so `"a-${f("b-${c}")}"` nests: the
/// string's text, `${`, the tokens of the expression, `}`, and the closing quote each come out as
/// their own token.
public struct Lexer {
    /// How deeply strings and interpolations may nest before the lexer stops descending.
    public static let maximumNesting = 64

    private enum Mode {
        /// Ordinary tokens. Inside an interpolation, `braces` counts the `{` still open so the
        /// right `}` ends it; `opener` is where the `${` was.
        case code(braces: Int, opener: Int?)
        /// Inside a double-quoted string that opened at `opener`.
        case string(opener: Int)
    }

    private let bytes: [UInt8]
    private var position = 0
    private var modes: [Mode] = [.code(braces: 0, opener: nil)]
    private var tokens: [Token] = []
    private var diagnostics: [Diagnostic] = []
    private var endsInsideString = false
    /// The last string that ran over a line break (its opening quote): when a later string is
    /// never closed, that one is most likely the string missing its quote.
    private var lastMultilineString: Int?
    private var gaveUp = false
    /// Where the last run of slug characters not followed by `/` ends (see `lexRepositoryIfPresent`).
    private var slugRunWithoutRepository = -1

    public static func lex(_ source: SourceFile) -> LexResult {
        var lexer = Lexer(bytes: source.bytes)
        lexer.run()
        return LexResult(tokens: lexer.tokens, diagnostics: lexer.diagnostics, endsInsideString: lexer.endsInsideString)
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        tokens.reserveCapacity(bytes.count / 3 + 1)
        // A byte-order mark, as some Windows editors write, is not part of the script.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    private mutating func run() {
        while position < bytes.count {
            switch modes[modes.count - 1] {
            case .code(let braces, let opener): lexCode(braces: braces, opener: opener)
            case .string(let opener): lexStringContent(opener: opener)
            }
        }
        // Report every construct the input ended inside, innermost first (unless lexing gave up
        // on deep nesting: then these are only its echo).
        for mode in modes.reversed() where !gaveUp {
            switch mode {
            case .string(let opener):
                endsInsideString = true
                diagnostics.append(
                    .unterminatedString(
                        at: SourceRange(opener, opener + 1),
                        earlier: lastMultilineString.map { SourceRange($0, $0 + 1) }))
            case .code(_, let opener?):
                endsInsideString = true
                diagnostics.append(.unterminatedInterpolation(at: SourceRange(opener, opener + 2)))
            case .code(_, nil):
                break
            }
        }
        tokens.append(Token(.endOfFile, .at(bytes.count)))
    }

    // MARK: - Helpers

    private func peek(_ ahead: Int = 0) -> UInt8? {
        let index = position + ahead
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func emit(_ kind: TokenKind, from start: Int, value: TokenValue? = nil) {
        tokens.append(Token(kind, SourceRange(start, position), value: value))
    }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_")
    }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isIdentifierContinue(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }
    /// Characters of a workspace or repository slug.
    private static func isSlug(_ b: UInt8) -> Bool {
        isIdentifierContinue(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    // MARK: - Code

    private mutating func lexCode(braces: Int, opener: Int?) {
        let start = position
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
            position += 1
        case UInt8(ascii: "\n"):
            position += 1
            emit(.newline, from: start)
        case UInt8(ascii: "#"):
            while let b = peek(), b != UInt8(ascii: "\n") { position += 1 }
            emit(.comment, from: start)
        case UInt8(ascii: "\""):
            position += 1
            emit(.stringStart, from: start)
            pushMode(.string(opener: start), at: start)
        case UInt8(ascii: "'"):
            lexRawString()
        case UInt8(ascii: "{"):
            position += 1
            emit(.leftBrace, from: start)
            if opener != nil { modes[modes.count - 1] = .code(braces: braces + 1, opener: opener) }
        case UInt8(ascii: "}"):
            position += 1
            if opener != nil, braces == 0 {
                // The `}` that closes `${`: back to the string.
                emit(.interpolationEnd, from: start)
                modes.removeLast()
            } else {
                emit(.rightBrace, from: start)
                if opener != nil { modes[modes.count - 1] = .code(braces: braces - 1, opener: opener) }
            }
        case UInt8(ascii: "["): single(.leftBracket)
        case UInt8(ascii: "]"): single(.rightBracket)
        case UInt8(ascii: "("): single(.leftParen)
        case UInt8(ascii: ")"): single(.rightParen)
        case UInt8(ascii: ","): single(.comma)
        case UInt8(ascii: "."): single(.dot)
        case UInt8(ascii: ";"): single(.semicolon)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { position += 2; emit(.equal, from: start) } else { single(.assign) }
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") {
                position += 2
                emit(.notEqual, from: start)
            } else {
                position += 1
                emit(.invalid, from: start)
                diagnostics.append(.wrongOperator("!", use: "not", at: SourceRange(start, position)))
            }
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") { position += 2; emit(.lessEqual, from: start) } else { single(.less) }
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") {
                position += 2; emit(.greaterEqual, from: start)
            } else {
                single(.greater)
            }
        case UInt8(ascii: "?"):
            if peek(1) == UInt8(ascii: "?") {
                position += 2
                emit(.coalesce, from: start)
            } else {
                position += 1
                emit(.invalid, from: start)
                diagnostics.append(.wrongOperator("?", use: "??", at: SourceRange(start, position)))
            }
        case UInt8(ascii: "&") where peek(1) == UInt8(ascii: "&"):
            position += 2
            emit(.invalid, from: start)
            diagnostics.append(.wrongOperator("&&", use: "and", at: SourceRange(start, position)))
        case UInt8(ascii: "|") where peek(1) == UInt8(ascii: "|"):
            position += 2
            emit(.invalid, from: start)
            diagnostics.append(.wrongOperator("||", use: "or", at: SourceRange(start, position)))
        default:
            if Lexer.isSlug(byte), lexRepositoryIfPresent() { return }
            if Lexer.isDigit(byte) {
                lexNumber()
            } else if Lexer.isIdentifierStart(byte) {
                while let b = peek(), Lexer.isIdentifierContinue(b) { position += 1 }
                let word = String(decoding: bytes[start..<position], as: UTF8.self)
                if let keyword = Keyword(rawValue: word) {
                    emit(.keyword(keyword), from: start)
                } else {
                    emit(.identifier, from: start, value: .text(word))
                }
            } else {
                lexUnexpected()
            }
        }
    }

    private mutating func single(_ kind: TokenKind) {
        let start = position
        position += 1
        emit(kind, from: start)
    }

    private mutating func pushMode(_ mode: Mode, at start: Int) {
        if modes.count >= Lexer.maximumNesting {
            diagnostics.append(.nestingTooDeep(limit: Lexer.maximumNesting, at: SourceRange(start, start + 1)))
            // Give up on the rest of the input: anything after this point would only cascade.
            position = bytes.count
            gaveUp = true
            return
        }
        modes.append(mode)
    }

    /// `workspace/slug` written bare. Slugs may hold `-` and `.`, which are not otherwise tokens,
    /// so a run of slug characters directly followed by `/` can only be a repository.
    /// A run of slug characters that has no `/` after it ends here: a token starting inside it
    /// is no repository either, and is not scanned again (`x.a.a.a…` would be quadratic).
    private mutating func lexRepositoryIfPresent() -> Bool {
        if position < slugRunWithoutRepository { return false }
        var end = position
        while end < bytes.count, Lexer.isSlug(bytes[end]) { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "/"), end + 1 < bytes.count, Lexer.isSlug(bytes[end + 1])
        else {
            slugRunWithoutRepository = end
            return false
        }
        let start = position
        end += 1
        while end < bytes.count, Lexer.isSlug(bytes[end]) { end += 1 }
        position = end
        emit(.repository, from: start, value: .text(String(decoding: bytes[start..<end], as: UTF8.self)))
        return true
    }

    /// `123` or a duration `30d`. Digits followed by anything word-like that is not a unit are
    /// one bad token, so `10days` gets one clear message rather than two odd ones.
    private mutating func lexNumber() {
        let start = position
        while let b = peek(), Lexer.isDigit(b) { position += 1 }
        let digitsEnd = position
        let digits = String(decoding: bytes[start..<digitsEnd], as: UTF8.self)
        while let b = peek(), Lexer.isIdentifierContinue(b) { position += 1 }
        let suffix = String(decoding: bytes[digitsEnd..<position], as: UTF8.self)
        let range = SourceRange(start, position)
        guard let number = Int(digits) else {
            emit(.invalid, from: start)
            diagnostics.append(.integerTooLarge(at: range))
            return
        }
        if suffix.isEmpty {
            emit(.integer, from: start, value: .integer(number))
        } else if suffix.count == 1, let unit = DurationUnit(rawValue: suffix.first!) {
            let (seconds, overflow) = number.multipliedReportingOverflow(by: unit.seconds)
            if overflow {
                emit(.invalid, from: start)
                diagnostics.append(.integerTooLarge(at: range))
            } else {
                emit(.duration, from: start, value: .duration(seconds: seconds))
            }
        } else {
            emit(.invalid, from: start)
            diagnostics.append(.badDurationUnit(suffix, at: range))
        }
    }

    /// A run of bytes that start no token: one diagnostic for the whole run, not one per byte.
    private mutating func lexUnexpected() {
        let start = position
        let first = decodeScalar(at: position)
        position += max(1, first.length)
        while let b = peek(), !Lexer.startsToken(b) {
            position += max(1, decodeScalar(at: position).length)
        }
        emit(.invalid, from: start)
        let range = SourceRange(start, position)
        if start > 0,
            Lexer.isIdentifierContinue(bytes[start - 1])
                || (start + first.length < bytes.count && Lexer.isIdentifierContinue(bytes[start + first.length])),
            first.isLetter
        {
            diagnostics.append(.nonASCIIName(first.description, at: range))
        } else {
            diagnostics.append(.unexpectedCharacter(first.description, at: range))
        }
    }

    private static func startsToken(_ b: UInt8) -> Bool {
        if isSlug(b) { return true }
        switch b {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "#"),
            UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "?"):
            return true
        default:
            return false
        }
    }

    /// The Unicode scalar at an offset, for naming it in a message, and how many bytes it spans.
    /// Invalid UTF-8 is named by its byte value.
    private func decodeScalar(at offset: Int) -> (description: String, length: Int, isLetter: Bool) {
        var iterator = bytes[offset..<min(bytes.count, offset + 4)].makeIterator()
        var decoder = UTF8()
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar):
            let length = UTF8.width(scalar)
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .format {
                return ("U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4), length, false)
            }
            return ("'\(Character(scalar))'", length, scalar.properties.isAlphabetic)
        case .error, .emptyInput:
            return (
                "byte 0x" + String(bytes[offset], radix: 16, uppercase: true).leftPadded(to: 2) + " (not UTF-8)", 1,
                false
            )
        }
    }

    // MARK: - Strings

    /// Text of a double-quoted string up to its end, an interpolation, or the end of input.
    private mutating func lexStringContent(opener: Int) {
        let start = position
        var text: [UInt8] = []
        func flush(_ lexer: inout Lexer) {
            guard lexer.position > start else { return }
            lexer.checkText(SourceRange(start, lexer.position))
            lexer.emit(.stringText, from: start, value: .text(String(decoding: text, as: UTF8.self)))
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                flush(&self)
                let quote = position
                position += 1
                emit(.stringEnd, from: quote)
                if bytes[opener..<quote].contains(UInt8(ascii: "\n")) { lastMultilineString = opener }
                modes.removeLast()
                return
            }
            if byte == UInt8(ascii: "$"), peek(1) == UInt8(ascii: "{") {
                flush(&self)
                let dollar = position
                position += 2
                emit(.interpolationStart, from: dollar)
                pushMode(.code(braces: 0, opener: dollar), at: dollar)
                return
            }
            if byte == UInt8(ascii: "\\") {
                guard let escaped = peek(1) else {
                    position += 1
                    break
                }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "$"): text.append(escaped)
                case UInt8(ascii: "n"): text.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): text.append(UInt8(ascii: "\t"))
                default:
                    let length = max(1, decodeScalar(at: position + 1).length)
                    let range = SourceRange(position, position + 1 + length)
                    diagnostics.append(
                        .unknownEscape(String(decoding: bytes[range.start..<range.end], as: UTF8.self), at: range))
                    text.append(contentsOf: bytes[range.start..<range.end])
                    position = range.end
                    continue
                }
                position += 2
                continue
            }
            text.append(byte)
            position += 1
        }
        // End of input inside the string: keep what was read; run() reports the missing quote.
        flush(&self)
    }

    /// `'raw text'`: no interpolation, only `\'` and `\\` are escapes.
    private mutating func lexRawString() {
        let start = position
        position += 1
        var text: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "'") {
                position += 1
                checkText(SourceRange(start + 1, position - 1))
                emit(.rawString, from: start, value: .text(String(decoding: text, as: UTF8.self)))
                return
            }
            if byte == UInt8(ascii: "\\"), let next = peek(1), next == UInt8(ascii: "'") || next == UInt8(ascii: "\\") {
                text.append(next)
                position += 2
                continue
            }
            text.append(byte)
            position += 1
        }
        endsInsideString = true
        emit(.rawString, from: start, value: .text(String(decoding: text, as: UTF8.self)))
        diagnostics.append(
            .unterminatedString(
                at: SourceRange(start, start + 1), earlier: lastMultilineString.map { SourceRange($0, $0 + 1) }))
    }

    /// Strings become artifact and file names: text that is not UTF-8, or that holds a NUL, is an
    /// error rather than something to pass on.
    private mutating func checkText(_ range: SourceRange) {
        var iterator = bytes[range.start..<range.end].makeIterator()
        var decoder = UTF8()
        var offset = range.start
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value == 0 {
                    diagnostics.append(.nulInString(at: SourceRange(offset, offset + 1)))
                    return
                }
                offset += UTF8.width(scalar)
            case .error:
                diagnostics.append(.invalidUTF8InString(at: SourceRange(offset, offset + 1)))
                return
            case .emptyInput:
                return
            }
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
