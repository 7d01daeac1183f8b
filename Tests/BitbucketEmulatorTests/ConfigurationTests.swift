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
        .init(text: "a:b:repository", token: "a:b", scopes: .read),
        .init(text: "a:b", token: "a:b", scopes: .all),
    ]

    @Test(arguments: tokens)
    func accessTokens(_ testCase: TokenCase) {
        let token = AccessToken(parsing: testCase.text)
        #expect(token?.token == testCase.token)
        #expect(token?.scopes == testCase.scopes)
    }

    @Test func apiTokens() {
        let credential = APITokenCredential(parsing: "dev@example.com:ATATT-x:y:repository")
        #expect(credential?.email == "dev@example.com")
        #expect(credential?.apiToken == "ATATT-x:y")
        #expect(credential?.scopes == .read)
        #expect(APITokenCredential(parsing: "no-colon") == nil)
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
