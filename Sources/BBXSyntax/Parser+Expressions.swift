extension Parser {
    /// Whether the current token can begin an expression.
    var canStartExpression: Bool {
        switch peek.kind {
        case .stringStart, .rawString, .integer, .duration, .repository, .identifier, .leftBracket, .leftParen,
            .keyword(.true), .keyword(.false), .keyword(.not), .keyword(.exists):
            return true
        default:
            return false
        }
    }

    /// An expression where the grammar requires one, with a message naming what belongs there.
    /// `continuable`: at the end of input this is a header that more lines could finish.
    mutating func parseOperand(_ what: String, after context: String, continuable: Bool = false) throws -> Expression {
        guard canStartExpression else {
            throw error(
                .expected(what, after: context, found: peek, opener: openerNote()), incomplete: continuable && isAtEnd)
        }
        return try parseExpression()
    }

    // expression = or_expr ;
    mutating func parseExpression() throws -> Expression {
        try nest()
        defer { unnest() }
        return try parseOr()
    }

    // or_expr = and_expr { "or" and_expr } ;
    mutating func parseOr() throws -> Expression {
        var left = try parseAnd()
        var chain = 0
        defer { endChain(chain) }
        while let token = match(.or) {
            try chainOperator(at: token.range)
            chain += 1
            let right = try parseOperandAfterOperator("or") { try $0.parseAnd() }
            left = Expression(.binary(.or, left, right), range: left.range.union(right.range))
        }
        return left
    }

    // and_expr = not_expr { "and" not_expr } ;
    mutating func parseAnd() throws -> Expression {
        var left = try parseNot()
        var chain = 0
        defer { endChain(chain) }
        while let token = match(.and) {
            try chainOperator(at: token.range)
            chain += 1
            let right = try parseOperandAfterOperator("and") { try $0.parseNot() }
            left = Expression(.binary(.and, left, right), range: left.range.union(right.range))
        }
        return left
    }

    // not_expr = "not" not_expr | comparison ;
    mutating func parseNot() throws -> Expression {
        if let keyword = match(.not) {
            try nest()
            defer { unnest() }
            let operand = try parseOperandAfterOperator("not") { try $0.parseNot() }
            return Expression(.not(operand), range: keyword.range.union(operand.range))
        }
        return try parseComparison()
    }

    // comparison = match_expr [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) match_expr ] ;
    mutating func parseComparison() throws -> Expression {
        let left = try parseMatches()
        guard let op = comparisonOperator(peek.kind) else { return left }
        let opToken = advance()
        let right = try parseOperandAfterOperator(op.rawValue) { try $0.parseMatches() }
        if comparisonOperator(peek.kind) != nil {
            throw error(.chainedComparison(at: peek.range, previous: op.rawValue, at: opToken.range))
        }
        return Expression(.binary(op, left, right), range: left.range.union(right.range))
    }

    func comparisonOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        default: return nil
        }
    }

    // match_expr = coalesce_expr [ "matches" coalesce_expr ] ;
    mutating func parseMatches() throws -> Expression {
        let left = try parseCoalesce()
        guard match(.matches) != nil else { return left }
        let right = try parseOperandAfterOperator("matches") { try $0.parseCoalesce() }
        return Expression(.binary(.matches, left, right), range: left.range.union(right.range))
    }

    // coalesce_expr = postfix { "??" postfix } ;
    mutating func parseCoalesce() throws -> Expression {
        var left = try parsePostfix()
        var chain = 0
        defer { endChain(chain) }
        while let token = match(.coalesce) {
            try chainOperator(at: token.range)
            chain += 1
            let right = try parseOperandAfterOperator("??") { try $0.parsePostfix() }
            left = Expression(.binary(.coalesce, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// The right operand of an operator, or `expected a value after '<op>'`.
    mutating func parseOperandAfterOperator(_ op: String, _ parse: (inout Parser) throws -> Expression) throws
        -> Expression
    {
        guard canStartExpression else {
            throw error(.expected("a value", after: "'\(op)'", found: peek, opener: openerNote()))
        }
        return try parse(&self)
    }

    // postfix = primary { "." IDENTIFIER } ;
    mutating func parsePostfix() throws -> Expression {
        var expression = try parsePrimary()
        var chain = 0
        defer { endChain(chain) }
        while let dot = match(.dot) {
            try chainOperator(at: dot.range)
            chain += 1
            guard check(.identifier), case .text(let name)? = peek.value else {
                throw error(.expected("a field name", after: "'.'", found: peek))
            }
            let member = Identifier(name, advance().range)
            expression = Expression(.member(expression, member), range: expression.range.union(member.range))
        }
        return expression
    }

    // primary = string | RAW_STRING | INTEGER | DURATION | "true" | "false" | list | REPOSITORY
    //         | call | IDENTIFIER | parenthesized | exists_expr ;
    mutating func parsePrimary() throws -> Expression {
        let token = peek
        switch token.kind {
        case .stringStart:
            return try parseString()
        case .rawString:
            advance()
            let text: String
            if case .text(let t)? = token.value { text = t } else { text = "" }
            return Expression(.string([.text(text, token.range)]), range: token.range)
        case .integer:
            advance()
            guard case .integer(let n)? = token.value else { return Expression(.integer(0), range: token.range) }
            return Expression(.integer(n), range: token.range)
        case .duration:
            advance()
            guard case .duration(let s)? = token.value else {
                return Expression(.duration(seconds: 0), range: token.range)
            }
            return Expression(.duration(seconds: s), range: token.range)
        case .keyword(.true):
            advance()
            return Expression(.boolean(true), range: token.range)
        case .keyword(.false):
            advance()
            return Expression(.boolean(false), range: token.range)
        case .repository:
            advance()
            guard case .text(let r)? = token.value else { return Expression(.repository(""), range: token.range) }
            return Expression(.repository(r), range: token.range)
        case .leftBracket:
            return try parseList()
        case .leftParen:
            return try parseParenthesized()
        case .keyword(.exists):
            return try parseExists()
        case .identifier:
            guard case .text(let name)? = token.value else { break }
            advance()
            if check(.leftParen) {
                return try parseCall(Identifier(name, token.range))
            }
            return Expression(.name(name), range: token.range)
        default:
            break
        }
        throw error(.expected("a value", found: token, opener: openerNote()))
    }

    // string = '"' { STRING_TEXT | "${" expression "}" } '"' ;
    mutating func parseString() throws -> Expression {
        let open = advance()
        var parts: [StringPart] = []
        while true {
            let token = peek
            switch token.kind {
            case .stringText:
                advance()
                if case .text(let text)? = token.value { parts.append(.text(text, token.range)) }
            case .interpolationStart:
                advance()
                openers.append(("${", token.range))
                defer { openers.removeLast() }
                if check(.interpolationEnd) {
                    record(.emptyInterpolation(at: token.range.union(peek.range)))
                    advance()
                    continue
                }
                skipNewlines()
                do {
                    let expression = try parseExpression()
                    skipNewlines()
                    if match(.interpolationEnd) == nil {
                        throw error(
                            .expected("'}' to close '${'", found: peek, opener: openerNote() ?? ("${", token.range)))
                    }
                    parts.append(.interpolation(expression))
                } catch is StatementError {
                    skipToInterpolationEnd()
                }
            case .stringEnd:
                advance()
                return Expression(.string(parts), range: open.range.union(token.range))
            default:
                // End of input inside the string: the lexer has reported the missing quote.
                return Expression(.string(parts), range: SourceRange(open.range.start, token.range.start))
            }
        }
    }

    /// After an error inside `${...}`, resume at its closing `}` (nested strings skipped whole).
    mutating func skipToInterpolationEnd() {
        var strings = 0
        while !isAtEnd {
            switch peek.kind {
            case .stringStart: strings += 1
            case .stringEnd: strings -= 1
            case .interpolationEnd where strings == 0:
                advance()
                return
            default: break
            }
            advance()
        }
    }

    // list = "[" [ expression { "," expression } [ "," ] ] "]" ;
    mutating func parseList() throws -> Expression {
        let open = advance()
        let items = try parseCommaSeparated(open: open, close: .rightBracket, closeSpelling: "']'", what: "a list item")
        return Expression(.list(items.values), range: open.range.union(items.close.range))
    }

    // call = IDENTIFIER "(" [ expression { "," expression } [ "," ] ] ")" ;
    mutating func parseCall(_ function: Identifier) throws -> Expression {
        let open = advance()
        let arguments = try parseCommaSeparated(
            open: open, close: .rightParen, closeSpelling: "')'", what: "an argument")
        return Expression(.call(function, arguments.values), range: function.range.union(arguments.close.range))
    }

    /// Items between an opening token and `close`, newlines allowed anywhere inside.
    mutating func parseCommaSeparated(open: Token, close: TokenKind, closeSpelling: String, what: String) throws
        -> (values: [Expression], close: Token)
    {
        try nest()
        defer { unnest() }
        openers.append((open.range.isEmpty ? "(" : source.text(of: open.range), open.range))
        defer { openers.removeLast() }
        var values: [Expression] = []
        skipNewlines()
        while !check(close) {
            guard canStartExpression else {
                throw error(.expected("\(what) or \(closeSpelling)", found: peek, opener: openerNote()))
            }
            values.append(try parseExpression())
            skipNewlines()
            if match(.comma) == nil { break }
            skipNewlines()
        }
        let closing = try consume(close, closeSpelling, after: values.isEmpty ? nil : "the last item")
        return (values, closing)
    }

    // parenthesized = "(" expression ")" ;
    mutating func parseParenthesized() throws -> Expression {
        let open = advance()
        openers.append(("(", open.range))
        defer { openers.removeLast() }
        skipNewlines()
        let inner = try parseOperand("a value", after: "'('")
        skipNewlines()
        let close = try consume(.rightParen, "')'")
        return Expression(.parenthesized(inner), range: open.range.union(close.range))
    }

    // exists_expr = "exists" postfix [ "in" postfix ] ;
    mutating func parseExists() throws -> Expression {
        let keyword = advance()
        guard canStartExpression else {
            throw error(.expected("an artifact pattern (a string)", after: "'exists'", found: peek))
        }
        let pattern = try parsePostfix()
        var repository: Expression?
        if match(.in) != nil {
            guard canStartExpression else {
                throw error(.expected("a repository", after: "'in'", found: peek))
            }
            repository = try parsePostfix()
        }
        let end = repository?.range ?? pattern.range
        return Expression(.exists(pattern: pattern, in: repository), range: keyword.range.union(end))
    }
}
