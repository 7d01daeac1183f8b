import Foundation

/// What a credential may do with Downloads.
public struct Scopes: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let read = Scopes(rawValue: 1)
    public static let write = Scopes(rawValue: 2)
    public static let all: Scopes = [.read, .write]

    /// The names a scope list may use: an access token's (`repository`, `repository:write`,
    /// which implies read) and an API token's (`read:repository:bitbucket`,
    /// `write:repository:bitbucket`, which does not).
    public static let known = [
        "repository", "repository:write", "read:repository:bitbucket", "write:repository:bitbucket",
    ]

    /// A comma-separated list of `known` names; an unknown one is an error that lists them.
    public init(parsing text: String) throws {
        var scopes: Scopes = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch word.trimmingCharacters(in: .whitespaces) {
            case "repository", "read:repository:bitbucket": scopes.insert(.read)
            case "repository:write": scopes.formUnion([.read, .write])
            case "write:repository:bitbucket": scopes.insert(.write)
            case let unknown:
                throw CredentialSyntax(
                    description:
                        "unknown scope '\(unknown)'; the known scopes are \(Self.known.joined(separator: ", "))")
            }
        }
        self = scopes
    }
}

/// A credential on the command line that does not read as one.
public struct CredentialSyntax: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// A repository, workspace or project access token, sent as `Authorization: Bearer`.
public struct AccessToken: Sendable, Hashable {
    public let token: String
    public let scopes: Scopes
    public init(token: String, scopes: Scopes = .all) {
        self.token = token
        self.scopes = scopes
    }

    /// `TOKEN[:SCOPES]`: tokens hold no colon, so whatever follows the first one is scopes
    /// (a typo there is an error, not part of the token's name).
    public init(parsing text: String) throws {
        let (secret, scopes) = try splitScopes(text)
        guard !secret.isEmpty else { throw CredentialSyntax(description: "the token is empty") }
        self.init(token: secret, scopes: scopes)
    }
}

/// An Atlassian account email with an API token, sent as Basic.
public struct APITokenCredential: Sendable, Hashable {
    public let email: String
    public let apiToken: String
    public let scopes: Scopes
    public init(email: String, apiToken: String, scopes: Scopes = .all) {
        self.email = email
        self.apiToken = apiToken
        self.scopes = scopes
    }

    /// `EMAIL:API_TOKEN[:SCOPES]`.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw CredentialSyntax(description: "expected EMAIL:API_TOKEN[:SCOPES]")
        }
        let email = String(text[..<colon])
        let (token, scopes) = try splitScopes(String(text[text.index(after: colon)...]))
        guard email.contains("@"), !token.isEmpty else {
            throw CredentialSyntax(description: "expected EMAIL:API_TOKEN[:SCOPES] with an email and a token")
        }
        self.init(email: email, apiToken: token, scopes: scopes)
    }
}

/// The secret before the first colon, and the scopes after it (all of them without one).
private func splitScopes(_ text: String) throws -> (String, Scopes) {
    guard let colon = text.firstIndex(of: ":") else { return (text, .all) }
    let scopes = try Scopes(parsing: String(text[text.index(after: colon)...]))
    guard !scopes.isEmpty else { throw CredentialSyntax(description: "the scope list is empty") }
    return (String(text[..<colon]), scopes)
}

/// One installation of a Connect app.
public struct ConnectInstallation: Sendable, Hashable, Codable {
    public let appKey: String
    public let clientKey: String
    public let sharedSecret: String
    public init(appKey: String, clientKey: String, sharedSecret: String) {
        self.appKey = appKey
        self.clientKey = clientKey
        self.sharedSecret = sharedSecret
    }

    /// `APP_KEY:CLIENT_KEY:SHARED_SECRET`. Client keys hold colons (`connection:123`,
    /// `ari:cloud:…`): the app key ends at the first colon, the secret starts after the last.
    public init?(parsing text: String) {
        guard let first = text.firstIndex(of: ":"), let last = text.lastIndex(of: ":"), first < last else {
            return nil
        }
        let appKey = String(text[..<first])
        let clientKey = String(text[text.index(after: first)..<last])
        let secret = String(text[text.index(after: last)...])
        guard !appKey.isEmpty, !clientKey.isEmpty, !secret.isEmpty else { return nil }
        self.init(appKey: appKey, clientKey: clientKey, sharedSecret: secret)
    }
}

/// Everything `bbx serve` is started with.
public struct EmulatorConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 7990
    public var storagePort = 0
    /// Where artifacts and state live across restarts; nil: a temporary folder removed on exit.
    public var dataDirectory: String?
    public var repositories: [String] = []
    public var tokens: [AccessToken] = []
    public var apiTokens: [APITokenCredential] = []
    public var connect: ConnectInstallation?
    public var linkers: [String] = []
    /// Every repository and linker asked for exists, created empty on first use: for the
    /// sandbox of an interactive session, where nothing says beforehand which will be named.
    /// Not a `bbx serve` option: Bitbucket answers 404 for what does not exist.
    public var createsOnFirstUse = false
    public var freePlanWorkspaces: [String] = []
    /// Store spaces in artifact names as `_`, as Bitbucket has been seen to.
    public var underscoreSpaces = false
    public var faults: [Fault] = []
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// How long a storage link stays valid (Bitbucket's are about 30 minutes).
    public var storageLinkLifetime: TimeInterval = 30 * 60
    /// Required (as `Authorization: Bearer …`) on `/_emulator/*` when set; listening beyond
    /// loopback needs one, or anyone on the network could seed, fault and read the log.
    public var adminToken: String?
    /// The admin request log keeps the last this many requests.
    public var requestLogSize = 10_000
    /// The largest seeded artifact (a seed also needs that much free disk).
    public var maximumSeedSize: Int64 = 8 << 30
    /// A connection with nothing to read or write for this long is closed.
    public var idleTimeout: Duration = .seconds(120)
    /// A request head (line and headers) must arrive within this long of the connection opening
    /// or of the previous answer ending.
    public var headerTimeout: Duration = .seconds(30)
    /// Linker endpoints answer as after their removal by Atlassian (404 on every
    /// `/2.0/addon/linkers…` call).
    public var linkersRemoved = false
    /// Bitbucket's hourly limit of API requests per credential (`--rate-limit N`), counted over
    /// a rolling hour: answers to Bearer tokens then say `X-RateLimit-Limit`,
    /// `X-RateLimit-Resource` and, from 80 % of the budget on, `X-RateLimit-NearLimit: true`, as
    /// Bitbucket does for access tokens; a request beyond the limit gets 429 as plain text.
    public var rateLimit: Int?
    /// Calls counted as already made this hour when the emulator starts (`--rate-limit N:USED`),
    /// so that a test reaches "near the limit" in a few calls.
    public var rateLimitUsed = 0

    /// Artifacts stored before the listeners open: the JSON array `POST /_emulator/artifacts`
    /// takes (`--sandbox-seed`).
    public var seed: Data?

    public init() {}
}
