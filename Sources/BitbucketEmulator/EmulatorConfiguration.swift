import Foundation

/// What a credential may do with Downloads.
public struct Scopes: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let read = Scopes(rawValue: 1)
    public static let write = Scopes(rawValue: 2)
    public static let all: Scopes = [.read, .write]

    /// `repository` (read) and `repository:write` (upload, delete; implies read), comma-separated.
    public init?(parsing text: String) {
        var scopes: Scopes = []
        for word in text.split(separator: ",") {
            switch word.trimmingCharacters(in: .whitespaces) {
            case "repository": scopes.insert(.read)
            case "repository:write": scopes.formUnion([.read, .write])
            default: return nil
            }
        }
        guard !scopes.isEmpty else { return nil }
        self = scopes
    }
}

/// A repository, workspace or project access token, sent as `Authorization: Bearer`.
public struct AccessToken: Sendable, Hashable {
    public let token: String
    public let scopes: Scopes
    public init(token: String, scopes: Scopes = .all) {
        self.token = token
        self.scopes = scopes
    }

    /// `TOKEN[:SCOPES]`.
    public init?(parsing text: String) {
        let (secret, scopes) = splitScopes(text)
        guard !secret.isEmpty else { return nil }
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
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let email = String(text[..<colon])
        let (token, scopes) = splitScopes(String(text[text.index(after: colon)...]))
        guard !email.isEmpty, !token.isEmpty else { return nil }
        self.init(email: email, apiToken: token, scopes: scopes)
    }
}

/// The secret, and the scopes after it: the first colon whose remainder reads as a scope list
/// (scope names hold colons themselves: `repository:write`).
private func splitScopes(_ text: String) -> (String, Scopes) {
    var index = text.startIndex
    while let colon = text[index...].firstIndex(of: ":") {
        if let scopes = Scopes(parsing: String(text[text.index(after: colon)...])) {
            return (String(text[..<colon]), scopes)
        }
        index = text.index(after: colon)
    }
    return (text, .all)
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

    public init() {}
}
