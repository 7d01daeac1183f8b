/// A problem found in a script, as data. Phases produce these; `DiagnosticRenderer` is the only
/// place that turns them into text.
public struct Diagnostic: Hashable, Sendable {
    public enum Severity: String, Hashable, Sendable {
        case error, warning, note
    }

    /// A secondary location that helps explain the diagnostic (`'{' opened here`).
    public struct Note: Hashable, Sendable {
        public let message: String
        public let range: SourceRange?
        public init(_ message: String, at range: SourceRange?) {
            self.message = message
            self.range = range
        }
    }

    public let severity: Severity
    public let message: String
    public let range: SourceRange
    public let notes: [Note]
    /// A stable identifier of the kind of problem, for tests and tooling (`unterminated-string`).
    public let id: String

    /// An error.
    public init(_ message: String, at range: SourceRange, id: String, notes: [Note] = []) {
        self.init(severity: .error, message, at: range, id: id, notes: notes)
    }

    public init(severity: Severity, _ message: String, at range: SourceRange, id: String, notes: [Note] = []) {
        self.severity = severity
        self.message = message
        self.range = range
        self.id = id
        self.notes = notes
    }

    public var isError: Bool { severity == .error }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.isError } }
}
