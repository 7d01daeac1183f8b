import BitbucketModel
import Foundation

/// One repository's Downloads as the plan has left them so far: read once, then changed by
/// every planned step, so that `exists`, `artifacts(…)`, conflict policies and `prune` later in
/// the script see the state the plan has reached.
///
/// Names are keys by their bytes (`ExactName`): Bitbucket keeps `café` spelled with `é` and
/// with `e` and a combining accent as two artifacts, and so does the plan.
public struct RemoteState: Hashable, Sendable {
    private var artifacts: [ExactName: Artifact]
    /// Names deleted by the plan, kept apart from `artifacts` so that the listing as read (the
    /// plan keeps it too, for fingerprints) and the state after a cleanup share one dictionary:
    /// a workspace's cleanup deletes tens of thousands. Always names of `artifacts`.
    private var deleted: Set<ExactName> = []
    /// Names a statement of this run confirmed (uploaded or replaced, or left `= unchanged` or
    /// skipped by `on conflict update|skip`), with that statement's line: `prune` never deletes
    /// them, so a release script run again on the same build does not undo its own plan.
    public private(set) var confirmedInThisRun: [ExactName: Int] = [:]
    /// The checksum manifest kept here (`checksums NAME`), as the plan has left it.
    public var checksums: ManifestState?

    /// A repository's checksum manifest: its name, its entries as the plan has left them, and
    /// the names whose entry is pending (uploaded in this run: hashed only while sent).
    public struct ManifestState: Hashable, Sendable {
        public let name: String
        /// The SHA-256 of the manifest's text when read; nil when there was none.
        public let base: String?
        public var entries: ChecksumManifest
        public var pending: Set<ExactName> = []
        /// The size of the manifest's text when read (what it may grow by is checked against
        /// the most bbx reads back).
        public var textBytes = 0
        /// Entries of artifacts that were not listed when read: dropped by the run's manifest
        /// update if still not listed then.
        public var orphans: [String] = []
        /// `checksums NAME signed`: `NAME.minisig` is kept with it.
        public var signed = false
        /// The signature's text when read (nil: none listed).
        public var signature: String?

        public init(name: String, base: String?, read: ChecksumManifest) {
            self.name = name
            self.base = base
            entries = read
        }

        /// Whether `artifact` is the manifest itself: its name, or the stored form of it
        /// (`SHA_256SUMS` for `SHA 256SUMS` on a server that stores spaces as `_`).
        public func isManifest(_ artifact: String) -> Bool {
            [name, signatureName].contains {
                artifact.isExactly($0) || artifact.isExactly(RemoteState.storedAlias(of: $0))
            }
        }

        /// The signature kept beside a signed manifest (minisign's name for it).
        public var signatureName: String { name + ".minisig" }
    }

    public init(listing: [Artifact]) {
        artifacts = Dictionary(listing.map { (ExactName($0.name), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every artifact, by name (bytewise).
    public var all: [Artifact] { present.sorted { $0.name.precedesBytewise($1.name) } }

    public var count: Int { artifacts.count - deleted.count }

    public subscript(name: String) -> Artifact? {
        let key = ExactName(name)
        return deleted.contains(key) ? nil : artifacts[key]
    }

    /// Equal when the same artifacts are there, however the plan got to them.
    public static func == (a: RemoteState, b: RemoteState) -> Bool {
        a.visible == b.visible && a.confirmedInThisRun == b.confirmedInThisRun && a.checksums == b.checksums
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(visible)
        hasher.combine(confirmedInThisRun)
        hasher.combine(checksums)
    }

    private var visible: [ExactName: Artifact] {
        deleted.isEmpty ? artifacts : artifacts.filter { !deleted.contains($0.key) }
    }

    /// The artifacts not deleted by the plan, in no order.
    private var present: [Artifact] {
        deleted.isEmpty ? Array(artifacts.values) : artifacts.values.filter { !deleted.contains(ExactName($0.name)) }
    }

    /// The artifacts whose names match, by name.
    /// The same artifacts at the start of another run (the REPL's next entry): what earlier
    /// runs uploaded may be pruned now.
    public func startingRun() -> RemoteState {
        var next = self
        next.confirmedInThisRun = [:]
        return next
    }

    /// The checksum manifest never matches a pattern (`prune "*" keep 5` leaves it alone);
    /// only its exact name does.
    public func matching(_ glob: Glob) -> [Artifact] {
        return present.filter {
            glob.matches($0.name) && (checksums?.isManifest($0.name) != true || glob.isLiteral)
        }.sorted { $0.name.precedesBytewise($1.name) }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// The name Bitbucket has been seen storing for `name`: spaces become `_`.
    public static func storedAlias(of name: String) -> String { name.replacingOccurrences(of: " ", with: "_") }

    /// The artifact an upload named `name` would replace: one of that name, else one of its
    /// stored form (`my_file.zip` for `my file.zip`), which is the same artifact on a server that
    /// stores names that way.
    public func existingName(for name: String) -> String? {
        if contains(name) { return name }
        let alias = Self.storedAlias(of: name)
        return !alias.isExactly(name) && contains(alias) ? alias : nil
    }

    /// A planned upload or replacement: the artifact is new as of `now`. It replaces the artifact
    /// of its stored form when that is what exists, and neither form is pruned in this run.
    public mutating func upload(_ name: String, size: Int64, at now: Date, line: Int = 0) {
        let stored = existingName(for: name) ?? name
        deleted.remove(ExactName(stored))
        artifacts[ExactName(stored)] = Artifact(name: stored, size: size, created: now)
        confirm(name, line: line)
    }

    /// An artifact a statement at `line` confirmed as it is (left `= unchanged`, or skipped):
    /// kept from later prunes of the run, in either stored form.
    public mutating func confirm(_ name: String, line: Int) {
        for key in [ExactName(name), ExactName(Self.storedAlias(of: name))] where confirmedInThisRun[key] == nil {
            confirmedInThisRun[key] = line
        }
    }

    public mutating func delete(_ name: String) {
        let key = ExactName(name)
        if artifacts[key] != nil { deleted.insert(key) }
    }

    /// The names a `prune` over `glob` would delete now.
    /// Artifacts whose creation time is unknown are never pruned, and do not count among the
    /// kept either (that would delete more of the others): they are left out.
    public func pruned(_ glob: Glob, by rule: PruneRule, now: Date) -> [Artifact] {
        pruning(glob, by: rule, now: now).deleted
    }

    /// What a `prune` over `glob` deletes now, and what it would have deleted but for a
    /// statement of this run that confirmed it (kept, with that statement's line).
    public func pruning(_ glob: Glob, by rule: PruneRule, now: Date) -> (
        deleted: [Artifact], kept: [(artifact: Artifact, line: Int)]
    ) {
        let pattern = rule.usesVersions ? glob.pattern : nil
        let candidates = matching(glob).filter(\.isCreationKnown).map {
            (
                name: $0.name, created: $0.created,
                version: rule.usesVersions ? Version.read(from: $0.name, pattern: pattern) : nil
            )
        }
        let protected = Set(confirmedInThisRun.keys)
        let deleted = rule.deletions(among: candidates, now: now, protected: protected).compactMap { self[$0] }
        let unprotected = rule.deletions(among: candidates, now: now)
        let kept = unprotected.compactMap { name -> (artifact: Artifact, line: Int)? in
            guard let line = confirmedInThisRun[ExactName(name)], let artifact = self[name] else { return nil }
            return (artifact, line)
        }
        return (deleted, kept)
    }
}
