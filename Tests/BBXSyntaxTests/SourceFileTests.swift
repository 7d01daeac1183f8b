import BBXSyntax
import Testing

@Suite("Source positions")
struct SourceFileTests {
    @Test func linesAndColumnsCountCharacters() {
        let file = SourceFile(name: "t", text: "ab\nçé x\n\nlast")
        #expect(file.location(of: 0) == SourceLocation(line: 1, column: 1))
        #expect(file.location(of: 3) == SourceLocation(line: 2, column: 1))
        // "ç" and "é" are two bytes each: byte 8 is the "x", the fourth character.
        #expect(file.location(of: 8) == SourceLocation(line: 2, column: 4))
        #expect(file.location(of: 10) == SourceLocation(line: 3, column: 1))
        #expect(file.location(of: 11) == SourceLocation(line: 4, column: 1))
        #expect(file.line(2) == "çé x")
        #expect(file.line(3) == "")
        #expect(file.lineCount == 4)
    }

    @Test func offsetsPastTheEndAreClamped() {
        let file = SourceFile(name: "t", text: "abc")
        #expect(file.location(of: 99) == SourceLocation(line: 1, column: 4))
    }
}
