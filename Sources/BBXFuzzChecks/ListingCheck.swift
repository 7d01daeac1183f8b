import BitbucketAPI
import Foundation
import SafeText

extension FuzzChecks {
    /// A listing page as any server might send it: decoding fails or succeeds, never crashes,
    /// and whatever names it yields are free of control characters once escaped.
    public static func listing(_ bytes: [UInt8]) -> String? {
        guard let page = try? ListingPage.decode(Data(bytes)) else { return errorBody(bytes) }
        for artifact in page.artifacts {
            if artifact.name.terminalSafe.unicodeScalars.contains(where: TerminalEscape.isUnsafe) {
                return "an escaped name still holds a control character"
            }
            _ = FileNameRule.problem(with: artifact.name)
            _ = artifact.stamp
        }
        return nil
    }

    /// The credential an echoing server sends back in the corpus's error bodies.
    static let echoed = Credential.apiToken(email: "release@example.com", token: Secret("fuzz-api-token-Q7"))

    /// What is not a page is read as an error body, as the client does: once redacted with the
    /// credential's wire forms, no form of it is left, however the server wrapped it.
    static func errorBody(_ bytes: [UInt8]) -> String? {
        let body = ErrorBody(parsing: Data(bytes))
        let redactor = Redactor(secrets: echoed.wireForms)
        let shown = redactor.redact(body.message + "\n" + (body.detail ?? ""))
        for form in echoed.wireForms.flatMap(Redactor.forms(of:)) where shown.contains(form) {
            return "a form of the credential survived redaction: \(form)"
        }
        return nil
    }
}
