import BitbucketModel

extension RepositoryName {
    /// `/2.0/repositories/WS/REPO/downloads`, each segment percent-encoded.
    var downloadsPath: String {
        "/2.0/repositories/\(PathSegment.encode(workspace))/\(PathSegment.encode(slug))/downloads"
    }

    func artifactPath(_ name: String) -> String { downloadsPath + "/" + PathSegment.encode(name) }
}
