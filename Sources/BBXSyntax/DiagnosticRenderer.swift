import SafeText

/// The one place where diagnostics become text:
///
///     release.bbx:4:15: error: expected a repository after 'to', found a newline
///       4 | upload "x" to
///         |               ^
///
/// Colour is a decoration applied last, so tests compare plain text.
public struct DiagnosticRenderer: Sendable {
    public var colored: Bool

    public init(colored: Bool = false) {
        self.colored = colored
    }

    /// Renders diagnostics of one file in order, separated by blank lines.
    public func render(_ diagnostics: [Diagnostic], in source: SourceFile) -> String {
        diagnostics.map { render($0, in: source) }.joined(separator: "\n")
    }

    public func render(_ diagnostic: Diagnostic, in source: SourceFile) -> String {
        var out = block(diagnostic.severity, diagnostic.message, diagnostic.range, in: source)
        for note in diagnostic.notes {
            if let range = note.range {
                out += block(.note, note.message, range, in: source)
            } else {
                out += "\(paint("note:", Diagnostic.Severity.note)) \(note.message.terminalSafe)\n"
            }
        }
        return out
    }

    /// `file:line:col: severity: message`, the source line with a gutter, and a caret line.
    private func block(_ severity: Diagnostic.Severity, _ message: String, _ range: SourceRange, in source: SourceFile)
        -> String
    {
        let start = source.location(of: range.start)
        let header =
            paint("\(source.name.terminalSafe):\(start.line):\(start.column):", style: .bold) + " "
            + paint("\(severity.rawValue):", severity) + " " + paint(message.terminalSafe, style: .bold)
        let lineText = source.line(start.line)
        let gutterWidth = String(start.line).count
        let gutter = String(repeating: " ", count: gutterWidth)
        // The caret covers the range on its first line; a range running past the line ends there.
        let lineEnd = source.lineStart(start.line) + lineText.utf8.count
        let endOffset = min(max(range.end, range.start), lineEnd)
        let endColumn = endOffset > range.start ? source.location(of: endOffset).column : start.column + 1
        let width = max(1, endColumn - start.column)
        // Keep tabs as tabs under the source line so the caret lines up in any terminal.
        let padding = String(lineText.prefix(start.column - 1).map { $0 == "\t" ? "\t" : " " })
        let marker = "^" + String(repeating: "~", count: width - 1)
        return header + "\n"
            + " \(String(start.line)) | \(printable(lineText))\n"
            + " \(gutter) | \(padding)\(paint(marker, severity))\n"
    }

    /// Control characters in a source line would garble the terminal; show them as symbols,
    /// one for one, so the caret still lines up.
    private func printable(_ line: String) -> String {
        var result = ""
        for scalar in line.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t" {
                result.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value)!)
            } else if scalar.value == 0x7F {
                result.unicodeScalars.append("\u{2421}")
            } else if TerminalEscape.isUnsafe(scalar) && scalar != "\t" {
                result.unicodeScalars.append("\u{FFFD}")
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private enum Style { case bold, error, warning, note }

    private func paint(_ text: String, _ severity: Diagnostic.Severity) -> String {
        switch severity {
        case .error: return paint(text, style: .error)
        case .warning: return paint(text, style: .warning)
        case .note: return paint(text, style: .note)
        }
    }

    private func paint(_ text: String, style: Style) -> String {
        guard colored else { return text }
        let code: String
        switch style {
        case .bold: code = "1"
        case .error: code = "1;31"
        case .warning: code = "1;35"
        case .note: code = "1;36"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
