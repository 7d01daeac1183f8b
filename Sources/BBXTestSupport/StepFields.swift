import BBXPlan
import BitbucketModel

extension Step {
    /// A step from the flat fields a plan shows (the tests' tables read best that way); the
    /// action follows from `kind`. Only the tests see this: a step missing what its kind needs
    /// (an upload without a repository) is a mistake in the test and stops it.
    public init(
        kind: Kind, repository: RepositoryName?, name: String, localPath: String? = nil, size: Int64? = nil,
        reason: String? = nil, source: SourcePosition, connect: ConnectCall? = nil,
        localConflict: LocalConflict? = nil, localModified: String? = nil, manifest: String? = nil,
        sha256: String? = nil
    ) {
        func needed<T>(_ value: T?, _ what: String) -> T {
            guard let value else { preconditionFailure("a \(kind) step needs \(what)") }
            return value
        }
        let action: Action
        switch kind {
        case .upload, .replace:
            let upload = Upload(
                repository: needed(repository, "a repository"), name: name, localPath: needed(localPath, "a path"),
                size: size, localModified: localModified, manifest: manifest)
            action = kind == .upload ? .upload(upload) : .replace(upload)
        case .delete:
            action = .delete(Delete(repository: needed(repository, "a repository"), name: name, size: size))
        case .download:
            action = .download(
                Download(
                    repository: needed(repository, "a repository"), name: name, localPath: needed(localPath, "a path"),
                    size: size, localConflict: localConflict, manifest: manifest, sha256: sha256))
        case .skip:
            action = .skip(
                Skipped(
                    repository.map { .artifact($0, name: name) } ?? .connectCall(request: name), localPath: localPath,
                    size: size, localConflict: localConflict, localModified: localModified, sha256: sha256))
        case .connect:
            action = .connect(needed(connect, "a call"))
        case .verify:
            action = .verify(
                Verify(
                    repository: needed(repository, "a repository"), name: name, size: size,
                    manifest: needed(manifest, "a manifest"), sha256: sha256))
        case .checksums:
            action = .checksums(
                ChecksumsUpdate(
                    repository: needed(repository, "a repository"), manifest: name, entries: [], removals: [],
                    base: sha256))
        }
        self.init(action, reason: reason, source: source)
    }
}
