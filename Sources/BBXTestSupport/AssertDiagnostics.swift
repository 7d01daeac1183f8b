import BBXSyntax
import Testing

/// One diagnostic a test expects: where (a marker of the `MarkedSource`), what it says, and
/// optionally its id and the places of its notes.
public struct DiagnosticSpec: Sendable, CustomStringConvertible {
    public let marker: String
    public let message: String
    public let id: DiagnosticID?
    /// Each note's marker (nil for a note without a place) and message.
    public let notes: [(marker: String?, message: String)]?

    public init(
        _ message: String, at marker: String = "1️⃣", id: DiagnosticID? = nil,
        notes: [(marker: String?, message: String)]? = nil
    ) {
        self.marker = marker
        self.message = message
        self.id = id
        self.notes = notes
    }

    public var description: String { "\(marker) \(message)" }
}

/// Checks that `diagnostics` are exactly `expected`, in order: each message at its marker, and
/// the id and notes where the spec gives them. One failure per difference, at the caller's line.
public func assertDiagnostics(
    _ diagnostics: [Diagnostic], in marked: MarkedSource, _ expected: [DiagnosticSpec],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    guard diagnostics.count == expected.count else {
        Issue.record(
            "expected \(expected.count) diagnostics, found \(diagnostics.count): \(diagnostics.map(\.message))",
            sourceLocation: sourceLocation)
        return
    }
    for (diagnostic, spec) in zip(diagnostics, expected) {
        #expect(diagnostic.message == spec.message, sourceLocation: sourceLocation)
        #expect(
            diagnostic.range.start == marked[spec.marker], "\(spec.message) points elsewhere",
            sourceLocation: sourceLocation)
        if let id = spec.id { #expect(diagnostic.id == id, sourceLocation: sourceLocation) }
        if let notes = spec.notes {
            #expect(diagnostic.notes.map(\.message) == notes.map(\.message), sourceLocation: sourceLocation)
            #expect(
                diagnostic.notes.map { $0.range?.start } == notes.map { $0.marker.map { marked[$0] } },
                "the notes point elsewhere", sourceLocation: sourceLocation)
        }
    }
}
