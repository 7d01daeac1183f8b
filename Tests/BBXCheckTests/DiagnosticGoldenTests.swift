import BBXCheck
import BBXSyntax
import BBXTestSupport
import Foundation
import Testing

/// Each `Diagnostics/NAME.bbx` is checked, and what `bbx check` would print for it is compared,
/// as whole text, with `Diagnostics/NAME.expected`. Re-record with `BBX_RECORD=1 swift test`.
@Suite("Rendered diagnostics")
struct DiagnosticGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Diagnostics")

    static var scripts: [String] { Paths.files(in: folder, withExtension: "bbx").map { $0.lastPathComponent } }

    @Test(arguments: scripts)
    func rendered(_ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        let source = SourceFile(name: name, bytes: Array(try Data(contentsOf: url)))
        let actual = DiagnosticRenderer().render(Checker.diagnose(source), in: source)
        let expectedURL = url.deletingPathExtension().appendingPathExtension("expected")
        let expected = Golden.expected(actual, at: expectedURL)
        #expect(expected != nil, "no \(expectedURL.lastPathComponent): run BBX_RECORD=1 swift test")
        #expect(actual == expected, "\(Golden.diff(expected: expected ?? "", actual: actual))")
    }

    @Test func colourWrapsButDoesNotChangeTheText() {
        let source = SourceFile(name: "c.bbx", text: "upload")
        let diagnostics = Checker.diagnose(source)
        let plain = DiagnosticRenderer(colored: false).render(diagnostics, in: source)
        let colored = DiagnosticRenderer(colored: true).render(diagnostics, in: source)
        #expect(colored.contains("\u{1B}["))
        let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == plain)
    }
}
