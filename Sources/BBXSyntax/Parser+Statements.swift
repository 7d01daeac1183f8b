extension Parser {
    // script = { separator } [ statement { separator { separator } statement } ] { separator } ;
    // separator = NEWLINE | ";" ;
    mutating func parseStatementList() throws {
        _ = try parseStatements(inBlock: false)
    }

    /// Statements up to the end of input, or up to the `}` of the enclosing block.
    mutating func parseStatements(inBlock: Bool) throws -> [Statement] {
        var statements: [Statement] = []
        while true {
            while check(.newline) || check(.semicolon) { advance() }
            if isAtEnd || (inBlock && check(.rightBrace)) { break }
            try checkErrorLimit()
            let start = current
            do {
                if !inBlock, check(.rightBrace) {
                    record(.expectedStatement(found: peek, text: source.text(of: peek.range)))
                    advance()
                    continue
                }
                let statement = try parseStatement()
                statements.append(statement)
                if !inBlock { topLevelStatements.append(statement) }
                if !(check(.newline) || check(.semicolon) || isAtEnd || check(.rightBrace)) {
                    record(.expectedStatementEnd(found: peek))
                    synchronize()
                }
            } catch is StatementError {
                synchronize()
            }
            // Progress guard: whatever happened, never look at the same token twice.
            if current == start { advance() }
        }
        return statements
    }

    // statement = use_stmt | let_stmt | upload_stmt | download_stmt | delete_stmt | prune_stmt
    //           | list_stmt | print_stmt | assert_stmt | fail_stmt | if_stmt | for_stmt
    //           | addon_stmt | linkers_stmt | linker_stmt | checksums_stmt | verify_stmt | trust_stmt ;
    mutating func parseStatement() throws -> Statement {
        switch peek.kind {
        case .identifier where peek.value == .text("trust") && startsStatementWord: return try parseTrust()
        case .identifier where peek.value == .text("checksums") && startsStatementWord: return try parseChecksums()
        case .identifier where peek.value == .text("verify") && startsStatementWord: return try parseVerify()
        case .keyword(.use): return try parseUse()
        case .keyword(.let): return try parseLet()
        case .keyword(.upload): return try parseUpload()
        case .keyword(.download): return try parseDownload()
        case .keyword(.delete): return try parseDelete()
        case .keyword(.prune): return try parsePrune()
        case .keyword(.list): return try parseList()
        case .keyword(.print): return try parsePrint()
        case .keyword(.assert): return try parseAssert()
        case .keyword(.fail): return try parseFail()
        case .keyword(.if): return try parseIf()
        case .keyword(.for): return try parseFor()
        case .keyword(.addon): return try parseAddon()
        case .keyword(.linkers):
            let keyword = advance().range
            return Statement(.linkers, keyword: keyword, range: keyword)
        case .keyword(.linker): return try parseLinker()
        default:
            throw error(.expectedStatement(found: peek, text: source.text(of: peek.range)))
        }
    }

    /// The range from a statement's first token to the last token consumed.
    func range(from start: Token) -> SourceRange {
        SourceRange(start.range.start, tokens[max(0, current - 1)].range.end)
    }

    /// A statement that began at `keyword` and ends at the last token consumed.
    func statement(_ kind: Statement.Kind, from keyword: Token) -> Statement {
        Statement(kind, keyword: keyword.range, range: range(from: keyword))
    }

    // use_stmt = "use" expression ;
    mutating func parseUse() throws -> Statement {
        let keyword = advance()
        let repo = try parseOperand("a repository (workspace/slug)", after: "'use'")
        return statement(.use(UseStatement(repository: repo)), from: keyword)
    }

    // let_stmt = "let" IDENTIFIER "=" expression ;
    mutating func parseLet() throws -> Statement {
        let keyword = advance()
        guard check(.identifier), case .text(let name)? = peek.value else {
            throw error(.expected("a name", after: "'let'", found: peek))
        }
        let identifier = Identifier(name, advance().range)
        _ = try consume(.assign, "'='", after: "'let \(name)'")
        let value = try parseOperand("a value", after: "'='")
        return statement(.let(LetStatement(name: identifier, value: value)), from: keyword)
    }

    // upload_stmt = "upload" expression { "as" expression | "to" expression | conflict_clause } ;
    mutating func parseUpload() throws -> Statement {
        let keyword = advance()
        let pattern = try parseOperand("a file pattern (a string)", after: "'upload'")
        var clauses = Clauses()
        while true {
            if let token = match(.as) {
                try clauses.note("as", token.range, &self)
                clauses.asName = try parseOperand("the artifact's name", after: "'as'")
            } else if let token = match(.to) {
                try clauses.note("to", token.range, &self)
                clauses.repository = try parseOperand("a repository", after: "'to'")
            } else if check(.on) {
                clauses.conflict = try parseConflictClause(&clauses)
            } else {
                break
            }
        }
        return statement(
            .upload(
                UploadStatement(
                    pattern: pattern, asName: clauses.asName, repository: clauses.repository,
                    conflict: clauses.conflict)),
            from: keyword)
    }

    // download_stmt = "download" expression { "from" expression | "to" expression | conflict_clause } ;
    mutating func parseDownload() throws -> Statement {
        let keyword = advance()
        let pattern = try parseOperand("an artifact pattern (a string)", after: "'download'")
        var clauses = Clauses()
        while true {
            if let token = match(.from) {
                try clauses.note("from", token.range, &self)
                clauses.repository = try parseOperand("a repository", after: "'from'")
            } else if let token = match(.to) {
                try clauses.note("to", token.range, &self)
                clauses.directory = try parseOperand("a directory (a string)", after: "'to'")
            } else if check(.on) {
                clauses.conflict = try parseConflictClause(&clauses)
            } else {
                break
            }
        }
        return statement(
            .download(
                DownloadStatement(
                    pattern: pattern, repository: clauses.repository, directory: clauses.directory,
                    conflict: clauses.conflict)),
            from: keyword)
    }

    // conflict_clause = "on" "conflict" ( "replace" | "skip" | "fail" | "update" ) ;
    mutating func parseConflictClause(_ clauses: inout Clauses) throws -> Located<ConflictPolicy> {
        let on = advance()
        try clauses.note("on conflict", on.range, &self)
        guard matchWord("conflict") != nil else {
            throw error(.expected("'conflict'", after: "'on'", found: peek))
        }
        let token = peek
        let policy: ConflictPolicy?
        switch token.kind {
        case .keyword(.fail): policy = .fail
        case .identifier where token.value == .text("replace"): policy = .replace
        case .identifier where token.value == .text("skip"): policy = .skip
        case .identifier where token.value == .text("update"): policy = .update
        default: policy = nil
        }
        guard let policy else {
            throw error(.unknownConflictPolicy(found: token, text: source.text(of: token.range)))
        }
        advance()
        return Located(policy, token.range)
    }

    // delete_stmt = "delete" expression [ "from" expression ] ;
    mutating func parseDelete() throws -> Statement {
        let keyword = advance()
        let pattern = try parseOperand("an artifact pattern (a string)", after: "'delete'")
        let repository = try parseOptionalClause(.from, "a repository")
        return statement(.delete(DeleteStatement(pattern: pattern, repository: repository)), from: keyword)
    }

    // prune_stmt = "prune" [ expression ] { "in" expression | keep_clause | "older" "than" expression } ;
    //   (at least one of keep and older than)
    mutating func parsePrune() throws -> Statement {
        let keyword = advance()
        let pattern = try parseOptionalExpression()
        var clauses = Clauses()
        while true {
            if let token = match(.in) {
                try clauses.note("in", token.range, &self)
                clauses.repository = try parseOperand("a repository", after: "'in'")
            } else if let token = match(.keep) {
                let keep = try parseKeepClause(token)
                // Several `keep` clauses are a union; the same kind twice is a slip.
                try clauses.note("keep " + keep.order.rawValue, keep.range ?? token.range, &self)
                clauses.keeps.append(keep)
            } else if let token = match(.older) {
                try clauses.note("older than", token.range, &self)
                _ = try consume(.keyword(.than), "'than'", after: "'older'")
                clauses.olderThan = try parseOperand("a duration (such as 30d)", after: "'older than'")
            } else {
                break
            }
        }
        if clauses.keeps.isEmpty, clauses.olderThan == nil {
            throw error(.pruneNeedsRule(found: peek))
        }
        return statement(
            .prune(
                PruneStatement(
                    pattern: pattern, repository: clauses.repository, keeps: clauses.keeps,
                    olderThan: clauses.olderThan)),
            from: keyword)
    }

    // keep_clause = "keep" expression [ "by" "version" | "per" ( "major" | "minor" ) ] ;
    mutating func parseKeepClause(_ keyword: Token) throws -> KeepClause {
        let count = try parseOperand("how many artifacts to keep (an integer)", after: "'keep'")
        var order = KeepClause.Order.newest
        if matchWord("by") != nil {
            guard matchWord("version") != nil else {
                throw error(.expected("'version'", after: "'keep … by'", found: peek, opener: nil))
            }
            order = .version
        } else if matchWord("per") != nil {
            if matchWord("major") != nil {
                order = .major
            } else if matchWord("minor") != nil {
                order = .minor
            } else {
                throw error(.expected("'major' or 'minor'", after: "'keep … per'", found: peek, opener: nil))
            }
        }
        return KeepClause(count: count, order: order, range: range(from: keyword))
    }

    // list_stmt = "list" [ expression ] [ "in" expression ] ;
    mutating func parseList() throws -> Statement {
        let keyword = advance()
        let pattern = try parseOptionalExpression()
        let repository = try parseOptionalClause(.in, "a repository")
        return statement(.list(ListStatement(pattern: pattern, repository: repository)), from: keyword)
    }

    // checksums_stmt = "checksums" expression [ "signed" ] [ "in" expression ] ;
    mutating func parseChecksums() throws -> Statement {
        let keyword = advance()
        let manifest = try parseOperand("the manifest's artifact name (a string)", after: "'checksums'")
        let signed = matchWord("signed") != nil
        let repository = try parseOptionalClause(.in, "a repository")
        return statement(
            .checksums(ChecksumsStatement(manifest: manifest, signed: signed, repository: repository)), from: keyword)
    }

    // trust_stmt = "trust" [ "key" ] expression [ "in" expression ] ;
    mutating func parseTrust() throws -> Statement {
        let keyword = advance()
        // `key` is the word when an expression follows it; alone, it is a name.
        var fromFile = false
        if checkWord("key"), startsStatementWord,
            tokens[min(current + 1, tokens.count - 1)].kind != .keyword(.in)
        {
            let next = tokens[min(current + 1, tokens.count - 1)].kind
            if next != .newline, next != .semicolon, next != .endOfFile, next != .rightBrace, next != .comment {
                advance()
                fromFile = true
            }
        }
        let key = try parseOperand(
            fromFile ? "the public key's file (a string)" : "a minisign public key (a string, \"RW…\")",
            after: fromFile ? "'trust key'" : "'trust'")
        let repository = try parseOptionalClause(.in, "a repository")
        return statement(.trust(TrustStatement(key: key, fromFile: fromFile, repository: repository)), from: keyword)
    }

    // verify_stmt = "verify" [ expression ] [ "in" expression ] ;
    mutating func parseVerify() throws -> Statement {
        let keyword = advance()
        let pattern = try parseOptionalExpression()
        let repository = try parseOptionalClause(.in, "a repository")
        return statement(.verify(VerifyStatement(pattern: pattern, repository: repository)), from: keyword)
    }

    /// `[ expression ]` where a statement's pattern may be left out (`list`, `verify`).
    mutating func parseOptionalExpression() throws -> Expression? {
        canStartExpression ? try parseExpression() : nil
    }

    /// `[ WORD expression ]`: a clause that may be left out (`from REPO`, `in REPO`).
    mutating func parseOptionalClause(_ word: Keyword, _ what: String) throws -> Expression? {
        guard match(word) != nil else { return nil }
        return try parseOperand(what, after: "'\(word.rawValue)'")
    }

    /// `checksums`, `verify` and `trust` are not reserved (a script may have a name `verify`): they
    /// begin a statement when what follows them can follow the word, not `=`, `.`, `(` or an
    /// operator, which only a name is followed by.
    var startsStatementWord: Bool {
        let next = tokens[min(current + 1, tokens.count - 1)].kind
        switch next {
        case .stringStart, .rawString, .identifier, .keyword(.in), .newline, .semicolon, .endOfFile, .rightBrace,
            .comment, .repository:
            return true
        default:
            return false
        }
    }

    // print_stmt = "print" expression { "," expression } ;
    mutating func parsePrint() throws -> Statement {
        let keyword = advance()
        var values = [try parseOperand("a value to print", after: "'print'")]
        while match(.comma) != nil {
            values.append(try parseOperand("a value to print", after: "','"))
        }
        return statement(.print(PrintStatement(values: values)), from: keyword)
    }

    // assert_stmt = "assert" expression [ "," expression ] ;
    mutating func parseAssert() throws -> Statement {
        let keyword = advance()
        let condition = try parseOperand("a condition", after: "'assert'")
        var message: Expression?
        if match(.comma) != nil {
            message = try parseOperand("a message (a string)", after: "','")
        }
        return statement(.assert(AssertStatement(condition: condition, message: message)), from: keyword)
    }

    // fail_stmt = "fail" expression ;
    mutating func parseFail() throws -> Statement {
        let keyword = advance()
        let message = try parseOperand("a message (a string)", after: "'fail'")
        return statement(.fail(FailStatement(message: message)), from: keyword)
    }

    // if_stmt = "if" expression block { "else" "if" expression block } [ "else" block ] ;
    mutating func parseIf() throws -> Statement {
        let keyword = advance()
        var branches: [ConditionalBranch] = []
        var elseBlock: Block?
        let condition = try parseOperand("a condition", after: "'if'", continuable: true)
        branches.append(ConditionalBranch(condition: condition, body: try parseBlock(after: "the condition")))
        // `else` may start the next line; look past newlines without consuming them otherwise.
        while true {
            var lookahead = current
            while tokens[lookahead].kind == .newline { lookahead += 1 }
            guard tokens[lookahead].kind == .keyword(.else) else { break }
            current = lookahead + 1
            if match(.if) != nil {
                let condition = try parseOperand("a condition", after: "'else if'", continuable: true)
                branches.append(ConditionalBranch(condition: condition, body: try parseBlock(after: "the condition")))
            } else {
                elseBlock = try parseBlock(after: "'else'")
                break
            }
        }
        return statement(.if(IfStatement(branches: branches, elseBlock: elseBlock)), from: keyword)
    }

    // for_stmt = "for" IDENTIFIER "in" expression block ;
    mutating func parseFor() throws -> Statement {
        let keyword = advance()
        guard check(.identifier), case .text(let name)? = peek.value else {
            throw error(.expected("a loop variable name", after: "'for'", found: peek), incomplete: isAtEnd)
        }
        let variable = Identifier(name, advance().range)
        if match(.in) == nil {
            throw error(.expected("'in'", after: "'for \(name)'", found: peek), incomplete: isAtEnd)
        }
        let sequence = try parseOperand("what to loop over", after: "'in'", continuable: true)
        let body = try parseBlock(after: "the loop's list")
        return statement(.for(ForStatement(variable: variable, sequence: sequence, body: body)), from: keyword)
    }

    // block = "{" { separator } [ statement { separator { separator } statement } ] { separator } "}" ;
    mutating func parseBlock(after context: String) throws -> Block {
        skipNewlines()
        guard let open = match(.leftBrace) else {
            // A header with its block still to come: more input could complete it.
            throw error(.expected("'{'", after: context, found: peek), incomplete: isAtEnd)
        }
        try nest()
        defer { unnest() }
        openers.append(("{", open.range))
        let statements = try parseStatements(inBlock: true)
        guard let close = match(.rightBrace) else {
            let diagnostic = Diagnostic.expected("'}' to close the block", found: peek, opener: ("{", open.range))
            openers.removeLast()
            record(diagnostic, incomplete: isAtEnd)
            return Block(statements: statements, range: SourceRange(open.range.start, peek.range.start))
        }
        openers.removeLast()
        return Block(statements: statements, range: open.range.union(close.range))
    }

    // addon_stmt = "addon" ( "update" [ "descriptor" expression | "url" expression ] | "delete" ) ;
    mutating func parseAddon() throws -> Statement {
        let keyword = advance()
        if matchWord("update") != nil {
            if matchWord("descriptor") != nil {
                let file = try parseOperand("the descriptor's file name (a string)", after: "'descriptor'")
                return statement(.addonUpdate(AddonUpdateStatement(source: .descriptor(file))), from: keyword)
            }
            if matchWord("url") != nil {
                let url = try parseOperand("the descriptor's URL (a string)", after: "'url'")
                return statement(.addonUpdate(AddonUpdateStatement(source: .url(url))), from: keyword)
            }
            return statement(.addonUpdate(AddonUpdateStatement(source: .registered)), from: keyword)
        }
        if match(.delete) != nil {
            return statement(.addonDelete, from: keyword)
        }
        throw error(.expected("'update' or 'delete'", after: "'addon'", found: peek))
    }

    // linkers_stmt = "linkers" ;
    // linker_stmt = "linker" postfix [ "values" | "value" expression | "add" expression
    //             | "set" expression | "remove" expression | "clear" ] ;
    mutating func parseLinker() throws -> Statement {
        let keyword = advance()
        if !canStartExpression || LinkerAction.words.contains(where: checkWord) {
            throw error(.missingLinkerKey(found: peek))
        }
        let key = try parsePostfix()
        let action: LinkerAction
        if matchWord("values") != nil {
            action = .values
        } else if matchWord("value") != nil {
            action = .value(try parseOperand("the value's id (an integer)", after: "'value'"))
        } else if matchWord("add") != nil {
            action = .add(try parseOperand("the value to add (a string)", after: "'add'"))
        } else if matchWord("set") != nil {
            action = .set(try parseOperand("the values to set (a list of strings)", after: "'set'"))
        } else if matchWord("remove") != nil {
            action = .remove(try parseOperand("the value's id (an integer)", after: "'remove'"))
        } else if matchWord("clear") != nil {
            action = .clear
        } else if check(.identifier) {
            throw error(
                .expected(
                    "'values', 'value', 'add', 'set', 'remove' or 'clear'", after: "the linker's key", found: peek))
        } else {
            action = .show
        }
        return statement(.linker(LinkerStatement(key: key, action: action)), from: keyword)
    }

    /// Which clauses a statement has seen, to report one given twice.
    struct Clauses {
        var seen: [String: SourceRange] = [:]
        var asName: Expression?
        var repository: Expression?
        var directory: Expression?
        var conflict: Located<ConflictPolicy>?
        var keeps: [KeepClause] = []
        var olderThan: Expression?

        mutating func note(_ clause: String, _ range: SourceRange, _ parser: inout Parser) throws {
            if let first = seen[clause] {
                throw parser.error(.duplicateClause(clause, at: range, first: first))
            }
            seen[clause] = range
        }
    }
}
