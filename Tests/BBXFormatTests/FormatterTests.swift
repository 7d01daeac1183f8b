import BBXFormat
import BBXSyntax
import BBXTestSupport
import Foundation
import Testing

struct FormatCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: String
    let output: String
    var testDescription: String { name }
}

func format(_ text: String) -> String? {
    guard case .formatted(let result) = Formatter.format(SourceFile(name: "t.bbx", text: text)) else { return nil }
    return result
}

@Suite("Formatter")
struct FormatterTests {
    static let cases: [FormatCase] = [
        .init(
            name: "spacing", input: "upload   \"a\"  as\t\"b\"   to acme/app",
            output: "upload \"a\" as \"b\" to acme/app\n"),
        .init(
            name: "semicolons become lines", input: "use acme/app; list;print 1",
            output: "use acme/app\nlist\nprint 1\n"),
        .init(name: "one blank line at most", input: "print 1\n\n\n\nprint 2\n\n\n", output: "print 1\n\nprint 2\n"),
        .init(name: "no blank lines at the start", input: "\n\n\nprint 1", output: "print 1\n"),
        .init(
            name: "blocks are indented", input: "if x {\nprint 1\n  if y {\n print 2\n}\n}",
            output: "if x {\n    print 1\n    if y {\n        print 2\n    }\n}\n"),
        .init(
            name: "a block on one line is opened up", input: "if x { print 1; print 2 }",
            output: "if x {\n    print 1\n    print 2\n}\n"),
        .init(
            name: "else joins the closing brace", input: "if x {\n print 1\n}\nelse if y {\n}\n\nelse { print 3 }",
            output: "if x {\n    print 1\n} else if y {\n} else {\n    print 3\n}\n"),
        .init(
            name: "brace joins its header", input: "for a in artifacts(\"*\")\n{\n  delete a.name\n}",
            output: "for a in artifacts(\"*\") {\n    delete a.name\n}\n"),
        .init(
            name: "no blank lines inside block edges", input: "if x {\n\n  print 1\n\n}",
            output: "if x {\n    print 1\n}\n"),
        .init(
            name: "punctuation", input: "print count( files( \"*\" ) ) , a . name , [ \"A\" , \"B\" ]",
            output: "print count(files(\"*\")), a.name, [\"A\", \"B\"]\n"),
        .init(
            name: "strings are kept as written", input: "print  \"a  ${ x   ?? \"y\" }  b\" ,'raw  ${z}'",
            output: "print \"a  ${ x   ?? \"y\" }  b\", 'raw  ${z}'\n"),
        .init(
            name: "trailing comments stay on their line", input: "use acme/app   # the repo  \nlist # all",
            output: "use acme/app # the repo\nlist # all\n"),
        .init(
            name: "comments on their own lines are indented", input: "if x {\n# first\n    print 1\n        # last\n}",
            output: "if x {\n    # first\n    print 1\n    # last\n}\n"),
        .init(
            name: "a comment between } and else keeps them apart", input: "if x {\n} # done\nelse {\n}",
            output: "if x {\n} # done\nelse {\n}\n"),
        .init(
            name: "a comment after a semicolon", input: "print 1; # one\nprint 2", output: "print 1 # one\nprint 2\n"),
        .init(
            name: "line breaks in lists are kept", input: "linker \"k\" set [\n\"A\",\n      \"B\", # second\n]",
            output: "linker \"k\" set [\n    \"A\",\n    \"B\", # second\n]\n"),
        .init(name: "empty file", input: "\n\n", output: ""),
        .init(name: "comments only", input: "# a\n\n\n# b", output: "# a\n\n# b\n"),
        .init(name: "CRLF line ends", input: "print 1\r\nprint 2\r\n", output: "print 1\nprint 2\n"),
    ]

    @Test(arguments: cases)
    func layout(_ testCase: FormatCase) {
        #expect(format(testCase.input) == testCase.output)
    }

    /// The properties every input must have: idempotent, comments kept, tree unchanged.
    static func assertSafe(_ input: String, name: String) {
        guard let once = format(input) else {
            Issue.record("\(name) did not parse")
            return
        }
        #expect(format(once) == once, "\(name): formatting twice changed it")
        let before = Parser.parse(SourceFile(name: name, text: input))
        let after = Parser.parse(SourceFile(name: name, text: once))
        #expect(after.diagnostics.isEmpty, "\(name): formatted text has errors")
        #expect(after.script.dump == before.script.dump, "\(name): the syntax tree changed")
        func comments(_ result: ParseResult) -> [String] {
            result.tokens.filter { $0.kind == .comment }.map {
                result.source.text(of: $0.range).trimmingCharacters(in: .whitespaces)
            }
        }
        #expect(comments(after) == comments(before), "\(name): comments changed")
    }

    @Test(arguments: cases)
    func isSafe(_ testCase: FormatCase) {
        Self.assertSafe(testCase.input, name: testCase.name)
    }

    static var examples: [String] { Paths.files(in: Paths.examples, withExtension: "bbx").map { $0.lastPathComponent } }

    @Test(arguments: examples)
    func examplesAreSafeAndAlreadyFormatted(_ name: String) throws {
        let text = try String(contentsOf: Paths.examples.appendingPathComponent(name), encoding: .utf8)
        Self.assertSafe(text, name: name)
        #expect(format(text) == text, "\(name) is not formatted: run make format")
    }

    @Test func refusesScriptsWithSyntaxErrors() {
        guard case .syntaxErrors(let diagnostics) = Formatter.format(SourceFile(name: "t", text: "upload\n")) else {
            Issue.record("formatted a broken script")
            return
        }
        #expect(diagnostics.count == 1)
    }
}
