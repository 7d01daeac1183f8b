import BBXSyntax
import BitbucketModel
import SafeText

/// What the checker knows of the world outside the script.
public struct CheckOptions: Sendable {
    /// Names bound before the script runs (`--var NAME=VALUE`), all strings.
    public var predefinedNames: [String]
    /// A default repository exists before the first `use` (`BITBUCKET_REPO_FULL_NAME` in
    /// Bitbucket Pipelines, or the REPL's current repository).
    public var hasDefaultRepository: Bool
    /// Names bound before the script with a known kind (the REPL's earlier entries).
    public var predefinedKinds: [String: ValueKind]

    public init(
        predefinedNames: [String] = [], hasDefaultRepository: Bool = false, predefinedKinds: [String: ValueKind] = [:]
    ) {
        self.predefinedNames = predefinedNames
        self.hasDefaultRepository = hasDefaultRepository
        self.predefinedKinds = predefinedKinds
    }
}

/// Static checks over a parsed script: names, kinds of values, repositories. Nothing is read
/// from the network or the file system, so `bbx check` is safe to run anywhere.
public struct Checker {
    struct Binding {
        let kind: ValueKind
        let range: SourceRange?
        /// For a name bound outside the script: where, in the words of a message.
        var origin = "by --var"
        /// The most bytes its text can have, when the script shows it (`ValueBudget`).
        var textBound: Int? = nil
    }

    /// One `{ }` level: its names and whether a repository is in effect.
    struct Scope {
        var names: [String: Binding] = [:]
        var hasRepository: Bool
    }

    var scopes: [Scope]
    var diagnostics: [Diagnostic] = []

    /// Every problem the checks find in a script that parsed.
    public static func check(_ script: Script, options: CheckOptions = CheckOptions()) -> [Diagnostic] {
        var checker = Checker(options: options)
        checker.checkStatements(script.statements)
        return checker.diagnostics
    }

    /// Parses and checks a source file, reporting everything at once.
    ///
    /// After syntax errors the checks still run on the statements that parsed, but leave out
    /// what a dropped statement could have caused (a name its `let` would bind, a repository its
    /// `use` would set), so every message points at a real mistake.
    public static func diagnose(_ source: SourceFile, options: CheckOptions = CheckOptions()) -> [Diagnostic] {
        diagnose(Parser.parse(source), in: source, options: options)
    }

    /// The same, for a source already parsed (a command parses each file once).
    public static func diagnose(_ parsed: ParseResult, in source: SourceFile, options: CheckOptions = CheckOptions())
        -> [Diagnostic]
    {
        var checks = check(parsed.script, options: options)
        if parsed.diagnostics.hasErrors {
            // A statement that did not parse may have bound a name or set the repository: only
            // those are uncertain. Every other statement's errors are still reported (a typo
            // in one line does not hide an unbound name in another).
            let uncertain = Self.uncertainAfterSyntaxErrors(source, parsed.diagnostics)
            checks.removeAll { diagnostic in
                switch diagnostic.id {
                case .unbound: return diagnostic.subject.map(uncertain.names.contains) ?? false
                case .needsRepository: return uncertain.repository
                default: return false
                }
            }
        }
        return (parsed.diagnostics + checks).sorted { $0.range.start < $1.range.start }
    }

    /// What the statements that failed to parse might have done: the names written after
    /// `let` or `for` anywhere (they may be bound by a broken statement), and whether a `use`
    /// stands on a line with a syntax error.
    static func uncertainAfterSyntaxErrors(_ source: SourceFile, _ syntaxErrors: [Diagnostic]) -> (
        names: Set<String>, repository: Bool
    ) {
        let tokens = Lexer.lex(source).tokens
        var names = Set<String>()
        var repository = false
        let brokenLines = Set(syntaxErrors.filter(\.isError).map { source.location(of: $0.range.start).line })
        for (index, token) in tokens.enumerated() {
            switch token.kind {
            case .keyword(.let), .keyword(.for):
                if index + 1 < tokens.count, case .identifier = tokens[index + 1].kind {
                    names.insert(source.text(of: tokens[index + 1].range))
                }
            case .keyword(.use):
                if brokenLines.contains(source.location(of: token.range.start).line) { repository = true }
            default: break
            }
        }
        return (names, repository)
    }

    init(options: CheckOptions) {
        var globals = Scope(hasRepository: options.hasDefaultRepository)
        for name in options.predefinedNames {
            globals.names[name] = Binding(kind: .string, range: nil)
        }
        for (name, kind) in options.predefinedKinds {
            globals.names[name] = Binding(kind: kind, range: nil, origin: Self.earlierEntry)
        }
        scopes = [globals]
    }

    // MARK: - Scopes

    func lookup(_ name: String) -> Binding? {
        for scope in scopes.reversed() {
            if let binding = scope.names[name] { return binding }
        }
        return nil
    }

    var visibleNames: [String] { scopes.flatMap { $0.names.keys } }

    var hasRepository: Bool { scopes[scopes.count - 1].hasRepository }

    /// Where a REPL entry's names come from: an entry may bind them again (at the top level).
    static let earlierEntry = "earlier in this session"

    mutating func bind(_ identifier: Identifier, _ kind: ValueKind) {
        if let existing = scopes[scopes.count - 1].names[identifier.name],
            !(scopes.count == 1 && existing.origin == Self.earlierEntry)
        {
            diagnostics.append(
                .rebound(identifier.name, at: identifier.range, first: existing.range, origin: existing.origin))
            return
        }
        scopes[scopes.count - 1].names[identifier.name] = Binding(kind: kind, range: identifier.range)
    }

    mutating func inScope(bindings: [(Identifier, ValueKind)] = [], _ body: (inout Checker) -> Void) {
        scopes.append(Scope(hasRepository: hasRepository))
        for (identifier, kind) in bindings { bind(identifier, kind) }
        body(&self)
        scopes.removeLast()
    }

    // MARK: - Statements

    mutating func checkStatements(_ statements: [Statement]) {
        for statement in statements { checkStatement(statement) }
    }

    mutating func checkBlock(_ block: Block, bindings: [(Identifier, ValueKind)] = []) {
        inScope(bindings: bindings) { $0.checkStatements(block.statements) }
    }

    mutating func checkStatement(_ statement: Statement) {
        defer { checkRepositoryClause(of: statement) }
        switch statement.kind {
        case .use:
            scopes[scopes.count - 1].hasRepository = true

        case .let(let s):
            bind(s.name, kindOf(s.value))
            // Past the budget it was reported here; later lines built from it are not again.
            if let bound = textBound(of: s.value), bound <= ValueBudget.maximumBytes {
                scopes[scopes.count - 1].names[s.name.name]?.textBound = bound
            }

        case .upload(let s):
            expect(s.pattern, .string, "a file pattern (a string)")
            if let asName = s.asName {
                expect(asName, .string, "the artifact's name (a string)")
                if let name = asName.literalText, let problem = FileNameRule.problem(with: name) {
                    diagnostics.append(.invalidArtifactName(name, problem: problem, at: asName.range))
                }
                if let text = s.pattern.literalText, hasGlobCharacters(text) {
                    diagnostics.append(.globWithAs(text, at: s.pattern.range, asRange: asName.range))
                }
            }

        case .download(let s):
            expectPattern(s.pattern)
            if let conflict = s.conflict, conflict.value == .update {
                diagnostics.append(.updateIsForUploads(at: conflict.range))
            }
            if let directory = s.directory { expect(directory, .string, "a directory (a string)") }

        case .delete(let s):
            expectPattern(s.pattern)

        case .prune(let s):
            if let pattern = s.pattern { expectPattern(pattern) }
            // Text is accepted where it reads as a number or a duration: `keep env("KEEP", "5")`.
            // Written literally, it is checked now.
            for keep in s.keeps {
                expect(
                    keep.count, .integer, "how many to keep (an integer)", orTextThat: { parseWholeNumber($0) != nil })
            }
            if let olderThan = s.olderThan {
                expect(olderThan, .duration, "a duration (such as 30d)", orTextThat: { parseDuration($0) != nil })
            }

        case .list(let s):
            if let pattern = s.pattern { expectPattern(pattern) }

        case .print(let s):
            for value in s.values { _ = kindOf(value) }

        case .assert(let s):
            expectCondition(s.condition)
            if let message = s.message { expect(message, .string, "a message (a string)") }

        case .fail(let s):
            expect(s.message, .string, "a message (a string)")

        case .if(let s):
            for branch in s.branches {
                expectCondition(branch.condition)
                checkBlock(branch.body)
            }
            if let elseBlock = s.elseBlock { checkBlock(elseBlock) }

        case .for(let s):
            let kind = kindOf(s.sequence)
            var element = ValueKind.unknown
            switch kind {
            case .list(let inner): element = inner
            case .unknown: break
            default:
                diagnostics.append(
                    .wrongKind(
                        expected: "a list to loop over (such as files(\"*.zip\"))", found: kind, at: s.sequence.range))
            }
            checkBlock(s.body, bindings: [(s.variable, element)])

        case .addonUpdate(let s):
            switch s.source {
            case .registered: break
            case .descriptor(let file):
                expect(file, .string, "the descriptor's file name (a string)")
            case .url(let url):
                expect(url, .string, "the descriptor's URL (a string)")
                if let text = url.literalText, !(text.hasPrefix("https://") || text.hasPrefix("http://")) {
                    diagnostics.append(.invalidURL(text, at: url.range))
                }
            }

        case .addonDelete, .linkers:
            break

        case .linker(let s):
            expect(s.key, .string, "the linker's key (a string)")
            if s.key.literalText == "" {
                diagnostics.append(.emptyLinkerKey(at: s.key.range))
            }
            checkLinkerAction(s.action)

        case .checksums(let s):
            expect(s.manifest, .string, "the manifest's artifact name (a string)")
            if let name = s.manifest.literalText, let problem = FileNameRule.problem(with: name) {
                diagnostics.append(.invalidArtifactName(name, problem: problem, at: s.manifest.range))
            }

        case .verify(let s):
            if let pattern = s.pattern { expectPattern(pattern) }

        case .trust(let s):
            if s.fromFile {
                expect(s.key, .string, "the public key's file (a string)")
            } else {
                expect(s.key, .string, "a minisign public key (a string, \"RW…\")")
                if let text = s.key.literalText, !PublicKeyShape.isMinisignPublicKey(text) {
                    diagnostics.append(.notAPublicKey(at: s.key.range))
                }
            }
        }
    }

    /// Every repository a statement names: as written, or the one in effect.
    mutating func checkRepositoryClause(of statement: Statement) {
        for clause in statement.repositoryClauses {
            requireRepository(
                clause.expression, "'\(statement.kind.tag.rawValue)'", clause: clause.word, at: statement.keyword)
        }
    }

    mutating func requireRepository(_ given: Expression?, _ statement: String, clause: String, at range: SourceRange) {
        if let given {
            checkRepository(given)
        } else if !hasRepository {
            diagnostics.append(.needsRepository(statement, hint: "add '\(clause) workspace/slug'", at: range))
        }
    }

    mutating func checkLinkerAction(_ action: LinkerAction) {
        switch action {
        case .show, .values, .clear:
            break
        case .value(let id), .remove(let id):
            expect(id, .integer, "the value's id (an integer)")
        case .add(let value):
            expect(value, .string, "the value to add (a string)")
            checkLinkerValue(value)
        case .set(let values):
            expect(values, .list(.string), "a list of strings")
            if case .list(let items) = values.kind { items.forEach { checkLinkerValue($0) } }
        }
    }

    mutating func checkLinkerValue(_ value: Expression) {
        guard let text = value.literalText else { return }
        let valid =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy {
                $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || $0.properties.numericType == .decimal
            }
        if !valid { diagnostics.append(.invalidLinkerValue(text, at: value.range)) }
    }

    /// A repository is written bare (`acme/app`), as a string, or through a name bound to either.
    mutating func checkRepository(_ expression: Expression) {
        // `use acme` is more likely a repository missing its slug than an unbound name.
        if case .name(let name) = expression.kind, lookup(name) == nil {
            diagnostics.append(.notARepositoryOrName(name, at: expression.range))
            return
        }
        let kind = kindOf(expression)
        switch kind {
        case .repository, .unknown:
            break
        case .string:
            if let text = expression.literalText, RepositoryName(parsing: text) == nil {
                diagnostics.append(.invalidRepository(text, at: expression.range))
            }
        default:
            diagnostics.append(.wrongKind(expected: "a repository (workspace/slug)", found: kind, at: expression.range))
        }
    }
}

/// Whether a name holds glob characters (`*`, `?`, `[`, `{`), so it cannot name one file.
func hasGlobCharacters(_ text: String) -> Bool { GlobSyntax.hasWildcards(text) }
