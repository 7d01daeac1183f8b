import BBXSyntax
import BBXTestSupport
import Testing

/// Input no one should write, which must still give diagnostics and never a crash or a hang.
@Suite("Hostile input")
struct HostileInputTests {
    @Test func binaryBytes() {
        var bytes: [UInt8] = []
        for i in 0..<4096 { bytes.append(UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13)) }
        let result = Parser.parse(SourceFile(name: "bin", bytes: bytes))
        #expect(result.diagnostics.hasErrors)
        #expect(result.diagnostics.count <= Parser.maximumErrors + 1)
    }

    @Test func nulBytesAndInvalidUTF8() {
        let bytes: [UInt8] = Array("use acme/app\n".utf8) + [0, 0, 0xC3, 0xFF] + Array("\nprint \"ok\"".utf8)
        let result = Parser.parse(SourceFile(name: "nul", bytes: bytes))
        #expect(result.diagnostics.map(\.id) == [.unexpectedCharacter])
        #expect(result.script.dump == "(use repo:acme/app)\n(print \"ok\")")
    }

    @Test func oneMegabyteOfOpeningBraces() {
        let source = SourceFile(name: "braces", bytes: [UInt8](repeating: UInt8(ascii: "{"), count: 1 << 20))
        let result = Parser.parse(source)
        #expect(result.diagnostics.hasErrors)
    }

    @Test func deepNestingStopsAtTheLimit() {
        for (open, close) in [("(", ")"), ("[", "]"), ("not ", "")] {
            let depth = 100_000
            let text = "print " + String(repeating: open, count: depth) + "x" + String(repeating: close, count: depth)
            let result = Parser.parse(SourceFile(name: "deep", text: text))
            #expect(result.diagnostics.map(\.id).contains(.nestingTooDeep), "\(open)")
        }
        let blocks = String(repeating: "if x {\n", count: 10_000)
        #expect(Parser.parse(SourceFile(name: "deep", text: blocks)).diagnostics.map(\.id).contains(.nestingTooDeep))
        let strings = String(repeating: "\"${", count: 10_000)
        #expect(
            Parser.parse(SourceFile(name: "deep", text: "print " + strings)).diagnostics.map(\.id).contains(
                .nestingTooDeep))
    }

    @Test func aThousandErrorsAreCapped() {
        let text = String(repeating: "upload\n", count: 1000)
        let result = Parser.parse(SourceFile(name: "many", text: text))
        #expect(result.diagnostics.count == Parser.maximumErrors + 1)
        #expect(result.diagnostics.last?.id == .tooManyErrors)
    }

    /// A deterministic stream of garbage: fragments of real syntax shuffled with bytes that are
    /// not, so the parser meets every token in every wrong place.
    @Test func generatedGarbageNeverCrashes() {
        let fragments = [
            "use", "let", "upload", "download", "delete", "prune", "list", "print", "assert", "fail", "if", "else",
            "for", "in", "exists", "and", "or", "not", "matches", "as", "to", "from", "on", "conflict", "keep", "older",
            "than", "addon", "update", "linker", "linkers", "values", "add", "{", "}", "[", "]", "(", ")", ",", ".",
            ";",
            "\n", "\"", "'", "${", "\\", "==", "<", "??", "=", "acme/app", "x", "5", "30d", "\"a${b}\"", "#c\n",
            "\u{0}",
            "é", "\u{FF}",
        ]
        var generator = SplitMix64(seed: 0xB0B)
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 40) {
                text += fragments[Int(generator.next() % UInt64(fragments.count))]
                if generator.next() % 3 == 0 { text += " " }
            }
            let result = Parser.parse(SourceFile(name: "fuzz", text: text))
            // Every diagnostic points inside the input.
            for diagnostic in result.diagnostics {
                #expect(diagnostic.range.start >= 0 && diagnostic.range.end <= text.utf8.count)
            }
            // Rendering never traps either.
            _ = DiagnosticRenderer().render(result.diagnostics, in: result.source)
        }
    }
}

@Suite("Long operator chains")
struct OperatorChainTests {
    /// Each operator is a level of the syntax tree; every later phase walks it recursively.
    @Test(arguments: ["and", "or", "??"])
    func aHundredThousandOperandsStopWithAMessage(_ op: String) {
        let text = "print " + Array(repeating: "x", count: 100_000).joined(separator: " \(op) ")
        let result = Parser.parse(SourceFile(name: "chain", text: text))
        #expect(result.diagnostics.map(\.id) == [.tooManyOperators])
        #expect(result.diagnostics.first?.message.contains("more than \(Parser.maximumOperators) operators") == true)
        _ = result.script.dump
    }

    @Test func fieldChainsAndParenthesisedChainsToo() {
        let fields = "print x" + String(repeating: ".a", count: 100_000)
        #expect(Parser.parse(SourceFile(name: "f", text: fields)).diagnostics.map(\.id) == [.tooManyOperators])
        let nested =
            "print "
            + Array(repeating: "(" + Array(repeating: "x", count: 500).joined(separator: " or ") + ")", count: 50)
            .joined(separator: " and ")
        #expect(Parser.parse(SourceFile(name: "n", text: nested)).diagnostics.map(\.id) == [.tooManyOperators])
    }

    @Test func chainsWithinTheLimitParse() {
        let text = "print " + Array(repeating: "x", count: Parser.maximumOperators).joined(separator: " or ")
        #expect(Parser.parse(SourceFile(name: "ok", text: text)).diagnostics.isEmpty)
    }
}
