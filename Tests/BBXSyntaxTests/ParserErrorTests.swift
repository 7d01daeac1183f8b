import BBXSyntax
import BBXTestSupport
import Testing

struct ParserErrorCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// Source with 1️⃣ where the error must point.
    let marked: String
    let message: String
    var testDescription: String { name }
}

@Suite("Parser errors")
struct ParserErrorTests {
    static let cases: [ParserErrorCase] = [
        // What a first hour trips over (issue 29): each says what was meant.
        .init(
            name: "checksum for checksums", marked: "1️⃣checksum \"SHA256SUMS\"",
            message: "expected a statement, found a name; did you mean 'checksums'?"),
        .init(
            name: "prnue for prune", marked: "1️⃣prnue keep 3",
            message: "expected a statement, found a name; did you mean 'prune'?"),
        .init(
            name: "replce for replace", marked: "upload \"a\" on conflict 1️⃣replce",
            message:
                "expected 'replace', 'skip', 'fail' or 'update' after 'on conflict', found a name; did you mean 'replace'?"
        ),
        .init(
            name: "curly quotes", marked: "print 1️⃣\u{201C}hello\u{201D}",
            message:
                "unexpected character '\u{201C}'; strings take straight quotes (\" or '): a curly quote is often pasted from a document"
        ),
        .init(
            name: "keep by what", marked: "prune keep 3 by 1️⃣age",
            message: "expected 'version' after 'keep … by', found a name"),
        .init(
            name: "missing repository after to", marked: "upload \"x\" to1️⃣\n",
            message: "expected a repository after 'to', found a newline"),
        .init(
            name: "missing pattern", marked: "upload 1️⃣\n",
            message: "expected a file pattern (a string) after 'upload', found a newline"),
        .init(
            name: "junk after a statement", marked: "delete \"x\" 1️⃣extra",
            message: "expected a newline or ';' after the statement, found a name"),
        .init(
            name: "not a statement", marked: "1️⃣version = 3",
            message:
                "expected a statement, found a name; a script is made of statements such as 'let', 'upload' or 'if'"),
        .init(
            name: "stray closing brace", marked: "print 1\n1️⃣}",
            message: "expected a statement, found '}' ('}' closes nothing here)"),
        .init(name: "let without a name", marked: "let 1️⃣= 3", message: "expected a name after 'let', found '='"),
        .init(
            name: "let with a reserved word", marked: "let 1️⃣keep = 5",
            message: "expected a name after 'let', found 'keep', which is reserved and cannot be a name"),
        .init(
            name: "for with a reserved word", marked: "for 1️⃣older in files(\"*\") {}",
            message: "expected a loop variable name after 'for', found 'older', which is reserved and cannot be a name"),
        .init(
            name: "let without a value", marked: "let x =1️⃣",
            message: "expected a value after '=', found the end of the input"),
        .init(
            name: "prune without a rule", marked: "prune \"a-*\"1️⃣\n",
            message: "expected 'keep N' or 'older than DURATION' in 'prune', found a newline"),
        .init(
            name: "older without than", marked: "prune older 1️⃣30d",
            message: "expected 'than' after 'older', found a duration"),
        .init(
            name: "bad conflict policy", marked: "upload \"a\" on conflict 1️⃣overwrite",
            message: "expected 'replace', 'skip', 'fail' or 'update' after 'on conflict', found a name"),
        .init(
            name: "on without conflict", marked: "upload \"a\" on 1️⃣replace",
            message: "expected 'conflict' after 'on', found a name"),
        .init(
            name: "clause given twice", marked: "upload \"a\" as \"b\" 1️⃣as \"c\"",
            message: "'as' is given twice in this statement"),
        .init(
            name: "linker without a key", marked: "linker 1️⃣values",
            message: "expected the linker's key (a string) after 'linker', found a name"),
        .init(
            name: "linker with unknown action", marked: "linker \"k\" 1️⃣drop",
            message:
                "expected 'values', 'value', 'add', 'set', 'remove' or 'clear' after the linker's key, found a name"),
        .init(
            name: "addon without action", marked: "addon 1️⃣install",
            message: "expected 'update' or 'delete' after 'addon', found a name"),
        .init(
            name: "chained comparison", marked: "assert 1 < 2 1️⃣< 3",
            message: "comparisons cannot be chained; join them with 'and'"),
        .init(
            name: "operator without right side", marked: "assert a and1️⃣\n",
            message: "expected a value after 'and', found a newline"),
        .init(
            name: "if without a block", marked: "if x 1️⃣print 1",
            message: "expected '{' after the condition, found 'print'"),
        .init(
            name: "for without in", marked: "for a 1️⃣artifacts(\"*\") {}",
            message: "expected 'in' after 'for a', found a name"),
        .init(name: "empty interpolation", marked: "print \"a1️⃣${}\"", message: "expected an expression inside '${}'"),
        .init(
            name: "unclosed list", marked: "print [1, 2 1️⃣3]",
            message: "expected ']' after the last item, found an integer"),
        .init(
            name: "member needs a name", marked: "print a.1️⃣5",
            message: "expected a field name after '.', found an integer"),
    ]

    @Test(arguments: cases)
    func pointsAtTheMistake(_ testCase: ParserErrorCase) {
        let marked = MarkedSource(testCase.marked)
        // The first error is the one the case is about (recovery may find more after it).
        assertDiagnostics(
            Array(parse(marked.text).diagnostics.prefix(1)), in: marked, [DiagnosticSpec(testCase.message)])
    }

    @Test func everyStatementErrorIsReportedInOneRun() {
        let marked = MarkedSource(
            """
            use acme/app
            upload "a.zip" to1️⃣
            print "fine"
            delete "x" 2️⃣extra
            if true {
                prune "a" keep3️⃣
                print "still parsed"
            }
            list 4️⃣)
            """)
        let result = parse(marked.text)
        assertDiagnostics(
            result.diagnostics, in: marked,
            [
                DiagnosticSpec("expected a repository after 'to', found a newline", at: "1️⃣"),
                DiagnosticSpec("expected a newline or ';' after the statement, found a name", at: "2️⃣"),
                DiagnosticSpec(
                    "expected how many artifacts to keep (an integer) after 'keep', found a newline", at: "3️⃣"),
                DiagnosticSpec("expected a newline or ';' after the statement, found ')'", at: "4️⃣"),
            ])
        // The good statements around the errors are all in the tree.
        #expect(result.script.dump.contains("(print \"fine\")"))
        #expect(result.script.dump.contains("(print \"still parsed\")"))
        #expect(!result.isIncomplete)
    }

    @Test func anErrorInAHeaderSkipsItsWholeBlock() {
        let result = parse("if x y {\n  print 1\n}\nprint 2")
        #expect(result.diagnostics.count == 1)
        #expect(result.script.dump == "(print 2)")
    }

    @Test(arguments: [
        "if x y {\n  print 1\n} else if true {\n  print 3\n} else {\n  print 4\n}\nprint 2",
        "if x y {\n  print 1\n}\nelse {\n  print 4\n}\nprint 2",
        "if true {\n  print 1\n} else if x y {\n  print 3\n} else {\n  print 4\n}\nprint 2",
    ])
    func anErrorInAnIfHeaderSkipsItsElseBranchesToo(source: String) {
        let result = parse(source)
        #expect(result.diagnostics.map(\.message) == ["expected '{' after the condition, found a name"])
        #expect(result.script.dump == "(print 2)")
    }

    @Test func unclosedBlockPointsAtItsOpeningBrace() {
        let marked = MarkedSource("if x 1️⃣{\n  print 1\n2️⃣")
        assertDiagnostics(
            parse(marked.text).diagnostics, in: marked,
            [
                DiagnosticSpec(
                    "expected '}' to close the block, found the end of the input", at: "2️⃣",
                    notes: [("1️⃣", "'{' opened here")])
            ])
    }

    struct ContinuationCase: CustomTestStringConvertible, Sendable {
        let source: String
        let incomplete: Bool
        var testDescription: String { source.debugDescription }
    }

    /// The REPL asks for another line exactly when more input could complete the entry.
    static let continuationCases: [ContinuationCase] = [
        .init(source: "if x {", incomplete: true),
        .init(source: "if x {\n  print 1", incomplete: true),
        .init(source: "if x", incomplete: true),
        .init(source: "if x {\n} else", incomplete: true),
        .init(source: "for a in artifacts(\"*\")", incomplete: true),
        .init(source: "print \"abc", incomplete: true),
        .init(source: "print 'abc", incomplete: true),
        .init(source: "print \"a${x", incomplete: true),
        .init(source: "print [1,", incomplete: true),
        .init(source: "print count(", incomplete: true),
        .init(source: "if x {\n  print 1\n}", incomplete: false),
        .init(source: "print \"abc\"", incomplete: false),
        .init(source: "upload", incomplete: false),
        .init(source: "if x { print 1 extra", incomplete: false),
        .init(source: "print 1 }", incomplete: false),
    ]

    @Test(arguments: continuationCases)
    func asksForContinuation(_ testCase: ContinuationCase) {
        #expect(parse(testCase.source).isIncomplete == testCase.incomplete)
    }
}
