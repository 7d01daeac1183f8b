import BBXPlan
import BitbucketModel

extension Step {
    /// A step from the flat fields a plan shows (the tests' tables read best that way), made by
    /// `Step.Fields`, the adapter saved plans are read with. A checksums step takes `sha256` as
    /// the manifest's base and records nothing. A step missing what its kind needs is a mistake
    /// in the test and stops it.
    public init(
        kind: Kind, repository: RepositoryName?, name: String, localPath: String? = nil, size: Int64? = nil,
        reason: String? = nil, source: SourcePosition, connect: ConnectCall? = nil,
        localConflict: LocalConflict? = nil, localModified: String? = nil, manifest: String? = nil,
        sha256: String? = nil
    ) {
        var fields = Fields(
            kind: kind, repository: repository, name: name, localPath: localPath, size: size, reason: reason,
            source: source, connect: connect, localConflict: localConflict, localModified: localModified,
            manifest: manifest, sha256: sha256)
        if kind == .checksums { (fields.entries, fields.removals, fields.base, fields.sha256) = ([], [], sha256, nil) }
        do {
            self = try fields.step()
        } catch {
            preconditionFailure("a \(kind) step: \(error)")
        }
    }
}
