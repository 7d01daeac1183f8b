import BBXCheck
import BBXSyntax
import BBXTestSupport
import Foundation
import Testing

@Suite("Examples")
struct ExampleTests {
    static var examples: [String] { Paths.files(in: Paths.examples, withExtension: "bbx").map { $0.lastPathComponent } }

    @Test func theFourKindsOfJobAreThere() {
        #expect(
            Set(Self.examples).isSuperset(of: [
                "release.bbx", "nightly-cleanup.bbx", "download-latest.bbx", "connect-app.bbx",
            ]))
    }

    @Test(arguments: examples)
    func checksClean(_ name: String) throws {
        let url = Paths.examples.appendingPathComponent(name)
        let source = SourceFile(name: name, bytes: Array(try Data(contentsOf: url)))
        let diagnostics = Checker.diagnose(source)
        #expect(diagnostics.isEmpty, "\(DiagnosticRenderer().render(diagnostics, in: source))")
    }
}
