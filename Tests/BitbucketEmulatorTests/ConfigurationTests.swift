import BitbucketEmulator
import Testing

@Suite("Emulator: command-line values")
struct ConfigurationTests {
    struct TokenCase: CustomTestStringConvertible, Sendable {
        let text: String
        let token: String
        let scopes: Scopes
        var testDescription: String { text }
    }

    static let tokens: [TokenCase] = [
        .init(text: "abc", token: "abc", scopes: .all),
        .init(text: "abc:repository", token: "abc", scopes: .read),
        .init(text: "abc:repository:write", token: "abc", scopes: .all),
        .init(text: "abc:repository,repository:write", token: "abc", scopes: .all),
        .init(text: "abc:write:repository:bitbucket", token: "abc", scopes: .write),
    ]

    @Test(arguments: tokens)
    func accessTokens(_ testCase: TokenCase) throws {
        let token = try AccessToken(parsing: testCase.text)
        #expect(token.token == testCase.token)
        #expect(token.scopes == testCase.scopes)
    }

    /// A typo in a scope used to become part of the token's name, with every scope.
    @Test(arguments: ["t:repostory", "t:", "t:repository,", "a:b", ":repository", ""])
    func refusedTokens(_ text: String) {
        #expect(throws: CredentialSyntax.self) { try AccessToken(parsing: text) }
    }

    @Test func unknownScopesAreListed() {
        #expect(throws: CredentialSyntax.self) { try AccessToken(parsing: "t:repostory") }
        do {
            _ = try AccessToken(parsing: "t:repostory")
        } catch {
            #expect("\(error)".contains("unknown scope 'repostory'"))
            #expect("\(error)".contains("repository, repository:write"))
        }
    }

    @Test func apiTokens() throws {
        let credential = try APITokenCredential(parsing: "dev@example.com:test-api-token-x:repository")
        #expect(credential.email == "dev@example.com")
        #expect(credential.apiToken == "test-api-token-x")
        #expect(credential.scopes == .read)
        #expect(try APITokenCredential(parsing: "dev@example.com:test-api-token-y").scopes == .all)
        for text in ["no-colon", "dev@example.com:tok:repostory", "not-an-email:tok", "dev@example.com:"] {
            #expect(throws: CredentialSyntax.self, "\(text)") { try APITokenCredential(parsing: text) }
        }
    }

    @Test func connectInstallations() {
        let installation = ConnectInstallation(parsing: "com.example.app:ari:cloud:bitbucket::app/{1}:s3cret")
        #expect(installation?.appKey == "com.example.app")
        #expect(installation?.clientKey == "ari:cloud:bitbucket::app/{1}")
        #expect(installation?.sharedSecret == "s3cret")
        #expect(ConnectInstallation(parsing: "a:b") == nil)
    }

    @Test func faults() throws {
        let fault = try Fault(parsing: "status=503,count=2,method=post,path=/2.0/*")
        #expect(fault == Fault(status: 503, count: 2, method: "POST", path: "/2.0/*"))
        #expect(throws: Fault.Invalid.self) { try Fault(parsing: "count=2") }
        #expect(throws: Fault.Invalid.self) { try Fault(parsing: "status=abc") }
        #expect(throws: Fault.Invalid.self) { try Fault(parsing: "colour=red") }
    }
}
