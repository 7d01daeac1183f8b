import BitbucketModel
import Foundation

/// One repository's Downloads as the plan has left them so far: read once, then changed by
/// every planned step, so that `exists`, `artifacts(…)`, conflict policies and `prune` later in
/// the script see the state the plan has reached.
public struct RemoteState: Hashable, Sendable {
    public private(set) var artifacts: [String: Artifact]
    /// Names uploaded (or replaced) earlier in this run: `prune` never deletes them.
    public private(set) var uploadedInThisRun: Set<String> = []

    public init(listing: [Artifact]) {
        artifacts = Dictionary(listing.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The artifacts whose names match, by name.
    /// The same artifacts at the start of another run (the REPL's next entry): what earlier
    /// runs uploaded may be pruned now.
    public func startingRun() -> RemoteState {
        var next = self
        next.uploadedInThisRun = []
        return next
    }

    public func matching(_ glob: Glob) -> [Artifact] {
        artifacts.values.filter { glob.matches($0.name) }.sorted { $0.name < $1.name }
    }

    public func contains(_ name: String) -> Bool { artifacts[name] != nil }

    /// The name Bitbucket has been seen storing for `name`: spaces become `_`.
    public static func storedAlias(of name: String) -> String { name.replacingOccurrences(of: " ", with: "_") }

    /// The artifact an upload named `name` would replace: one of that name, else one of its
    /// stored form (`my_file.zip` for `my file.zip`), which is the same artifact on a server that
    /// stores names that way.
    public func existingName(for name: String) -> String? {
        if artifacts[name] != nil { return name }
        let alias = Self.storedAlias(of: name)
        return alias != name && artifacts[alias] != nil ? alias : nil
    }

    /// A planned upload or replacement: the artifact is new as of `now`. It replaces the artifact
    /// of its stored form when that is what exists, and neither form is pruned in this run.
    public mutating func upload(_ name: String, size: Int64, at now: Date) {
        let stored = existingName(for: name) ?? name
        artifacts[stored] = Artifact(name: stored, size: size, created: now)
        uploadedInThisRun.insert(name)
        uploadedInThisRun.insert(Self.storedAlias(of: name))
    }

    public mutating func delete(_ name: String) {
        artifacts[name] = nil
    }

    /// The names a `prune` over `glob` would delete now.
    /// Artifacts whose creation time is unknown are never pruned, and do not count among the
    /// kept either (that would delete more of the others): they are left out.
    public func pruned(_ glob: Glob, by rule: PruneRule, now: Date) -> [Artifact] {
        let candidates = matching(glob).filter(\.isCreationKnown)
        let names = rule.deletions(
            among: candidates.map { (name: $0.name, created: $0.created) }, now: now, protected: uploadedInThisRun)
        return names.compactMap { artifacts[$0] }
    }
}
