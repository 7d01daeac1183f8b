import ConnectJWT
import Foundation
import HTTPTypes
import Hummingbird

/// Who is calling, once their credentials are accepted.
enum Caller: Sendable {
    case accessToken(AccessToken)
    case apiToken(APITokenCredential)

    var scopes: Scopes {
        switch self {
        case .accessToken(let token): return token.scopes
        case .apiToken(let credential): return credential.scopes
        }
    }

    /// `X-Credential-Type`, as Bitbucket names the kind of credential.
    var credentialType: String {
        switch self {
        case .accessToken: "repo_access_token"
        case .apiToken: "api_token"
        }
    }

    var uploader: Uploader {
        switch self {
        case .accessToken: return .named("Repository access token")
        case .apiToken(let credential): return .named(String(credential.email.split(separator: "@").first ?? ""))
        }
    }

    /// Scope names as the credential's kind spells them in a 403's `detail`.
    func scopeNames(_ scopes: Scopes) -> [String] {
        switch self {
        case .accessToken:
            return (scopes.contains(.read) ? ["repository"] : [])
                + (scopes.contains(.write) ? ["repository:write"] : [])
        case .apiToken:
            // An API token's write scope does not include read: both are named.
            return (scopes.contains(.read) ? ["read:repository:bitbucket"] : [])
                + (scopes.contains(.write) ? ["write:repository:bitbucket"] : [])
        }
    }
}

/// Checks `Authorization` for the Downloads endpoints: Bearer access tokens and Basic with an
/// email and API token. Failures carry Bitbucket's answer.
struct Authenticator: Sendable {
    let tokens: [AccessToken]
    let apiTokens: [APITokenCredential]

    enum Outcome {
        case success(Caller)
        case failure(Response)
    }

    static let basicChallenge: HTTPFields = [.wwwAuthenticate: "Basic realm=\"Bitbucket.org HTTP\""]

    /// `anonymous`: what a request without `Authorization` gets when credentials exist. For a
    /// repository's endpoints Bitbucket answers as for a private repository it will not name:
    /// 404 with the repository message.
    func authenticate(_ headers: HTTPFields, anonymous: Response? = nil) -> Outcome {
        // With no credential configured, every call is refused, as the emulator's contract says.
        guard !(tokens.isEmpty && apiTokens.isEmpty) else {
            return .failure(
                Reply.error(.unauthorized, "This API requires authentication.", headers: Self.basicChallenge))
        }
        guard let header = headers[.authorization] else {
            return .failure(
                anonymous
                    ?? Reply.error(.unauthorized, "This API requires authentication.", headers: Self.basicChallenge))
        }
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        let scheme = parts.first?.lowercased() ?? ""
        let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch scheme {
        case "bearer":
            if let token = tokens.first(where: { $0.token == value }) { return .success(.accessToken(token)) }
            return .failure(
                Reply.error(.unauthorized, "Token is invalid, expired, or not supported for this endpoint."))
        case "basic":
            guard let data = Data(base64Encoded: value), let decoded = String(data: data, encoding: .utf8),
                let colon = decoded.firstIndex(of: ":")
            else {
                return .failure(Reply.error(.unauthorized, "Invalid credentials.", headers: Self.basicChallenge))
            }
            let user = String(decoded[..<colon])
            let secret = String(decoded[decoded.index(after: colon)...])
            if let credential = apiTokens.first(where: {
                $0.email.lowercased() == user.lowercased() && $0.apiToken == secret
            }) {
                return .success(.apiToken(credential))
            }
            return .failure(Reply.error(.unauthorized, "Invalid credentials.", headers: Self.basicChallenge))
        default:
            return .failure(
                Reply.error(.unauthorized, "Token is invalid, expired, or not supported for this endpoint."))
        }
    }

    /// 403 with the scopes the call needs and those the credential has.
    static func missingScope(_ caller: Caller, needs: Scopes) -> Response {
        Reply.error(
            .forbidden, "Your credentials lack one or more required privilege scopes.",
            detail: ["required": caller.scopeNames(needs), "granted": caller.scopeNames(caller.scopes)])
    }
}

extension HTTPField.Name {
    static let credentialType = HTTPField.Name("X-Credential-Type")!
    static let oauthScopes = HTTPField.Name("X-OAuth-Scopes")!
    static let acceptedOAuthScopes = HTTPField.Name("X-Accepted-OAuth-Scopes")!
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitNearLimit = HTTPField.Name("X-RateLimit-NearLimit")!
    static let rateLimitResource = HTTPField.Name("X-RateLimit-Resource")!
}
