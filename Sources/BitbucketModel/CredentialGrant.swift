import Foundation

/// What Bitbucket says a credential may do, from the headers of its answers
/// (`X-Credential-Type`, `X-OAuth-Scopes`): read while planning, so that a plan the credential
/// cannot carry out is refused before its first write instead of failing halfway.
public struct CredentialGrant: Hashable, Sendable {
    /// `repo_access_token`, `api_token`, … as sent.
    public let type: String
    /// The scopes held, as sent (`repository, repository:write`).
    public let scopes: [String]

    public init(type: String, scopes: [String]) {
        self.type = type
        self.scopes = scopes
    }

    /// From the header values; nil when Bitbucket did not send the scopes (then nothing is known
    /// and nothing is refused).
    public init?(type: String?, scopes: String?) {
        // An empty list says nothing a refusal could rest on: unknown, like no header at all.
        let names = (scopes ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        self.init(type: type ?? "", scopes: names)
    }

    /// Whether the credential speaks Atlassian's API-token vocabulary (`write:repository:bitbucket`).
    var isAPIToken: Bool { type == "api_token" || scopes.contains { $0.hasSuffix(":bitbucket") } }

    /// The scope uploads and deletes need, in this credential's words.
    public var writeScope: String { isAPIToken ? "write:repository:bitbucket" : "repository:write" }

    /// Whether uploads and deletes are allowed: `repository:write` or a scope Bitbucket says
    /// implies it (`repository:admin`, `pullrequest:write`) for access and OAuth tokens,
    /// `write:repository:bitbucket` (or admin) for API tokens.
    public var canWrite: Bool {
        let writing: Set<String> =
            isAPIToken
            ? ["write:repository:bitbucket", "admin:repository:bitbucket"]
            : ["repository:write", "repository:admin", "pullrequest:write"]
        return scopes.contains(where: writing.contains)
    }
}
