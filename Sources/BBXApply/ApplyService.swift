import BBXPlan
import BitbucketModel

/// The calls applying a plan makes. `BitbucketService` makes them over HTTP; unit tests of the
/// executor give a fake.
public protocol ApplyService: Sendable {
    /// Uploads files in one request (Bitbucket takes several `files` parts), each hashed while
    /// sent when `hashing`. Returns each file's SHA-256 (empty without `hashing`). A failure
    /// says which files landed anyway (confirmed by listing) in `UploadGroupFailure`.
    func upload(
        _ files: [UploadItem], to repository: RepositoryName, hashing: Bool,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> [ExactName: String]
    /// Downloads one artifact; without `replacing`, fails rather than overwrite a local file.
    /// With `sha256`, the bytes are hashed as they arrive and a mismatch keeps nothing.
    func download(
        _ name: String, from repository: RepositoryName, to path: String, expectedSize: Int64?, replacing: Bool,
        checksum: (manifest: String, sha256: String)?, progress: @escaping @Sendable (Int64) -> Void) async throws
    /// Streams an artifact through SHA-256, keeping nothing (`verify`).
    func digest(
        of name: String, in repository: RepositoryName, expectedSize: Int64?,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> String
    func delete(_ name: String, from repository: RepositoryName) async throws
    /// A repository's Downloads now: read before deleting, and after applying to confirm.
    func listing(of repository: RepositoryName) async throws -> [Artifact]
    /// A small artifact's text (the checksum manifest); nil when there is none.
    func readText(_ name: String, in repository: RepositoryName) async throws -> String?
    /// Replaces (or creates) small artifacts (the checksum manifest, and its signature) in one
    /// request, so that they change together.
    func replaceTexts(_ texts: [(name: String, text: String)], in repository: RepositoryName) async throws
    func connect(_ call: ConnectCall) async throws
    /// The HTTP requests made so far (the report's last line); nil when not counted.
    var requestCount: Int? { get }
    /// The API requests made so far (what `--max-requests` counts); nil when not counted.
    var apiRequestCount: Int? { get }
    /// The same by what they concern (`acme/app`, `acme`, `addon`).
    var apiRequestsByTarget: [String: Int]? { get }
}

extension ApplyService {
    public var apiRequestCount: Int? { nil }
    public var apiRequestsByTarget: [String: Int]? { nil }
}

/// A file of an upload request: what to send, under which name, and the artifact the plan saw
/// under that name (a replace), so a retry after a lost answer can tell it from the new one.
public struct UploadItem: Sendable, Hashable {
    public let path: String
    public let name: String
    public let previous: Artifact?
    public init(path: String, name: String, previous: Artifact?) {
        self.path = path
        self.name = name
        self.previous = previous
    }
}

/// An upload request that failed: the files that landed anyway (their hashes, when known), and
/// the files never sent, which did not start.
public struct UploadGroupFailure: Error, Sendable, CustomStringConvertible {
    public let landed: [ExactName: String?]
    public let notSent: Set<ExactName>
    public let underlying: any Error & Sendable
    public init(landed: [ExactName: String?], notSent: Set<ExactName> = [], underlying: any Error & Sendable) {
        self.landed = landed
        self.notSent = notSent
        self.underlying = underlying
    }
    public var description: String { "\(underlying)" }
}
