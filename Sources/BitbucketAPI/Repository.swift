/// A repository as the API's paths name it: workspace and slug, each a slug or a `{uuid}`.
public struct Repository: Sendable, Hashable, CustomStringConvertible {
    public let workspace: String
    public let slug: String

    public init(workspace: String, slug: String) {
        self.workspace = workspace
        self.slug = slug
    }

    /// `workspace/slug`; nil when either half is empty or a slash is missing.
    public init?(_ fullName: String) {
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(workspace: String(parts[0]), slug: String(parts[1]))
    }

    public var description: String { "\(workspace)/\(slug)" }

    /// `/2.0/repositories/WS/REPO/downloads`, each segment percent-encoded.
    var downloadsPath: String {
        "/2.0/repositories/\(PathSegment.encode(workspace))/\(PathSegment.encode(slug))/downloads"
    }

    func artifactPath(_ name: String) -> String { downloadsPath + "/" + PathSegment.encode(name) }
}
