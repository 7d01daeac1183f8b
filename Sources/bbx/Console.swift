import BBXSyntax
import Foundation

/// Where bbx writes for people: standard output for results, standard error for diagnostics.
enum Console {
    /// Colour only for a terminal, and never when `NO_COLOR` is set (https://no-color.org).
    static func wantsColor(fileDescriptor: Int32) -> Bool {
        guard isatty(fileDescriptor) == 1 else { return false }
        if let value = ProcessInfo.processInfo.environment["NO_COLOR"], !value.isEmpty { return false }
        return ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Renders diagnostics of one file to standard error.
    static func report(_ diagnostics: [Diagnostic], in source: SourceFile) {
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(colored: wantsColor(fileDescriptor: STDERR_FILENO))
        error(renderer.render(diagnostics, in: source) + "\n")
    }

    /// A problem that belongs to no line of a script: `bbx: error: …`.
    static func fail(_ message: String) {
        error("bbx: error: \(message)\n")
    }
}
