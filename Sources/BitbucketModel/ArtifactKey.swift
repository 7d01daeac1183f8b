/// One artifact of one repository: the key of every map from artifacts to what is known of them
/// (fingerprints, planned uploads, names in use).
public struct ArtifactKey: Hashable, Sendable {
    public let repository: RepositoryName
    public let name: String

    public init(_ repository: RepositoryName, _ name: String) {
        self.repository = repository
        self.name = name
    }
}
