import BitbucketModel

/// What a script will change, in order: plain data, printable and testable without a network.
/// The evaluator produces it; the executor applies it; `--json` and saved plans encode it.
public struct Plan: Hashable, Sendable, Codable {
    public var steps: [Step]
    /// The remote artifacts the steps touch, as they were read while planning.
    public var fingerprints: [Fingerprint]
    /// What the reader should know about decisions the plan made (artifacts left alone).
    public var notes: [String]?
    /// The API requests planning made and applying needs (nil in plans made without a client).
    public var requests: RequestCount?
    /// How many artifacts each repository will hold once applied, as planned: what listing it
    /// costs (100 a page). Not saved: a saved plan's apply counts one page.
    public var predictedCounts: [RepositoryName: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case steps, fingerprints, notes, requests
    }

    public init(steps: [Step] = [], fingerprints: [Fingerprint] = [], notes: [String] = []) {
        self.steps = steps
        self.fingerprints = fingerprints
        self.notes = notes.isEmpty ? nil : notes
    }

    /// Whether the steps touch more than one repository (lines outside the grouped plan then
    /// name theirs).
    public var touchesSeveralRepositories: Bool { Set(steps.compactMap(\.repository)).count > 1 }

    /// Whether applying would change anything on Bitbucket (or on disk, for downloads).
    public var hasChanges: Bool { steps.contains { $0.kind.isChange } }

    /// Whether applying runs anything: a change, or a `verify` (which reads and changes nothing).
    public var hasWork: Bool { steps.contains { $0.kind.isApplied } }

    public var totals: Totals {
        var totals = Totals()
        for step in steps {
            switch step.kind {
            case .upload:
                totals.uploads += 1
                totals.bytesToSend = totals.bytesToSend.clampedAdding(step.size ?? 0)
            case .replace:
                totals.replacements += 1
                totals.bytesToSend = totals.bytesToSend.clampedAdding(step.size ?? 0)
            case .delete: totals.deletions += 1
            case .download:
                totals.downloads += 1
                totals.bytesToReceive = totals.bytesToReceive.clampedAdding(step.size ?? 0)
            case .skip: totals.skipped += 1
            case .connect: totals.connectCalls += 1
            case .verify:
                totals.verifications += 1
                totals.bytesToReceive = totals.bytesToReceive.clampedAdding(step.size ?? 0)
            case .checksums: totals.manifestUpdates += 1
            }
        }
        return totals
    }

    public struct Totals: Hashable, Sendable, Codable {
        public var uploads = 0
        public var replacements = 0
        public var deletions = 0
        public var downloads = 0
        public var skipped = 0
        public var connectCalls = 0
        public var verifications = 0
        public var manifestUpdates = 0
        public var bytesToSend: Int64 = 0
        public var bytesToReceive: Int64 = 0
        public init() {}
    }
}

/// One change, tied to the statement that asked for it.
public struct Step: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A new artifact.
        case upload
        /// An artifact of that name exists and is replaced in one request (`on conflict replace`).
        case replace
        /// Nothing to do (`on conflict skip`, or a delete of what is not there).
        case skip
        case delete
        case download
        /// A Connect app call (`addon update`, `linker … add`, …).
        case connect
        /// An artifact streamed through SHA-256 and compared with the manifest; nothing kept.
        case verify
        /// The checksum manifest replaced once, after the steps that change what it covers.
        case checksums

        // What the layers ask of a kind, answered here by exhaustive switches: a new kind does
        // not compile until each question has its answer (no `kind == .upload || …` elsewhere).

        /// The symbol a plan line starts with (its verb is the raw value).
        public var mark: String {
            switch self {
            case .upload: "+"
            case .replace: "~"
            case .skip: "="
            case .delete: "-"
            case .download: "↓"
            case .connect: "*"
            case .verify: "✓"
            case .checksums: "#"
            }
        }

        /// Anything but `skip` changes something when applied.
        public var isChange: Bool {
            switch self {
            case .upload, .replace, .delete, .download, .connect, .checksums: true
            case .skip, .verify: false
            }
        }

        /// Applying runs it: every kind but `skip` (a `verify` reads, and changes nothing).
        public var isApplied: Bool {
            switch self {
            case .upload, .replace, .delete, .download, .connect, .checksums, .verify: true
            case .skip: false
            }
        }

        /// Sends a local file to Bitbucket (and so must finish before a delete after it).
        public var sendsFile: Bool {
            switch self {
            case .upload, .replace: true
            case .skip, .delete, .download, .connect, .verify, .checksums: false
            }
        }

        /// Writes a local file from Bitbucket.
        public var receivesFile: Bool {
            switch self {
            case .download: true
            case .upload, .replace, .skip, .delete, .connect, .verify, .checksums: false
            }
        }

        /// Changes a repository's Downloads (confirmed by listing after applying).
        public var changesDownloads: Bool {
            switch self {
            case .upload, .replace, .delete, .checksums: true
            case .skip, .download, .connect, .verify: false
            }
        }

        /// Waits for every step before it and holds back every step after it (Connect calls
        /// change the app, which any later step may depend on; a manifest records what every
        /// step before it did).
        public var isBarrier: Bool {
            switch self {
            case .connect, .checksums: true
            case .upload, .replace, .skip, .delete, .download, .verify: false
            }
        }

        /// How the report counts the steps of this kind that were done (`3 uploaded`); nil
        /// for `skip`, counted with the steps skipped while applying.
        public func done(_ count: Int) -> String? {
            switch self {
            case .upload: "\(count) uploaded"
            case .replace: "\(count) replaced"
            case .delete: "\(count) deleted"
            case .download: "\(count) downloaded"
            case .connect: count == 1 ? "1 Connect call made" : "\(count) Connect calls made"
            case .verify: "\(count) verified"
            case .checksums: count == 1 ? "1 manifest updated" : "\(count) manifests updated"
            case .skip: nil
            }
        }
    }

    /// What the step does, with what that needs and nothing else: an upload has its file, a
    /// Connect call its call, and neither carries the other's fields.
    public let action: Action
    /// Why, when the statement does not say it by itself: `prune keep 5`, `exists, skipped`.
    public let reason: String?
    /// Where the statement is: `release.bbx:4:1`.
    public let source: SourcePosition

    public enum Action: Hashable, Sendable {
        /// A new artifact.
        case upload(Upload)
        /// An artifact of that name exists and is replaced in one request (`on conflict replace`).
        case replace(Upload)
        case delete(Delete)
        case download(Download)
        /// Nothing to do (`on conflict skip`, a delete of what is not there, a linker value
        /// already present): what would have been done, shown and not applied.
        case skip(Skipped)
        /// A Connect app call (`addon update`, `linker … add`, …).
        case connect(ConnectCall)
        /// `verify`: an artifact hashed while streaming and compared with the manifest.
        case verify(Verify)
        /// `checksums`: the manifest replaced with this run's entries merged in.
        case checksums(ChecksumsUpdate)
    }

    public struct Upload: Hashable, Sendable {
        public let repository: RepositoryName
        public let name: String
        public let localPath: String
        public let size: Int64?
        /// The local file's modification time when planned (`seconds.nanoseconds`), so a saved
        /// plan notices a file rewritten to the same size.
        public let localModified: String?
        /// The checksum manifest that records the file's SHA-256, hashed while it is sent
        /// (`checksums NAME` in effect); nil without one.
        public let manifest: String?

        public init(
            repository: RepositoryName, name: String, localPath: String, size: Int64?, localModified: String? = nil,
            manifest: String? = nil
        ) {
            self.repository = repository
            self.name = name
            self.localPath = localPath
            self.size = size
            self.localModified = localModified
            self.manifest = manifest
        }
    }

    public struct Download: Hashable, Sendable {
        public let repository: RepositoryName
        public let name: String
        public let localPath: String
        public let size: Int64?
        /// What to do when the local file exists at apply time (it may have appeared since
        /// planning). nil reads as `.fail`.
        public let localConflict: LocalConflict?
        /// The manifest in effect, and the artifact's SHA-256 there (nil: not listed, so the
        /// download is not checked and the report says so).
        public let manifest: String?
        public let sha256: String?

        public init(
            repository: RepositoryName, name: String, localPath: String, size: Int64?,
            localConflict: LocalConflict? = nil, manifest: String? = nil, sha256: String? = nil
        ) {
            self.repository = repository
            self.name = name
            self.localPath = localPath
            self.size = size
            self.localConflict = localConflict
            self.manifest = manifest
            self.sha256 = sha256
        }
    }

    /// `verify`: the artifact's bytes are hashed and compared with `sha256`, the manifest's
    /// entry (nil: the artifact is not listed there).
    public struct Verify: Hashable, Sendable {
        public let repository: RepositoryName
        public let name: String
        public let size: Int64?
        public let manifest: String
        public let sha256: String?
        /// An entry of the manifest that no artifact has: nothing to read, a failure to report.
        public let orphan: Bool

        public init(
            repository: RepositoryName, name: String, size: Int64?, manifest: String, sha256: String?,
            orphan: Bool = false
        ) {
            self.repository = repository
            self.name = name
            self.size = size
            self.manifest = manifest
            self.sha256 = sha256
            self.orphan = orphan
        }
    }

    /// The manifest's one replacement: entries set for the artifacts this run uploads (hashed
    /// while sending) and removed for those it deletes, merged into the manifest as it is when
    /// applied (another writer's entries are kept).
    public struct ChecksumsUpdate: Hashable, Sendable {
        public let repository: RepositoryName
        public let manifest: String
        /// Names whose entry the uploads of this plan set.
        public let entries: [String]
        /// Names whose entry the deletes of this plan remove.
        public let removals: [String]
        /// The SHA-256 of the manifest's text as planning read it; nil when there was none.
        public let base: String?
        /// Entries of artifacts that were gone when planned: dropped if still gone when applied.
        public let orphans: [String]
        /// `checksums NAME signed`: the manifest and `NAME.minisig` are replaced as a pair.
        public let signed: Bool

        public init(
            repository: RepositoryName, manifest: String, entries: [String], removals: [String], base: String?,
            orphans: [String] = [], signed: Bool = false
        ) {
            self.repository = repository
            self.manifest = manifest
            self.entries = entries
            self.removals = removals
            self.base = base
            self.orphans = orphans
            self.signed = signed
        }

        public var signatureName: String { manifest + ".minisig" }
    }

    public struct Delete: Hashable, Sendable {
        public let repository: RepositoryName
        public let name: String
        /// The artifact's size, as listed.
        public let size: Int64?

        public init(repository: RepositoryName, name: String, size: Int64?) {
            self.repository = repository
            self.name = name
            self.size = size
        }
    }

    /// A skipped step, by why it is skipped: what it would have done, shown and not applied.
    public enum Skipped: Hashable, Sendable {
        /// The artifact exists (`on conflict skip`): the upload that would have replaced it.
        case upload(Upload)
        /// `on conflict update`: the file is what the manifest says the artifact is (`sha256`).
        case unchanged(Upload, sha256: String)
        /// The local file exists (`on conflict skip`): the download that would have replaced it.
        case download(Download)
        /// A delete of what is not there.
        case delete(Delete)
        /// A Connect call that would change nothing, known by its request line.
        case connect(request: String)
    }

    /// What a download does with a local file already there.
    public enum LocalConflict: String, Hashable, Sendable, Codable {
        case fail, skip, replace
    }

    public init(_ action: Action, reason: String? = nil, source: SourcePosition) {
        self.action = action
        self.reason = reason
        self.source = source
    }

    // What every step has, read from the action. Anything else is read by switching over the
    // action (or, flat, through `Step.Fields`, the JSON adapter).

    public var kind: Kind {
        switch action {
        case .upload: .upload
        case .replace: .replace
        case .delete: .delete
        case .download: .download
        case .skip: .skip
        case .connect: .connect
        case .verify: .verify
        case .checksums: .checksums
        }
    }

    /// `workspace/slug`; nil for a Connect call.
    public var repository: RepositoryName? {
        switch action {
        case .upload(let u), .replace(let u), .skip(.upload(let u)), .skip(.unchanged(let u, _)): u.repository
        case .delete(let d), .skip(.delete(let d)): d.repository
        case .download(let d), .skip(.download(let d)): d.repository
        case .connect, .skip(.connect): nil
        case .verify(let v): v.repository
        case .checksums(let c): c.repository
        }
    }

    /// The artifact's name; for a Connect call, its request line (`PUT /2.0/addon`).
    public var name: String {
        switch action {
        case .upload(let u), .replace(let u), .skip(.upload(let u)), .skip(.unchanged(let u, _)): u.name
        case .delete(let d), .skip(.delete(let d)): d.name
        case .download(let d), .skip(.download(let d)): d.name
        case .skip(.connect(let request)): request
        case .connect(let call): call.request
        case .verify(let v): v.name
        case .checksums(let c): c.manifest
        }
    }

    /// The artifact the step acts on; nil for Connect calls.
    public var artifactKey: ArtifactKey? { repository.map { ArtifactKey($0, name) } }

    /// The bytes the step concerns: to send or receive, or the artifact's size for a delete.
    public var size: Int64? {
        switch action {
        case .upload(let u), .replace(let u), .skip(.upload(let u)), .skip(.unchanged(let u, _)): u.size
        case .delete(let d), .skip(.delete(let d)): d.size
        case .download(let d), .skip(.download(let d)): d.size
        case .verify(let v): v.size
        case .connect, .checksums, .skip(.connect): nil
        }
    }

    /// What an upload or a replace sends; nil for any other step.
    public var upload: Upload? {
        switch action {
        case .upload(let upload), .replace(let upload): upload
        case .delete, .download, .skip, .connect, .verify, .checksums: nil
        }
    }

    /// The local file the step reads or writes, or would have (a skip).
    public var localPath: String? {
        switch action {
        case .upload(let u), .replace(let u), .skip(.upload(let u)), .skip(.unchanged(let u, _)): u.localPath
        case .download(let d), .skip(.download(let d)): d.localPath
        case .delete, .connect, .verify, .checksums, .skip(.delete), .skip(.connect): nil
        }
    }
}

/// Saved plans keep the flat shape they always had, through `Step.Fields`.
extension Step: Codable {
    public func encode(to encoder: any Encoder) throws { try Fields(self).encode(to: encoder) }

    public init(from decoder: any Decoder) throws {
        self = try Fields(from: decoder).step(at: decoder.codingPath)
    }
}

/// A file, line and column, as a plan shows it.
public struct SourcePosition: Hashable, Sendable, Codable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line)" }
}
