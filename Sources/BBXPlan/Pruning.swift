import BBXSyntax
import BitbucketModel
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
        if let olderThan { parts.append("older than \(formatDuration(seconds: olderThan))") }
        if keep == nil { parts[0] = "prune " + parts[0] }
        return parts.joined(separator: ", ")
    }

    /// The names to delete among `candidates` (already filtered by the prune's pattern).
    ///
    /// Newest first by creation time; among equal times the name that sorts later counts as
    /// newer (`app-2.zip` over `app-1.zip` uploaded in the same second). Names in `protected`
    /// (uploaded earlier in the same run) are never deleted, but count among the kept.
    public func deletions(
        among candidates: [(name: String, created: Date)], now: Date, protected: Set<ExactName> = []
    ) -> [String] {
        // Ties (the same creation time) go by name in natural order: `app-10` is newer than
        // `app-9`, as release names mean.
        let newestFirst = candidates.sorted { a, b in
            a.created != b.created ? a.created > b.created : naturallyBefore(b.name, a.name)
        }
        var doomed: [String] = []
        for (index, artifact) in newestFirst.enumerated() {
            if protected.contains(name: artifact.name) { continue }
            if let keep, index < keep { continue }
            if let olderThan, now.timeIntervalSince(artifact.created) <= Double(olderThan) { continue }
            doomed.append(artifact.name)
        }
        // Oldest first: the order the plan lists and applies them in.
        return doomed.reversed()
    }
}

/// Natural order: runs of digits compare by value (`app-9` < `app-10`), the rest by character;
/// equal values with different spellings (`07`, `7`) fall back to plain order.
public func naturallyBefore(_ a: String, _ b: String) -> Bool {
    var left = Array(a)[...]
    var right = Array(b)[...]
    while let x = left.first, let y = right.first {
        if x.isASCII, x.isNumber, y.isASCII, y.isNumber {
            let leftDigits = left.prefix { $0.isASCII && $0.isNumber }
            let rightDigits = right.prefix { $0.isASCII && $0.isNumber }
            let l = String(leftDigits.drop { $0 == "0" })
            let r = String(rightDigits.drop { $0 == "0" })
            if l.count != r.count { return l.count < r.count }
            if l != r { return l < r }
            left = left.dropFirst(leftDigits.count)
            right = right.dropFirst(rightDigits.count)
        } else {
            if x != y { return x < y }
            left = left.dropFirst()
            right = right.dropFirst()
        }
    }
    if left.isEmpty != right.isEmpty { return left.isEmpty }
    // Characters compare canonically (`é` and `e` + accent are equal): names that differ only
    // so are two artifacts, ordered by their bytes.
    return a.precedesBytewise(b)
}
