/// Every message the lexer and parser can give, in one voice: lower case, what was expected,
/// and where. Alphabetical by identifier.
extension Diagnostic {
    static func badDurationUnit(_ suffix: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "'\(suffix)' is not a duration unit; use s, m, h, d or w (as in 30d)", at: range, id: .badDurationUnit)
    }

    static func chainedComparison(at range: SourceRange, previous op: String, at previous: SourceRange) -> Diagnostic {
        Diagnostic(
            "comparisons cannot be chained; join them with 'and'", at: range, id: .chainedComparison,
            notes: [Note("previous comparison '\(op)' here", at: previous)])
    }

    static func duplicateClause(_ clause: String, at range: SourceRange, first: SourceRange) -> Diagnostic {
        Diagnostic(
            "'\(clause)' is given twice in this statement", at: range, id: .duplicateClause,
            notes: [Note("first given here", at: first)])
    }

    static func emptyInterpolation(at range: SourceRange) -> Diagnostic {
        Diagnostic("expected an expression inside '${}'", at: range, id: .emptyInterpolation)
    }

    static func expected(
        _ what: String, after context: String? = nil, found: Token, opener: (String, SourceRange)? = nil
    )
        -> Diagnostic
    {
        let place = context.map { " after \($0)" } ?? ""
        let notes = opener.map { [Note("'\($0.0)' opened here", at: $0.1)] } ?? []
        // `let keep = 5` reads naturally; say why it is refused.
        var reserved = ""
        if case .keyword = found.kind, what.hasSuffix("name") { reserved = ", which is reserved and cannot be a name" }
        // `if x = 0`: a comparison meant.
        if found.kind == .assign, what != "'='", !what.hasSuffix("name") {
            reserved = "; to compare two values, write '=='"
        }
        return Diagnostic(
            "expected \(what)\(place), found \(found.kind.spelling)\(reserved)", at: found.range, id: .expected,
            notes: notes)
    }

    /// The words a statement starts with, for "did you mean 'upload'?".
    static let statementWords: [String] = [
        "use", "let", "upload", "download", "delete", "prune", "list", "print", "assert", "fail", "if", "for",
        "addon", "linkers", "linker", "checksums", "verify", "trust",
    ]

    static func expectedStatement(found: Token, text: String) -> Diagnostic {
        let hint: String
        switch found.kind {
        case .identifier:
            if let word = closestMatch(to: text, among: statementWords) {
                hint = "; did you mean '\(word)'?"
            } else {
                hint = "; a script is made of statements such as 'let', 'upload' or 'if'"
            }
        case .rightBrace: hint = " ('}' closes nothing here)"
        default: hint = ""
        }
        return Diagnostic(
            "expected a statement, found \(found.kind.spelling)\(hint)", at: found.range, id: .expectedStatement)
    }

    static func expectedStatementEnd(found: Token) -> Diagnostic {
        let hint = found.kind == .assign ? "; to compare two values, write '=='" : ""
        return Diagnostic(
            "expected a newline or ';' after the statement, found \(found.kind.spelling)\(hint)", at: found.range,
            id: .expectedStatementEnd)
    }

    static func integerTooLarge(at range: SourceRange) -> Diagnostic {
        Diagnostic("number is too large", at: range, id: .integerTooLarge)
    }

    static func invalidUTF8InString(at range: SourceRange) -> Diagnostic {
        Diagnostic("string is not valid UTF-8", at: range, id: .invalidUtf8)
    }

    static func missingLinkerKey(found: Token) -> Diagnostic {
        Diagnostic(
            "expected the linker's key (a string) after 'linker', found \(found.kind.spelling)", at: found.range,
            id: .missingLinkerKey)
    }

    static func nonASCIIName(_ what: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "unexpected character \(what) in a name; names use ASCII letters, digits and '_'", at: range,
            id: .unexpectedCharacter)
    }

    static func nestingTooDeep(limit: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "nesting is too deep (more than \(limit) levels); the rest of the input was not read", at: range,
            id: .nestingTooDeep)
    }

    static func tooManyOperators(limit: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "this expression has more than \(limit) operators; split it with 'let'. The rest of the input was not read",
            at: range, id: .tooManyOperators)
    }

    static func nulInString(at range: SourceRange) -> Diagnostic {
        Diagnostic("string contains a NUL character", at: range, id: .nulInString)
    }

    static func pruneNeedsRule(found: Token) -> Diagnostic {
        Diagnostic(
            "expected 'keep N' or 'older than DURATION' in 'prune', found \(found.kind.spelling)", at: found.range,
            id: .pruneNeedsRule)
    }

    static func tooManyErrors(at range: SourceRange) -> Diagnostic {
        Diagnostic("too many errors; stopping here", at: range, id: .tooManyErrors)
    }

    static func unexpectedCharacter(_ what: String, at range: SourceRange) -> Diagnostic {
        // Quotes a word processor or a chat window made curly.
        let curly: Set<String> = ["\u{201C}", "\u{201D}", "\u{201E}", "\u{2018}", "\u{2019}", "\u{00AB}", "\u{00BB}"]
        let hint =
            curly.contains(where: what.contains)
            ? "; strings take straight quotes (\" or '): a curly quote is often pasted from a document" : ""
        return Diagnostic("unexpected character \(what)\(hint)", at: range, id: .unexpectedCharacter)
    }

    static func unknownConflictPolicy(found: Token, text: String = "") -> Diagnostic {
        let suggestion =
            found.kind == .identifier
            ? closestMatch(to: text, among: ["replace", "skip", "fail", "update"]).map { "; did you mean '\($0)'?" }
                ?? ""
            : ""
        return Diagnostic(
            "expected 'replace', 'skip', 'fail' or 'update' after 'on conflict', found \(found.kind.spelling)\(suggestion)",
            at: found.range,
            id: .unknownConflictPolicy)
    }

    static func unknownEscape(_ text: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "unknown escape sequence '\(text)'; use \\\" \\\\ \\n \\t or \\$", at: range, id: .unknownEscape)
    }

    static func unterminatedInterpolation(at range: SourceRange) -> Diagnostic {
        Diagnostic("'${' is never closed; expected '}'", at: range, id: .unterminatedInterpolation)
    }

    /// `earlier`: a string before it that ran over a line break, which is where a quote is most
    /// likely missing (its closing quote then opened this one).
    static func unterminatedString(at range: SourceRange, earlier: SourceRange? = nil) -> Diagnostic {
        Diagnostic(
            "string is never closed; expected a closing quote", at: range, id: .unterminatedString,
            notes: earlier.map {
                [
                    Note(
                        "a string opened here runs over a line break: if it should end on its line, its closing quote is missing",
                        at: $0)
                ]
            } ?? [])
    }

    static func wrongOperator(_ written: String, use replacement: String, at range: SourceRange) -> Diagnostic {
        Diagnostic("'\(written)' is not an operator here; use '\(replacement)'", at: range, id: .wrongOperator)
    }
}
