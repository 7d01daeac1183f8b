import Foundation

/// What `prune` keeps: the newest `keep` artifacts, and those not older than `olderThan`.
/// With both, only artifacts outside the newest `keep` **and** older than `olderThan` go.
public struct PruneRule: Hashable, Sendable {
    public let keep: Int?
    /// Seconds.
    public let olderThan: Int?

    public init(keep: Int? = nil, olderThan: Int? = nil) {
        precondition(keep != nil || olderThan != nil, "prune needs keep or older than")
        self.keep = keep
        self.olderThan = olderThan
    }

    /// The reason a deletion is listed with in the plan: `prune keep 5`, `older than 30d`,
    /// `prune keep 5, older than 30d`.
    public var reason: String {
        var parts: [String] = []
        if let keep { parts.append("prune keep \(keep)") }
        if let olderThan { parts.append("older than \(Self.format(seconds: olderThan))") }
        if keep == nil { parts[0] = "prune " + parts[0] }
        return parts.joined(separator: ", ")
    }

    /// The names to delete among `candidates` (already filtered by the prune's pattern).
    ///
    /// Newest first by creation time; among equal times the name that sorts later counts as
    /// newer (`app-2.zip` over `app-1.zip` uploaded in the same second). Names in `protected`
    /// (uploaded earlier in the same run) are never deleted, but count among the kept.
    public func deletions(
        among candidates: [(name: String, created: Date)], now: Date, protected: Set<String> = []
    ) -> [String] {
        let newestFirst = candidates.sorted { a, b in
            a.created != b.created ? a.created > b.created : a.name > b.name
        }
        var doomed: [String] = []
        for (index, artifact) in newestFirst.enumerated() {
            if protected.contains(artifact.name) { continue }
            if let keep, index < keep { continue }
            if let olderThan, now.timeIntervalSince(artifact.created) <= Double(olderThan) { continue }
            doomed.append(artifact.name)
        }
        // Oldest first: the order the plan lists and applies them in.
        return doomed.reversed()
    }

    /// `30d`, `2w`, `12h`, `90s`: the largest unit that divides exactly, as scripts write it.
    static func format(seconds: Int) -> String {
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)]
        where seconds % size == 0 && seconds > 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
