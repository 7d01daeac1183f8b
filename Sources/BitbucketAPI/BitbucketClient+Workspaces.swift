import BitbucketModel
import Foundation

/// The JSON of a repository in a workspace's listing: only `full_name` is relied on.
struct RepositoryJSON: Decodable, Sendable {
    let full_name: String?
}

extension BitbucketClient {
    /// The most pages a workspace listing may take (100 repositories a page).
    public static let maximumWorkspacePages = 100

    /// Every repository of `workspace` the credential can see (every page of
    /// `GET /2.0/repositories/{workspace}`, 100 a page), sorted by full name. A `full_name` that
    /// is not `workspace/slug` of this workspace is the server's mistake, said as such: a cleanup
    /// is not planned on half a listing.
    public func repositories(in workspace: String) async throws -> [RepositoryName] {
        let path = "/2.0/repositories/\(workspace)"
        var next: String? = url(path, query: "pagelen=100")
        var requested = Set<String>()
        var found = Set<RepositoryName>()
        let byUUID = workspace.hasPrefix("{")
        while let page = next {
            guard requested.insert(page).inserted, requested.count <= Self.maximumWorkspacePages else {
                throw BitbucketError.unexpectedResponse(
                    method: "GET", path: path,
                    reason: "the listing does not end: stopped after \(requested.count - 1) pages")
            }
            let result = try await getJSON(
                Page<RepositoryJSON>.self, page, signing: .credential, what: "listing \(workspace)'s repositories")
            for value in result.values {
                guard let text = value.full_name, let name = RepositoryName(parsing: text),
                    byUUID || name.workspace.lowercased() == workspace.lowercased()
                else {
                    let shown = value.full_name.map { "'\($0)'" } ?? "no full_name"
                    throw BitbucketError.unexpectedResponse(
                        method: "GET", path: path,
                        reason: "a repository of \(workspace) is listed with \(shown), not \(workspace)/SLUG")
                }
                found.insert(name)
            }
            if result.values.isEmpty, result.next != nil {
                throw BitbucketError.unexpectedResponse(
                    method: "GET", path: path, reason: "the listing does not end: an empty page links to another")
            }
            next = result.next.map { resolve($0, against: page) }
            if let next, let problem = Self.linkProblem("a next page link", to: next, api: apiOrigin) {
                throw BitbucketError.unexpectedResponse(method: "GET", path: path, reason: problem)
            }
        }
        return found.sorted { $0.description.lowercased() < $1.description.lowercased() }
    }
}
