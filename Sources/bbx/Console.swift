import BBXSyntax
import Foundation
import SafeText

/// Where bbx writes for people: standard output for results, standard error for diagnostics.
enum Console {
    /// Colour only for a terminal, and never when `NO_COLOR` is set (https://no-color.org).
    static func wantsColor(fileDescriptor: Int32) -> Bool {
        guard isatty(fileDescriptor) == 1 else { return false }
        if let value = ProcessInfo.processInfo.environment["NO_COLOR"], !value.isEmpty { return false }
        return ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func out(_ text: String) {
        emit(text, to: STDOUT_FILENO)
    }

    static func error(_ text: String) {
        emit(text, to: STDERR_FILENO)
    }

    /// Writes all of `text`, or as much as the reader takes: when it goes away (`bbx run … |
    /// head`), the rest is dropped, and a plan being applied still runs to its end rather than
    /// stopping halfway.
    static func emit(_ text: String, to descriptor: Int32) {
        _ = ignoreBrokenPipes
        var bytes = Array(redacting(text).utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// The configured secret values (tokens, passwords, the shared secret). Set once, when the
    /// connection is configured and before anything runs concurrently; read by every write.
    nonisolated(unsafe) static var secrets: [String] = [] {
        didSet {
            lock.lock()
            redactor = (-1, Redactor(secrets: []))
            lock.unlock()
        }
    }
    /// Built from `secrets` and the `LiveSecrets` of a generation; rebuilt when either moves.
    nonisolated(unsafe) private static var redactor = (generation: -1, redactor: Redactor(secrets: []))
    private static let lock = NSLock()

    /// `text` with every known secret replaced by `<redacted>`, matched on bytes (a combining
    /// mark after a token does not hide it) and in each form it takes on the wire
    /// (`Redactor.forms`), with the JWTs made so far.
    static func redacting(_ text: String) -> String {
        lock.lock()
        if redactor.generation != LiveSecrets.generation {
            let live = LiveSecrets.snapshot()
            redactor = (live.generation, Redactor(secrets: secrets + live.values))
        }
        let current = redactor.redactor
        lock.unlock()
        return current.redact(text)
    }

    /// A closed pipe is an error to handle, not a signal that ends the process.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Renders diagnostics of one file to standard error.
    static func report(_ diagnostics: [Diagnostic], in source: SourceFile) {
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(colored: wantsColor(fileDescriptor: STDERR_FILENO))
        error(renderer.render(diagnostics, in: source) + "\n")
    }

    /// A problem that belongs to no line of a script: `bbx: error: …`.
    static func fail(_ message: String) {
        // Messages quote names and server text: escaped, line by line.
        error("bbx: error: \(message.terminalSafeLines)\n")
    }
}
