/// One artifact of one repository: the key of every map from artifacts to what is known of them
/// (fingerprints, planned uploads, names in use).
public struct ArtifactKey: Hashable, Sendable {
    public let repository: String
    public let name: String

    public init(_ repository: String, _ name: String) {
        self.repository = repository
        self.name = name
    }
}
