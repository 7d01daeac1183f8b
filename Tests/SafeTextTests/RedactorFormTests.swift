import SafeText
import Testing

/// The forms a secret takes on its way out, each redacted.
@Suite("Redactor: forms of a secret")
struct RedactorFormTests {
    @Test(arguments: [
        ("tok/en+1=\"q\"", "tok/en+1=\"q\""),
        ("tok/en+1=\"q\"", #"tok\/en+1=\"q\""#),
        ("tok/en+1=\"q\"", #"tok/en+1=\"q\""#),
        ("tok/en+1=\"q\"", "tok%2Fen%2B1%3D%22q%22"),
        ("tok/en+1=\"q\"", "tok%2fen%2b1%3d%22q%22"),
    ])
    func eachFormIsRedacted(_ secret: String, _ form: String) {
        let shown = Redactor(secrets: [secret]).redact("before \(form) after")
        #expect(shown == "before <redacted> after")
    }

    @Test func shortValuesAreNotSecrets() {
        #expect(Redactor(secrets: ["abc"]).redact("abc") == "abc")
    }
}
