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

    /// A skipped step: the artifact it was about (with the file it would have read or
    /// written), or the Connect call it would have made, known by its request line.
    public struct Skipped: Hashable, Sendable {
        public enum Subject: Hashable, Sendable {
            case artifact(RepositoryName, name: String)
            case connectCall(request: String)
        }

        public let subject: Subject
        public let localPath: String?
        public let size: Int64?
        public let localConflict: LocalConflict?
        public let localModified: String?
        /// `on conflict update`: the SHA-256 the local file and the manifest agree on.
        public let sha256: String?

        public init(
            _ subject: Subject, localPath: String? = nil, size: Int64? = nil, localConflict: LocalConflict? = nil,
            localModified: String? = nil, sha256: String? = nil
        ) {
            self.subject = subject
            self.localPath = localPath
            self.size = size
            self.localConflict = localConflict
            self.localModified = localModified
            self.sha256 = sha256
        }
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

    // The fields a plan shows and `--json` writes, read from the action.

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
        case .upload(let u), .replace(let u): u.repository
        case .delete(let d): d.repository
        case .download(let d): d.repository
        case .skip(let s):
            switch s.subject {
            case .artifact(let repository, _): repository
            case .connectCall: nil
            }
        case .connect: nil
        case .verify(let v): v.repository
        case .checksums(let c): c.repository
        }
    }

    /// The artifact's name; for a Connect call, its request line (`PUT /2.0/addon`).
    public var name: String {
        switch action {
        case .upload(let u), .replace(let u): u.name
        case .delete(let d): d.name
        case .download(let d): d.name
        case .skip(let s):
            switch s.subject {
            case .artifact(_, let name): name
            case .connectCall(let request): request
            }
        case .connect(let call): call.request
        case .verify(let v): v.name
        case .checksums(let c): c.manifest
        }
    }

    /// The artifact the step acts on; nil for Connect calls.
    public var artifactKey: ArtifactKey? { repository.map { ArtifactKey($0, name) } }

    /// The local file read (upload) or written (download).
    public var localPath: String? {
        switch action {
        case .upload(let u), .replace(let u): u.localPath
        case .download(let d): d.localPath
        case .skip(let s): s.localPath
        case .delete, .connect, .verify, .checksums: nil
        }
    }

    /// Bytes to send or receive; the artifact's size for a delete.
    public var size: Int64? {
        switch action {
        case .upload(let u), .replace(let u): u.size
        case .delete(let d): d.size
        case .download(let d): d.size
        case .skip(let s): s.size
        case .verify(let v): v.size
        case .connect, .checksums: nil
        }
    }

    /// For `.connect`: the call to make.
    public var connect: ConnectCall? {
        if case .connect(let call) = action { return call }
        return nil
    }

    public var localConflict: LocalConflict? {
        switch action {
        case .download(let d): d.localConflict
        case .skip(let s): s.localConflict
        case .upload, .replace, .delete, .connect, .verify, .checksums: nil
        }
    }

    public var localModified: String? {
        switch action {
        case .upload(let u), .replace(let u): u.localModified
        case .skip(let s): s.localModified
        case .download, .delete, .connect, .verify, .checksums: nil
        }
    }

    /// The checksum manifest the step records into, checks against, or replaces.
    public var manifest: String? {
        switch action {
        case .upload(let u), .replace(let u): u.manifest
        case .download(let d): d.manifest
        case .verify(let v): v.manifest
        case .checksums(let c): c.manifest
        case .skip, .delete, .connect: nil
        }
    }

    /// The SHA-256 the step expects (a download or verify: the manifest's entry; a skip under
    /// `on conflict update`: the one file and manifest agree on).
    public var sha256: String? {
        switch action {
        case .download(let d): d.sha256
        case .verify(let v): v.sha256
        case .skip(let s): s.sha256
        case .upload, .replace, .delete, .connect, .checksums: nil
        }
    }
}

/// Saved plans and `--json` keep the flat shape they always had (`kind`, `repository`, `name`,
/// `localPath`, …); reading one builds the action its kind needs and refuses one that lacks it.
extension Step: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, repository, name, localPath, size, reason, source, connect, localConflict, localModified
        case manifest, sha256, entries, removals, base, orphans, orphan, signed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(repository, forKey: .repository)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(localPath, forKey: .localPath)
        try container.encodeIfPresent(size, forKey: .size)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(source, forKey: .source)
        try container.encodeIfPresent(connect, forKey: .connect)
        try container.encodeIfPresent(localConflict, forKey: .localConflict)
        try container.encodeIfPresent(localModified, forKey: .localModified)
        try container.encodeIfPresent(manifest, forKey: .manifest)
        try container.encodeIfPresent(sha256, forKey: .sha256)
        if case .checksums(let update) = action {
            try container.encode(update.entries, forKey: .entries)
            try container.encode(update.removals, forKey: .removals)
            try container.encodeIfPresent(update.base, forKey: .base)
            if !update.orphans.isEmpty { try container.encode(update.orphans, forKey: .orphans) }
            if update.signed { try container.encode(true, forKey: .signed) }
        }
        if case .verify(let verify) = action, verify.orphan { try container.encode(true, forKey: .orphan) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(Kind.self, forKey: .kind)
        let name = try c.decode(String.self, forKey: .name)
        // An empty path is left for the plan's checks to name ("localPath is missing").
        let localPath = try c.decodeIfPresent(String.self, forKey: .localPath)
        let size = try c.decodeIfPresent(Int64.self, forKey: .size)
        let localConflict = try c.decodeIfPresent(LocalConflict.self, forKey: .localConflict)
        let localModified = try c.decodeIfPresent(String.self, forKey: .localModified)
        let manifest = try c.decodeIfPresent(String.self, forKey: .manifest)
        let sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        if let sha256, !sha256.isSHA256Hex {
            throw DecodingError.dataCorruptedError(
                forKey: .sha256, in: c, debugDescription: "sha256 is not 64 hexadecimal digits")
        }
        func repository() throws -> RepositoryName { try c.decode(RepositoryName.self, forKey: .repository) }
        let action: Action
        switch kind {
        case .upload, .replace:
            let upload = Upload(
                repository: try repository(), name: name, localPath: localPath ?? "", size: size,
                localModified: localModified, manifest: manifest)
            action = kind == .upload ? .upload(upload) : .replace(upload)
        case .delete:
            action = .delete(Delete(repository: try repository(), name: name, size: size))
        case .download:
            action = .download(
                Download(
                    repository: try repository(), name: name, localPath: localPath ?? "", size: size,
                    localConflict: localConflict, manifest: manifest, sha256: sha256))
        case .skip:
            let named = try c.decodeIfPresent(RepositoryName.self, forKey: .repository)
            let subject: Skipped.Subject = named.map { .artifact($0, name: name) } ?? .connectCall(request: name)
            action = .skip(
                Skipped(
                    subject, localPath: localPath, size: size, localConflict: localConflict,
                    localModified: localModified, sha256: sha256))
        case .connect:
            action = .connect(try c.decode(ConnectCall.self, forKey: .connect))
        case .verify:
            action = .verify(
                Verify(
                    repository: try repository(), name: name, size: size,
                    manifest: try c.decode(String.self, forKey: .manifest), sha256: sha256,
                    orphan: try c.decodeIfPresent(Bool.self, forKey: .orphan) ?? false))
        case .checksums:
            let base = try c.decodeIfPresent(String.self, forKey: .base)
            if let base, !base.isSHA256Hex {
                throw DecodingError.dataCorruptedError(
                    forKey: .base, in: c, debugDescription: "base is not 64 hexadecimal digits")
            }
            action = .checksums(
                ChecksumsUpdate(
                    repository: try repository(), manifest: name,
                    entries: try c.decode([String].self, forKey: .entries),
                    removals: try c.decode([String].self, forKey: .removals), base: base,
                    orphans: try c.decodeIfPresent([String].self, forKey: .orphans) ?? [],
                    signed: try c.decodeIfPresent(Bool.self, forKey: .signed) ?? false))
        }
        self.init(
            action, reason: try c.decodeIfPresent(String.self, forKey: .reason),
            source: try c.decode(SourcePosition.self, forKey: .source))
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
