import BBXApply
import BBXEvaluate
import BBXPlan
import BitbucketAPI
import BitbucketModel
import Foundation
import SafeFiles
import Synchronization

/// Planning's reads and applying's writes, over the Bitbucket client. In dry-run mode the
/// client itself refuses every write, so nothing here decides what may be sent.
public struct BitbucketService: RemoteReader, ApplyService {
    public let client: BitbucketClient
    /// Against `--sandbox`: a missing repository is one the sandbox did not create, never a
    /// credential's blind spot.
    public let sandboxed: Bool
    /// What each listing's headers said the credential may do there.
    private let grants = Grants()

    private final class Grants: Sendable {
        let known = Mutex<[RepositoryName: CredentialGrant]>([:])
    }

    public init(client: BitbucketClient, sandboxed: Bool = false) {
        self.client = client
        self.sandboxed = sandboxed
    }

    public func grant(for repository: RepositoryName) -> CredentialGrant? {
        grants.known.withLock { $0[repository] }
    }

    // MARK: - Reads (planning)

    public func artifacts(in name: RepositoryName) async throws(RemoteReadError) -> [Artifact] {
        let listing = try await reading(
            "read \(name)'s downloads",
            notFound: { error in
                sandboxed
                    ? "the sandbox has no repository \(name): it creates the repositories the script uses (in use, to, from and in, directly or through let, for and env() defaults) and BITBUCKET_REPO_FULL_NAME; write \(name) where the script uses it, or run against Bitbucket without --sandbox"
                    : "repository \(name) does not exist, or the credential cannot see it (\(error))"
            }, cause: .missingRepository
        ) { try await client.listing(of: name) }
        if let grant = listing.grant { grants.known.withLock { $0[name] = grant } }
        return listing.artifacts
    }

    public func repositories(in workspace: String) async throws(RemoteReadError) -> [RepositoryName] {
        try await reading(
            "list \(workspace)'s repositories",
            notFound: { "workspace \(workspace) does not exist, or the credential cannot see it (\($0))" }
        ) { try await client.repositories(in: workspace) }
    }

    public func connectRead(_ read: ConnectRead) async throws(RemoteReadError) -> ConnectReadResult {
        try await reading(nil) {
            switch read {
            case .linkers: .linkers(try await client.linkers())
            case .linker(let key): .linker(try await client.linker(key))
            case .values(let key): .values(linker: key, try await client.linkerValues(key))
            case .value(let key, let id): .value(linker: key, try await client.linkerValue(key, id: id))
            }
        }
    }

    public func text(of name: String, in repository: RepositoryName) async throws(RemoteReadError) -> String? {
        try await reading("read \(name) in \(repository)") {
            try await client.text(of: name, in: repository, limit: ChecksumManifest.maximumBytes)
        }
    }

    /// Planning's one catch ladder: a client error becomes a read error with the cause the
    /// client decided. `notFound` words a 404 about what was read (a missing repository is
    /// `cause`); `what` names the read for an error that is not the client's.
    func reading<T>(
        _ what: String?, notFound: ((BitbucketError) -> String)? = nil, cause notFoundCause: FailureCause = .script,
        _ body: () async throws -> T
    ) async throws(RemoteReadError) -> T {
        do {
            return try await body()
        } catch let error as BitbucketError {
            if case .status(let failure) = error, failure.status == 404, error.cause == .script, let notFound {
                throw RemoteReadError(notFound(error), cause: notFoundCause)
            }
            if case .status = error, case .outOfRequests = error.cause {
                throw RemoteReadError(
                    "Bitbucket's hourly limit reached (\(error)); run again later", cause: error.cause)
            }
            throw RemoteReadError("\(error)", cause: error.cause)
        } catch {
            throw RemoteReadError(what.map { "cannot \($0): \(error)" } ?? "\(error)")
        }
    }

    // MARK: - Writes (applying)

    public func upload(
        _ files: [UploadItem], to repository: RepositoryName, hashing: Bool,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> [ExactName: String] {
        var previous: [ExactName: Artifact] = [:]
        for file in files { previous[ExactName(file.name)] = file.previous }
        do {
            return try await client.upload(
                files.map { UploadFile(path: $0.path, name: $0.name) }, to: repository, previous: previous,
                hashing: hashing, progress: { progress($0.bytes) }
            ).sha256
        } catch let failure as UploadFailure {
            throw UploadGroupFailure(
                landed: Dictionary(
                    failure.confirmed.map { (ExactName($0), failure.sha256[ExactName($0)]) },
                    uniquingKeysWith: { a, _ in a }),
                underlying: failure.underlying)
        }
    }

    public func download(
        _ name: String, from repository: RepositoryName, to path: String, expectedSize: Int64?, replacing: Bool,
        checksum: (manifest: String, sha256: String)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws {
        let directory = (path as NSString).deletingLastPathComponent
        // The folders this download makes for itself, outermost first: a failed download takes
        // them away again (each only if still empty), and leaves the disk as it found it.
        var created: [String] = []
        var missing = directory
        while !missing.isEmpty, missing != "/", !FileManager.default.fileExists(atPath: missing) {
            created.insert(missing, at: 0)
            missing = (missing as NSString).deletingLastPathComponent
        }
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                for folder in created.reversed() { rmdir(folder) }
                throw BitbucketError.file(path: directory, reason: "cannot create the directory")
            }
        }
        do {
            try await client.download(
                name, from: repository, to: path, expectedSize: expectedSize, replacing: replacing,
                checksum: checksum.map { ExpectedChecksum(manifest: $0.manifest, sha256: $0.sha256) },
                progress: { progress($0.bytes) })
        } catch {
            for folder in created.reversed() { rmdir(folder) }
            throw error
        }
    }

    public func digest(
        of name: String, in repository: RepositoryName, expectedSize: Int64?,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> String {
        try await client.digest(of: name, in: repository, expectedSize: expectedSize, progress: { progress($0.bytes) })
            .sha256
    }

    public func readText(_ name: String, in repository: RepositoryName) async throws -> String? {
        try await client.text(of: name, in: repository, limit: ChecksumManifest.maximumBytes)
    }

    /// The manifest (and its signature) go through the same streamed multipart upload as any
    /// file, in one request, from temporary files made exclusively (never through a link).
    public func replaceTexts(_ texts: [(name: String, text: String)], in repository: RepositoryName) async throws {
        let directory = FileManager.default.temporaryDirectory.path
        var paths: [String] = []
        defer { for path in paths { unlink(path) } }
        var files: [UploadFile] = []
        for (name, text) in texts {
            let (descriptor, path) = try ExclusiveFile.create(in: directory, mode: 0o600) {
                ".bbx-manifest-\(ExclusiveFile.randomTag())"
            }
            paths.append(path)
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard written == bytes.count else {
                throw BitbucketError.file(path: path, reason: "cannot write the manifest to a temporary file")
            }
            files.append(UploadFile(path: path, name: name))
        }
        try await client.upload(files, to: repository)
    }

    public var requestCount: Int? { client.meter.total }

    public var apiRequestCount: Int? { client.meter.apiTotal }

    public var apiRequestsByTarget: [String: Int]? { client.meter.apiByTarget }

    public func listing(of repository: RepositoryName) async throws -> [Artifact] {
        try await client.artifacts(in: repository)
    }

    public func delete(_ name: String, from repository: RepositoryName) async throws {
        try await client.delete(name, from: repository)
    }

    public func connect(_ call: ConnectCall) async throws {
        switch call {
        case .updateRegistered: try await client.updateApp(.refresh)
        case .updateDescriptor(_, let json): try await client.updateApp(.descriptor(json))
        case .updateURL(let url): try await client.updateApp(.descriptorURL(url))
        case .deleteApp: try await client.deleteApp()
        case .addValue(let linker, let value): try await client.addLinkerValue(linker, value: value)
        case .setValues(let linker, let values): try await client.replaceLinkerValues(linker, with: values)
        case .removeValue(let linker, let id): try await client.deleteLinkerValue(linker, id: id)
        case .clearValues(let linker): try await client.deleteLinkerValues(linker)
        }
    }
}
