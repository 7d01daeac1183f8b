import BBXSyntax
import BBXTestSupport
import Testing

struct ParserCase: CustomTestStringConvertible, Sendable {
    /// The grammar production the case exercises (see grammar/bbx.ebnf).
    let production: String
    let source: String
    let tree: String
    var testDescription: String { "\(production): \(source)" }
}

func parse(_ source: String) -> ParseResult {
    Parser.parse(SourceFile(name: "test.bbx", text: source))
}

@Suite("Parser")
struct ParserTests {
    static let statements: [ParserCase] = [
        .init(production: "use_stmt", source: "use acme/app", tree: "(use repo:acme/app)"),
        .init(production: "use_stmt", source: #"use "{ab-12}/{cd-34}""#, tree: #"(use "{ab-12}/{cd-34}")"#),
        .init(
            production: "let_stmt", source: #"let version = env("VERSION")"#,
            tree: #"(let version (call env "VERSION"))"#),
        .init(production: "upload_stmt", source: #"upload "build/*.zip""#, tree: #"(upload "build/*.zip")"#),
        .init(
            production: "upload_stmt",
            source: #"upload "dist/app.tar.gz" as "app-${version}.tar.gz" to acme/app on conflict replace"#,
            tree: #"(upload "dist/app.tar.gz" as "app-${version}.tar.gz" to repo:acme/app conflict replace)"#),
        .init(
            production: "upload_stmt", source: #"upload "a" on conflict skip to acme/app"#,
            tree: #"(upload "a" to repo:acme/app conflict skip)"#),
        .init(
            production: "conflict_clause", source: #"upload "a" on conflict fail"#, tree: #"(upload "a" conflict fail)"#
        ),
        .init(production: "download_stmt", source: #"download "app-*.zip""#, tree: #"(download "app-*.zip")"#),
        .init(
            production: "download_stmt", source: #"download "*.zip" from acme/app to "out" on conflict replace"#,
            tree: #"(download "*.zip" from repo:acme/app to "out" conflict replace)"#),
        .init(
            production: "delete_stmt", source: #"delete "old-*" from acme/app"#,
            tree: #"(delete "old-*" from repo:acme/app)"#),
        .init(production: "prune_stmt", source: #"prune "app-*" keep 5"#, tree: #"(prune "app-*" keep 5)"#),
        .init(production: "prune_stmt", source: "prune keep 5", tree: "(prune keep 5)"),
        .init(production: "prune_stmt", source: "prune older than 30d", tree: "(prune older-than 30d)"),
        .init(
            production: "prune_stmt", source: #"prune "n-*" in acme/app keep 10 older than 2w"#,
            tree: #"(prune "n-*" in repo:acme/app keep 10 older-than 2w)"#),
        .init(production: "list_stmt", source: "list", tree: "(list)"),
        .init(production: "checksums_stmt", source: #"checksums "SHA256SUMS""#, tree: #"(checksums "SHA256SUMS")"#),
        .init(
            production: "checksums_stmt", source: #"checksums "SUMS" in acme/app"#,
            tree: #"(checksums "SUMS" in repo:acme/app)"#),
        .init(production: "verify_stmt", source: "verify", tree: "(verify)"),
        .init(
            production: "verify_stmt", source: #"verify "app-*" in acme/app"#,
            tree: #"(verify "app-*" in repo:acme/app)"#),
        .init(
            production: "checksums_stmt", source: #"checksums "SUMS" signed in acme/app"#,
            tree: #"(checksums "SUMS" signed in repo:acme/app)"#),
        .init(
            production: "prune_stmt", source: #"prune "app-*.zip" keep 5 by version keep 1 per minor older than 30d"#,
            tree: #"(prune "app-*.zip" keep-by-version 5 keep-per-minor 1 older-than 30d)"#),
        .init(
            production: "prune_stmt", source: "prune keep 3 keep 2 per major", tree: "(prune keep 3 keep-per-major 2)"),
        .init(production: "trust_stmt", source: #"trust "RWQ" in acme/app"#, tree: #"(trust "RWQ" in repo:acme/app)"#),
        .init(production: "trust_stmt", source: #"trust key "minisign.pub""#, tree: #"(trust key "minisign.pub")"#),
        // `key` alone is a name: the key's text held by a `let`.
        .init(production: "trust_stmt", source: "trust key", tree: "(trust key)"),
        // Not reserved: a name `verify`, `checksums` or `trust` is still a name.
        .init(production: "let_stmt", source: "let trust = signed", tree: "(let trust signed)"),
        .init(production: "let_stmt", source: "let verify = checksums", tree: "(let verify checksums)"),
        .init(
            production: "upload_stmt", source: #"upload "a" on conflict update"#, tree: #"(upload "a" conflict update)"#
        ),
        .init(production: "list_stmt", source: #"list "*.zip" in acme/app"#, tree: #"(list "*.zip" in repo:acme/app)"#),
        .init(production: "list_stmt", source: "list in acme/app", tree: "(list in repo:acme/app)"),
        .init(production: "print_stmt", source: #"print "a", 1, x"#, tree: #"(print "a" 1 x)"#),
        .init(
            production: "assert_stmt", source: #"assert exists "a", "missing""#,
            tree: #"(assert (exists "a") message "missing")"#),
        .init(
            production: "assert_stmt", source: "assert count(files(\"*\")) > 0",
            tree: #"(assert (> (call count (call files "*")) 0))"#),
        .init(production: "fail_stmt", source: #"fail "stop""#, tree: #"(fail "stop")"#),
        .init(production: "if_stmt", source: "if x { print 1 }", tree: "(if x {(print 1)})"),
        .init(
            production: "if_stmt", source: "if a {\n  print 1\n} else if b {\n  print 2\n}\nelse {\n  print 3\n}",
            tree: "(if a {(print 1)} elif b {(print 2)} else {(print 3)})"),
        .init(production: "if_stmt", source: "if x\n{\n}", tree: "(if x {})"),
        .init(
            production: "for_stmt", source: "for a in artifacts(\"*.zip\") {\n  delete a.name\n}",
            tree: #"(for a (call artifacts "*.zip") {(delete a.name)})"#),
        .init(
            production: "for_stmt", source: #"for f in files("**/*.zip") { upload f.path }"#,
            tree: #"(for f (call files "**/*.zip") {(upload f.path)})"#),
        .init(production: "addon_stmt", source: "addon update", tree: "(addon-update)"),
        .init(
            production: "addon_stmt", source: #"addon update descriptor "atlassian-connect.json""#,
            tree: #"(addon-update descriptor "atlassian-connect.json")"#),
        .init(
            production: "addon_stmt", source: #"addon update url "https://x.example/d.json""#,
            tree: #"(addon-update url "https://x.example/d.json")"#),
        .init(production: "addon_stmt", source: "addon delete", tree: "(addon-delete)"),
        .init(production: "linkers_stmt", source: "linkers", tree: "(linkers)"),
        .init(production: "linker_stmt", source: #"linker "jira""#, tree: #"(linker "jira")"#),
        .init(production: "linker_stmt", source: #"linker "jira" values"#, tree: #"(linker "jira" values)"#),
        .init(production: "linker_stmt", source: #"linker "jira" value 3"#, tree: #"(linker "jira" value 3)"#),
        .init(production: "linker_stmt", source: #"linker "jira" add "PROJ""#, tree: #"(linker "jira" add "PROJ")"#),
        .init(
            production: "linker_stmt", source: #"linker "jira" set ["A", "B"]"#, tree: #"(linker "jira" set ["A" "B"])"#
        ),
        .init(production: "linker_stmt", source: #"linker "jira" remove 7"#, tree: #"(linker "jira" remove 7)"#),
        .init(production: "linker_stmt", source: #"linker "jira" clear"#, tree: #"(linker "jira" clear)"#),
        .init(production: "script", source: "print 1; print 2\n\n\nprint 3;", tree: "(print 1)\n(print 2)\n(print 3)"),
        .init(production: "script", source: "# only a comment\n", tree: ""),
        .init(production: "block", source: "if x {\n\n  print 1; print 2\n\n}", tree: "(if x {(print 1) (print 2)})"),
    ]

    @Test(arguments: statements)
    func statement(_ testCase: ParserCase) {
        let result = parse(testCase.source)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        #expect(result.script.dump == testCase.tree)
    }

    static let expressions: [ParserCase] = [
        .init(production: "or_expr", source: "a or b or c", tree: "(or (or a b) c)"),
        .init(production: "and_expr", source: "a or b and c", tree: "(or a (and b c))"),
        .init(production: "not_expr", source: "not a and b", tree: "(and (not a) b)"),
        .init(production: "not_expr", source: "not not a", tree: "(not (not a))"),
        .init(production: "comparison", source: "not a == b", tree: "(not (== a b))"),
        .init(
            production: "comparison", source: "a.size >= 1024 and a.age < 30d",
            tree: "(and (>= a.size 1024) (< a.age 30d))"),
        .init(
            production: "match_expr", source: #"a.name matches "*.zip" == true"#,
            tree: #"(== (matches a.name "*.zip") true)"#),
        .init(
            production: "coalesce_expr", source: #"env("A") ?? env("B") ?? "c""#,
            tree: #"(?? (?? (call env "A") (call env "B")) "c")"#),
        .init(production: "coalesce_expr", source: #"x ?? "a" matches "b""#, tree: #"(matches (?? x "a") "b")"#),
        .init(production: "postfix", source: "a.name", tree: "a.name"),
        .init(production: "call", source: #"basename("a/b.zip")"#, tree: #"(call basename "a/b.zip")"#),
        .init(production: "call", source: "count(\n  files(\"*\"),\n)", tree: #"(call count (call files "*"))"#),
        .init(production: "list", source: "[]", tree: "[]"),
        .init(production: "list", source: "[\n  \"a\",\n  \"b\",\n]", tree: #"["a" "b"]"#),
        .init(production: "parenthesized", source: "(a or b) and c", tree: "(and (or a b) c)"),
        .init(
            production: "exists_expr", source: #"exists "a-*" in acme/app and x"#,
            tree: #"(and (exists "a-*" in repo:acme/app) x)"#),
        .init(production: "primary", source: "true", tree: "true"),
        .init(production: "primary", source: "false", tree: "false"),
        .init(production: "primary", source: "42", tree: "42"),
        .init(production: "primary", source: "90s", tree: "90s"),
        .init(production: "primary", source: "acme-corp/web.site_2", tree: "repo:acme-corp/web.site_2"),
        .init(production: "string", source: #""a-${"b-${c}"}-d""#, tree: #""a-${"b-${c}"}-d""#),
        .init(production: "string", source: #""\${x} \$""#, tree: #""\${x} \$""#),
        .init(production: "string", source: #"'raw ${x}'"#, tree: #""raw \${x}""#),
    ]

    @Test(arguments: expressions)
    func expression(_ testCase: ParserCase) {
        let result = parse("print " + testCase.source)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        #expect(result.script.dump == "(print \(testCase.tree))")
    }

    @Test func nodesCarryTheirRanges() {
        let marked = MarkedSource("1️⃣upload6️⃣ 2️⃣\"a\"3️⃣ to 4️⃣acme/app5️⃣")
        let result = parse(marked.text)
        let statement = result.script.statements[0]
        #expect(statement.range == SourceRange(marked["1️⃣"], marked["5️⃣"]))
        #expect(statement.keyword == SourceRange(marked["1️⃣"], marked["6️⃣"]))
        guard case .upload(let upload) = statement.kind, let repository = upload.repository else {
            Issue.record("not an upload")
            return
        }
        #expect(upload.pattern.range == SourceRange(marked["2️⃣"], marked["3️⃣"]))
        #expect(repository.range == SourceRange(marked["4️⃣"], marked["5️⃣"]))
    }
}
