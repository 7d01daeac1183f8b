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
    public let id: DiagnosticID
    /// The name the problem is about (`version` in "'version' is not defined"), for code that
    /// acts on diagnostics without reading their words.
    public let subject: String?

    /// An error.
    public init(_ message: String, at range: SourceRange, id: DiagnosticID, subject: String? = nil, notes: [Note] = [])
    {
        self.init(severity: .error, message, at: range, id: id, subject: subject, notes: notes)
    }

    public init(
        severity: Severity, _ message: String, at range: SourceRange, id: DiagnosticID, subject: String? = nil,
        notes: [Note] = []
    ) {
        self.severity = severity
        self.message = message
        self.range = range
        self.id = id
        self.subject = subject
        self.notes = notes
    }

    public var isError: Bool { severity == .error }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.isError } }
}

/// The kind of a diagnostic (`unbound`, `needs-repository`): a typed name, so code that acts on
/// a kind names a constant below instead of spelling a string. Catalogs create them from
/// literals; the text is what tests and `--json` see.
public struct DiagnosticID: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    /// The kinds code acts on.
    public static let unbound: DiagnosticID = "unbound"
    public static let needsRepository: DiagnosticID = "needs-repository"
    public static let unterminatedString: DiagnosticID = "unterminated-string"
    public static let unterminatedInterpolation: DiagnosticID = "unterminated-interpolation"
}
