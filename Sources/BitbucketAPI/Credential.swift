import Foundation

/// How bbx proves who it is to the Downloads endpoints.
public enum Credential: Sendable, Hashable, CustomStringConvertible {
    /// A repository, project or workspace access token (or an OAuth access token): `Bearer`.
    case accessToken(Secret)
    /// An Atlassian account's email with one of its API tokens: Basic.
    case apiToken(email: String, token: Secret)
    /// A Bitbucket username with an app password: Basic. Still sent when configured, with a
    /// warning, because Bitbucket removed app passwords on 28 July 2026.
    case appPassword(username: String, password: Secret)

    var authorization: String {
        switch self {
        case .accessToken(let token): "Bearer \(token.revealed)"
        case .apiToken(let user, let secret), .appPassword(let user, let secret):
            "Basic " + base64("\(user):\(secret.revealed)")
        }
    }

    /// Every text that reveals the credential, as it goes on the wire: the secret, and for Basic
    /// the base64 of `user:secret` (a server or proxy echoing the header would show it, and it
    /// decodes to the token). `Redactor.forms` adds their escaped and encoded forms.
    public var wireForms: [String] {
        switch self {
        case .accessToken(let token): [token.revealed]
        case .apiToken(let user, let secret), .appPassword(let user, let secret):
            [secret.revealed, base64("\(user):\(secret.revealed)")]
        }
    }

    /// What the credential is called in messages, without its secret.
    public var description: String {
        switch self {
        case .accessToken: "access token"
        case .apiToken(let email, _): "API token of \(email)"
        case .appPassword(let username, _): "app password of \(username)"
        }
    }

    /// The noun a scope message starts with: "the token lacks repository:write".
    var noun: String {
        switch self {
        case .accessToken: "the token"
        case .apiToken: "the API token"
        case .appPassword: "the app password"
        }
    }

    /// What to check when Bitbucket answers 401.
    var hint: String {
        switch self {
        case .accessToken:
            "check the access token (BITBUCKET_TOKEN or --token-file): it may be mistyped, expired or revoked"
        case .apiToken: "check BITBUCKET_EMAIL and BITBUCKET_API_TOKEN: the email must be the Atlassian account's"
        case .appPassword: "app passwords no longer work since 28 July 2026; use an API token or an access token"
        }
    }

    public var warning: String? {
        guard case .appPassword = self else { return nil }
        return
            "an app password is configured, but Bitbucket removed app passwords on 28 July 2026; "
            + "create an API token (BITBUCKET_EMAIL, BITBUCKET_API_TOKEN) or an access token (BITBUCKET_TOKEN)"
    }
}

/// A Connect app installation, for the `/2.0/addon*` calls (signed with a JWT per request).
public struct ConnectCredentials: Sendable, Hashable, CustomStringConvertible {
    public let appKey: String
    public let clientKey: String
    public let sharedSecret: Secret

    public init(appKey: String, clientKey: String, sharedSecret: Secret) {
        self.appKey = appKey
        self.clientKey = clientKey
        self.sharedSecret = sharedSecret
    }

    public var description: String { "Connect app \(appKey) (client key \(clientKey))" }
}

private func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
