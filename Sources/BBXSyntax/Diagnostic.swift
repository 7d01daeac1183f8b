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

/// The kind of a diagnostic, one case per kind of problem. Its text (`unbound`,
/// `needs-repository`: what tests match) is derived from the case's name, as swift-syntax
/// derives message ids, so no id is spelled as a string anywhere and none can be made up.
public enum DiagnosticID: Hashable, Sendable, CaseIterable {
    // The lexer and the parser.
    case badDurationUnit, chainedComparison, duplicateClause, emptyInterpolation, expected, expectedStatement,
        expectedStatementEnd, integerTooLarge, invalidUtf8, missingLinkerKey, needsRepository, nestingTooDeep,
        nulInString, pruneNeedsRule, tooManyErrors, tooManyOperators, unbound, unexpectedCharacter,
        unknownConflictPolicy, unknownEscape, unterminatedInterpolation, unterminatedString, wrongOperator
    // The checker (planning says some of these too, where it meets the same problem).
    case conditionNotBoolean, emptyLinkerKey, globWithAs, invalidArtifactName, invalidLinkerValue, invalidRepository,
        invalidUrl, mixedList, noSuchField, notAPublicKey, notComparable, rebound, unknownFunction,
        updateIsForUploads, valueTooLarge, wrongArgumentCount, wrongKind
    // Planning.
    case asMany, assert, call, conflict, connectCredentials, credentialEnv, duplicateDownload, duplicateUpload, fail,
        invalidDescriptor, localFile, manifestTooLarge, manifestWouldOutgrow, maxDelete, noMatch, noVersion,
        notADuration, notANumber, nothingLatest, nothingNewest, remote, secondManifest, signingKeyMissing,
        unreadableManifest, unsafeArtifactName, unsetEnv, untrustedManifest, updateNeedsChecksums, uploadOfManifest,
        verifyNeedsChecksums, workspace

    /// The case's name in kebab case: `needsRepository` is `needs-repository`. (Not
    /// `description`: `String(describing:)` would then call itself.)
    public var text: String {
        String(describing: self).unicodeScalars.reduce(into: "") { text, scalar in
            if scalar.properties.isUppercase { text += "-" }
            text += String(scalar).lowercased()
        }
    }

    /// The id whose text is `rawValue`, if there is one.
    public init?(rawValue: String) {
        guard let found = Self.allCases.first(where: { $0.text == rawValue }) else { return nil }
        self = found
    }
}
