/// One artifact of one repository: the key of every map from artifacts to what is known of them
/// (fingerprints, planned uploads, names in use). Names compare by their bytes (`ExactName`).
public struct ArtifactKey: Hashable, Sendable {
    public let repository: RepositoryName
    public let name: String

    public init(_ repository: RepositoryName, _ name: String) {
        self.repository = repository
        self.name = name
    }

    public static func == (lhs: ArtifactKey, rhs: ArtifactKey) -> Bool {
        lhs.repository == rhs.repository && lhs.name.isExactly(rhs.name)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(repository)
        hasher.combine(ExactName(name))
    }
}
