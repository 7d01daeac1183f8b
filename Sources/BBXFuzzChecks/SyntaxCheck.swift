import BBXCheck
import BBXFormat
import BBXSyntax

extension FuzzChecks {
    /// Lexer, parser, checker, renderer and formatter on any bytes; and for a script that
    /// parses clean, formatting is stable (twice gives the same text) and changes only
    /// whitespace (the formatted text parses to the same tree).
    public static func syntax(_ bytes: [UInt8]) -> String? {
        let source = SourceFile(name: "fuzz.bbx", bytes: bytes)
        let parsed = Parser.parse(source)
        _ = Checker.diagnose(source)
        _ = DiagnosticRenderer().render(parsed.diagnostics, in: source)
        guard !parsed.diagnostics.hasErrors, case .formatted(let once) = Formatter.format(source) else { return nil }
        let reparsed = Parser.parse(SourceFile(name: "fuzz.bbx", text: once))
        if reparsed.diagnostics.hasErrors { return "formatted text does not parse" }
        if reparsed.script.dump != parsed.script.dump { return "formatting changed the syntax tree" }
        guard case .formatted(let twice) = Formatter.format(SourceFile(name: "fuzz.bbx", text: once)) else {
            return "formatted text cannot be formatted"
        }
        return twice == once ? nil : "formatting is not stable"
    }
}
