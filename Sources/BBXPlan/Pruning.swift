import BBXSyntax
import BitbucketModel
import Foundation

/// What `prune` keeps: for each `keep` clause, the newest `count` artifacts by creation time
/// (`keep 5`), the `count` highest versions (`keep 5 by version`), or the `count` highest of
/// each major or minor series (`keep 1 per minor`); an artifact kept by any clause is kept
/// (restic's rule). With `olderThan`, only artifacts kept by no clause **and** older than that go.
public struct PruneRule: Hashable, Sendable {
    /// How a `keep` clause ranks the artifacts.
    public enum Order: String, Hashable, Sendable, CaseIterable {
        case newest = ""
        case version = "by version"
        case major = "per major"
        case minor = "per minor"
    }

    public struct Keep: Hashable, Sendable {
        public let count: Int
        public let order: Order
        public init(_ count: Int, _ order: Order = .newest) {
            self.count = count
            self.order = order
        }
    }

    public let keeps: [Keep]
    /// Seconds.
    public let olderThan: Int?

    public init(keeps: [Keep], olderThan: Int? = nil) {
        precondition(!keeps.isEmpty || olderThan != nil, "prune needs keep or older than")
        self.keeps = keeps
        self.olderThan = olderThan
    }

    public init(keep: Int? = nil, olderThan: Int? = nil) {
        self.init(keeps: keep.map { [Keep($0)] } ?? [], olderThan: olderThan)
    }

    /// The first plain `keep N`, if any.
    public var keep: Int? { keeps.first { $0.order == .newest }?.count }

    /// Whether a clause ranks by version (an artifact without one is then never deleted).
    public var usesVersions: Bool { keeps.contains { $0.order != .newest } }

    /// The reason a deletion is listed with in the plan: `prune keep 5`, `older than 30d`,
    /// `prune keep 5 by version, keep 1 per minor, older than 30d`.
    public var reason: String {
        var parts = keeps.map { "keep \($0.count)" + ($0.order == .newest ? "" : " \($0.order.rawValue)") }
        if let olderThan { parts.append("older than \(formatDuration(seconds: olderThan))") }
        parts[0] = "prune " + parts[0]
        return parts.joined(separator: ", ")
    }

    /// The names to delete among `candidates` (already filtered by the prune's pattern).
    ///
    /// Newest first by creation time; among equal times the name that sorts later counts as
    /// newer (`app-2.zip` over `app-1.zip` uploaded in the same second). Names in `protected`
    /// (confirmed earlier in the same run) are never deleted, but count among the kept.
    public func deletions(
        among candidates: [(name: String, created: Date)], now: Date, protected: Set<ExactName> = []
    ) -> [String] {
        deletions(among: candidates.map { ($0.name, $0.created, nil) }, now: now, protected: protected)
    }

    /// The same, with each candidate's version (nil: none). Equal versions rank by creation time.
    public func deletions(
        among candidates: [(name: String, created: Date, version: Version?)], now: Date,
        protected: Set<ExactName> = []
    ) -> [String] {
        // Ties (the same creation time) go by name in natural order: `app-10` is newer than
        // `app-9`, as release names mean.
        let newestFirst = candidates.sorted { a, b in
            a.created != b.created ? a.created > b.created : naturallyBefore(b.name, a.name)
        }
        // Highest version first; equal versions, the newest first (the order above is stable).
        let byVersion = newestFirst.filter { $0.version != nil }.sorted { a, b in
            Version.compare(a.version!, b.version!) > 0
        }
        var kept = Set<ExactName>()
        for keep in keeps {
            switch keep.order {
            case .newest:
                kept.formUnion(newestFirst.prefix(keep.count).map { ExactName($0.name) })
            case .version:
                kept.formUnion(byVersion.prefix(keep.count).map { ExactName($0.name) })
            case .major, .minor:
                var taken: [[Int]: Int] = [:]
                for candidate in byVersion {
                    let version = candidate.version!
                    let series = keep.order == .major ? [version.major] : [version.major, version.minor]
                    if taken[series, default: 0] < keep.count {
                        taken[series, default: 0] += 1
                        kept.insert(ExactName(candidate.name))
                    }
                }
            }
        }
        var doomed: [String] = []
        for artifact in newestFirst {
            if protected.contains(name: artifact.name) || kept.contains(ExactName(artifact.name)) { continue }
            // Version rules never delete what has no version.
            if usesVersions, artifact.version == nil { continue }
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
