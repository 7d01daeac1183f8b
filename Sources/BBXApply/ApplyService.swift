import BBXPlan
import BitbucketModel

/// The calls applying a plan makes. `BitbucketService` makes them over HTTP; unit tests of the
/// executor give a fake.
public protocol ApplyService: Sendable {
    /// Uploads one file; `previous` is the same-name artifact the plan saw (a replace), so a
    /// retry after a lost answer can tell it from the new one.
    func upload(
        _ path: String, as name: String, to repository: RepositoryName, previous: Artifact?,
        progress: @escaping @Sendable (Int64) -> Void) async throws
    /// Downloads one artifact; without `replacing`, fails rather than overwrite a local file.
    func download(
        _ name: String, from repository: RepositoryName, to path: String, expectedSize: Int64?, replacing: Bool,
        progress: @escaping @Sendable (Int64) -> Void) async throws
    func delete(_ name: String, from repository: RepositoryName) async throws
    /// A repository's Downloads now: read before deleting, and after applying to confirm.
    func listing(of repository: RepositoryName) async throws -> [Artifact]
    func connect(_ call: ConnectCall) async throws
}
