import Foundation
import SafeText
import Testing

@testable import BitbucketAPI

/// Every form a credential takes on the wire is a secret: a server, proxy or WAF echoing the
/// `Authorization` header it got (`Bad credentials header: Basic bWVA…`) must not put a
/// reversible token into bbx's output. Driven by the credential kinds: a new kind does not
/// compile here (`kindName` has no `default:`) until it has a row and its forms.
@Suite("Credentials: every wire form is redacted")
struct CredentialFormsTests {
    /// One of each kind, with secrets holding `/`, `+` and `=` so that every encoding differs.
    static let table: [Credential] = [
        .accessToken(Secret("test-access/token+value=1")),
        .apiToken(email: "release@example.com", token: Secret("test-api/token+value?>?>")),
        .appPassword(username: "builder", password: Secret("app/pass+word=9")),
    ]

    static func kindName(_ credential: Credential) -> String {
        switch credential {
        case .accessToken: "access token"
        case .apiToken: "API token"
        case .appPassword: "app password"
        }
    }

    @Test func theTableHasEveryKind() {
        #expect(Set(Self.table.map(Self.kindName)).count == 3)
    }

    /// The header as sent, echoed raw, JSON-escaped (with `\/`), and percent-encoded: nothing
    /// of the credential part is left, and the secret itself is not either.
    @Test(arguments: table)
    func anEchoedHeaderShowsNothingReversible(_ credential: Credential) throws {
        let header = credential.authorization
        let part = String(header.split(separator: " ", maxSplits: 1)[1])
        let json = try #require(String(data: try JSONSerialization.data(withJSONObject: [header]), encoding: .utf8))
        let percent = try #require(header.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let echoed = "raw: \(header)\njson: \(json)\nform: \(percent)"
        let shown = Redactor(secrets: credential.wireForms).redact(echoed)
        let secret: String =
            switch credential {
            case .accessToken(let token): token.revealed
            case .apiToken(_, let token), .appPassword(_, let token): token.revealed
            }
        for leak in [
            part, part.replacingOccurrences(of: "/", with: #"\/"#),
            try #require(part.addingPercentEncoding(withAllowedCharacters: .alphanumerics)), secret,
        ] {
            #expect(!shown.contains(leak), "\(Self.kindName(credential)): \(shown)")
        }
        #expect(shown.components(separatedBy: Redactor.replacement).count == 4, "\(shown)")
    }
}

/// Where each Linux family keeps its certificate authorities: the first that exists is used.
@Suite("The system's CA bundle")
struct SystemTrustStoreTests {
    @Test(
        arguments: [
            (
                ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"],
                "/etc/ssl/certs/ca-certificates.crt"
            ),
            (
                ["/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"],
                "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"
            ),
            (["/etc/ssl/ca-bundle.pem"], "/etc/ssl/ca-bundle.pem"),
            ([], nil),
        ] as [([String], String?)])
    func theFirstBundleThatExistsIsUsed(_ present: [String], _ expected: String?) {
        #expect(SystemTrustStore.bundle(isReadable: present.contains) == expected)
    }
}
