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
        var found = Set<RepositoryName>()
        let byUUID = workspace.hasPrefix("{")
        try await readPages(
            RepositoryJSON.self, at: path, maximum: Self.maximumWorkspacePages, noun: "repositories",
            what: "listing \(workspace)'s repositories"
        ) { result, _, _ in
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
        }
        return found.sorted { $0.description.lowercased() < $1.description.lowercased() }
    }
}
