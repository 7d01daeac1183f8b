import BitbucketModel

/// What a script will change, in order: plain data, printable and testable without a network.
/// The evaluator produces it; the executor applies it; `--json` and saved plans encode it.
public struct Plan: Hashable, Sendable, Codable {
    public var steps: [Step]
    /// The remote artifacts the steps touch, as they were read while planning.
    public var fingerprints: [Fingerprint]
    /// What the reader should know about decisions the plan made (artifacts left alone).
    public var notes: [String]?

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

    public var totals: Totals {
        var totals = Totals()
        for step in steps {
            switch step.kind {
            case .upload:
                totals.uploads += 1
                totals.bytesToSend += step.size ?? 0
            case .replace:
                totals.replacements += 1
                totals.bytesToSend += step.size ?? 0
            case .delete: totals.deletions += 1
            case .download:
                totals.downloads += 1
                totals.bytesToReceive += step.size ?? 0
            case .skip: totals.skipped += 1
            case .connect: totals.connectCalls += 1
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
        public var bytesToSend: Int64 = 0
        public var bytesToReceive: Int64 = 0
        public init() {}
    }
}

/// One change, tied to the statement that asked for it.
public struct Step: Hashable, Sendable, Codable {
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

        // What the layers ask of a kind, answered here by exhaustive switches: a new kind does
        // not compile until each question has its answer (no `kind == .upload || …` elsewhere).

        /// Anything but `skip` changes something when applied.
        public var isChange: Bool {
            switch self {
            case .upload, .replace, .delete, .download, .connect: true
            case .skip: false
            }
        }

        /// Sends a local file to Bitbucket (and so must finish before a delete after it).
        public var sendsFile: Bool {
            switch self {
            case .upload, .replace: true
            case .skip, .delete, .download, .connect: false
            }
        }

        /// Writes a local file from Bitbucket.
        public var receivesFile: Bool {
            switch self {
            case .download: true
            case .upload, .replace, .skip, .delete, .connect: false
            }
        }

        /// Changes a repository's Downloads (confirmed by listing after applying).
        public var changesDownloads: Bool {
            switch self {
            case .upload, .replace, .delete: true
            case .skip, .download, .connect: false
            }
        }

        /// Waits for every step before it and holds back every step after it (Connect calls
        /// change the app, which any later step may depend on).
        public var isBarrier: Bool {
            switch self {
            case .connect: true
            case .upload, .replace, .skip, .delete, .download: false
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
            case .skip: nil
            }
        }
    }

    public let kind: Kind
    /// `workspace/slug`; nil for Connect calls.
    public let repository: RepositoryName?
    /// The artifact the step acts on; nil for Connect calls.
    public var artifactKey: ArtifactKey? { repository.map { ArtifactKey($0, name) } }
    /// The remote artifact's name (for Connect calls, what is called: `PUT /2.0/addon`).
    public let name: String
    /// The local file read (upload) or written (download).
    public let localPath: String?
    /// Bytes to send or receive; the artifact's size for a delete.
    public let size: Int64?
    /// Why, when the statement does not say it by itself: `prune keep 5`, `exists, skipped`.
    public let reason: String?
    /// Where the statement is: `release.bbx:4:1`.
    public let source: SourcePosition
    /// For `.connect`: the call to make.
    public let connect: ConnectCall?
    /// For a download: what to do when the local file exists at apply time (it may have
    /// appeared since planning). nil reads as `.fail`.
    public let localConflict: LocalConflict?
    /// For an upload: the local file's modification time when planned (`seconds.nanoseconds`),
    /// so a saved plan notices a file rewritten to the same size.
    public let localModified: String?

    /// What a download does with a local file already there.
    public enum LocalConflict: String, Hashable, Sendable, Codable {
        case fail, skip, replace
    }

    public init(
        kind: Kind, repository: RepositoryName?, name: String, localPath: String? = nil, size: Int64? = nil,
        reason: String? = nil, source: SourcePosition, connect: ConnectCall? = nil,
        localConflict: LocalConflict? = nil, localModified: String? = nil
    ) {
        self.connect = connect
        self.localConflict = localConflict
        self.localModified = localModified
        self.kind = kind
        self.repository = repository
        self.name = name
        self.localPath = localPath
        self.size = size
        self.reason = reason
        self.source = source
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
