import ConnectJWT
import Foundation
import Testing

/// The test vectors of Bitbucket's Connect documentation (shared/spec/bitbucket-api.md).
@Suite("Connect JWT")
struct ConnectJWTTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let method: String
        let path: String
        let query: String?
        let canonical: String
        let qsh: String
        var testDescription: String { canonical }
    }

    static let vectors: [Vector] = [
        .init(
            method: "GET", path: "/path", query: nil, canonical: "GET&/path&",
            qsh: "799be84a7fa35570087163c0cd9af3abff7ac05c2c12ba0bb1d7eebc984b3ac2"),
        .init(
            method: "GET", path: "/", query: nil, canonical: "GET&/&",
            qsh: "c88caad15a1c1a900b8ac08aa9686f4e8184539bea1deda36e2f649430df3239"),
        .init(
            method: "GET", path: "/2.0/addon/linkers", query: nil, canonical: "GET&/2.0/addon/linkers&",
            qsh: "42287cd0eb1a675c6b36aaf39860a31ba9d16a553f00743b7d109ae501d2b3ba"),
        .init(
            method: "put", path: "/2.0/addon", query: nil, canonical: "PUT&/2.0/addon&",
            qsh: "94279c4a9eace45af8d8487977c2699099dd85f45e287eea42f8e7c39ced5f3e"),
        .init(
            method: "DELETE", path: "/2.0/addon/", query: nil, canonical: "DELETE&/2.0/addon&",
            qsh: "c99e35d039935a0631a99caa134c2155d4b9da94a0af7cdbaf2eaf70a9272575"),
        .init(
            method: "GET", path: "/2.0/repositories/ws/repo/downloads", query: "pagelen=50&page=2&jwt=abc",
            canonical: "GET&/2.0/repositories/ws/repo/downloads&page=2&pagelen=50",
            qsh: "7bb154c9e1df9d515fe8bfa8a635b29ae97e6d40d2b7b0e85c8c0f402c2c22e8"),
    ]

    @Test(arguments: vectors)
    func queryStringHash(_ vector: Vector) {
        let request = CanonicalRequest(method: vector.method, path: vector.path, rawQuery: vector.query)
        #expect(request.string == vector.canonical)
        #expect(request.queryStringHash == vector.qsh)
    }

    @Test func canonicalisationSortsAndEncodes() {
        let request = CanonicalRequest(
            method: "GET", path: "/path/to/service",
            parameters: [
                ("zee_last", "param"), ("repeated", "parameter 1"), ("first", "param"), ("repeated", "parameter 2"),
                ("repeated", "Parameter 2"),
            ])
        #expect(
            request.string
                == "GET&/path/to/service&first=param&repeated=Parameter%202,parameter%201,parameter%202&zee_last=param")
        // The same from a raw query string as it arrives over HTTP.
        let raw = CanonicalRequest(
            method: "GET", path: "/path/to/service",
            rawQuery: "zee_last=param&repeated=parameter%201&first=param&repeated=parameter+2&repeated=Parameter%202")
        #expect(raw == request)
        #expect(CanonicalRequest(method: "GET", path: "/a&b", rawQuery: "flag").string == "GET&/a%26b&flag=")
    }

    static let wholeToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjb20uZXhhbXBsZS5teWFwcCIsInN1YiI6ImNvbm5lY3Rpb246MTIzIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAxODAsInFzaCI6IjQyMjg3Y2QwZWIxYTY3NWM2YjM2YWFmMzk4NjBhMzFiYTlkMTZhNTUzZjAwNzQzYjdkMTA5YWU1MDFkMmIzYmEifQ.WD9bbDEl_OZS1zocrk7HUaCFRsJr9WVlUmUcpOmLjpY"

    @Test func signsTheDocumentedToken() {
        let claims = ConnectClaims(
            issuer: "com.example.myapp", subject: "connection:123", issuedAt: 1_700_000_000, expires: 1_700_000_180,
            queryStringHash: "42287cd0eb1a675c6b36aaf39860a31ba9d16a553f00743b7d109ae501d2b3ba")
        #expect(ConnectJWT.sign(claims, secret: "shared-secret-123") == Self.wholeToken)
    }

    @Test func verifiesAndRejects() throws {
        let linkers = CanonicalRequest(method: "GET", path: "/2.0/addon/linkers")
        let secrets = { (key: String) in key == "connection:123" ? "shared-secret-123" : nil }
        let inTime = Date(timeIntervalSince1970: 1_700_000_100)
        let claims = try ConnectJWT.verify(Self.wholeToken, request: linkers, secretForClientKey: secrets, now: inTime)
        #expect(claims.issuer == "com.example.myapp")

        func failure(_ token: String, _ request: CanonicalRequest = linkers, now: Date = inTime) -> ConnectJWT
            .VerificationError?
        {
            do {
                _ = try ConnectJWT.verify(token, request: request, secretForClientKey: secrets, now: now)
                return nil
            } catch { return error }
        }
        #expect(failure(Self.wholeToken, now: Date(timeIntervalSince1970: 1_700_001_000)) == .expired)
        #expect(
            failure(Self.wholeToken, CanonicalRequest(method: "PUT", path: "/2.0/addon")) == .queryStringHashMismatch)
        #expect(failure(String(Self.wholeToken.dropLast(2)) + "xx") == .badSignature)
        #expect(failure("not-a-jwt") == .malformed)
        let otherInstallation = ConnectJWT.sign(
            ConnectClaims(
                issuer: "a", subject: "connection:999", issuedAt: 0, expires: 2_000_000_000,
                queryStringHash: linkers.queryStringHash),
            secret: "x")
        #expect(failure(otherInstallation) == .unknownInstallation("connection:999"))
        let none =
            ConnectJWT.base64URL(Data(#"{"alg":"none"}"#.utf8)) + "." + Self.wholeToken.split(separator: ".")[1] + "."
        #expect(failure(none) == .unsupportedAlgorithm("none"))
    }

    @Test func freshTokensVerify() throws {
        let request = CanonicalRequest(method: "POST", path: "/2.0/addon/linkers/k/values", rawQuery: "a=1")
        let token = ConnectJWT.token(for: request, appKey: "app", clientKey: "ari:cloud:x:1", sharedSecret: "s3cret")
        let claims = try ConnectJWT.verify(token, request: request, secretForClientKey: { _ in "s3cret" })
        #expect(claims.subject == "ari:cloud:x:1")
        #expect(claims.expires - claims.issuedAt == ConnectJWT.lifetime)
    }
}
