import SafeText

/// The API requests of a run, by what they concern (a repository, a workspace's listing, the
/// Connect app): those planning made, and those applying the plan needs when all goes well.
/// Bitbucket allows about 1,000 API requests an hour per credential, and a workspace-wide
/// cleanup needs more: the plan says so, and how many runs it takes.
public struct RequestCount: Hashable, Sendable, Codable {
    public struct Entry: Hashable, Sendable, Codable {
        /// `acme/app`, `acme` (its repositories' listing) or `addon` (the Connect app).
        public let target: String
        public var planning: Int
        public var applying: Int

        public init(target: String, planning: Int, applying: Int) {
            self.target = target
            self.planning = planning
            self.applying = applying
        }
    }

    /// Sorted by target.
    public var entries: [Entry]
    /// `--max-requests N`, when given.
    public var maxRequests: Int?

    public init(planning: [String: Int], applying: [String: Int], maxRequests: Int? = nil) {
        entries = Set(planning.keys).union(applying.keys).sorted().map {
            Entry(target: $0, planning: planning[$0] ?? 0, applying: applying[$0] ?? 0)
        }
        self.maxRequests = maxRequests
    }

    public var planning: Int { entries.reduce(0) { $0 + $1.planning } }
    public var applying: Int { entries.reduce(0) { $0 + $1.applying } }

    /// About what Bitbucket allows one credential in an hour.
    public static let hourlyBudget = 1000

    /// The requests one run may make: `--max-requests`, else Bitbucket's hour.
    public var budget: Int { maxRequests ?? Self.hourlyBudget }

    /// How many runs of the script the apply takes when each run may make `budget` requests and
    /// plans again first (what is done is not planned again); nil when planning alone needs the
    /// whole budget, so no run would get anywhere.
    public var runs: Int? {
        let perRun = budget - planning
        guard perRun > 0 else { return nil }
        return max(1, (applying + perRun - 1) / perRun)
    }

    /// What the plan says of its requests: the totals, each repository's share when there are
    /// few, and the budget when the apply will not fit in one run.
    public var lines: [String] {
        var line = "Requests: \(Self.number(planning)) made to plan, \(Self.number(applying)) to apply"
        if entries.count > 1, entries.count <= 5 {
            line +=
                " ("
                + entries.map { "\($0.target.terminalSafe) \($0.planning) + \($0.applying)" }.joined(
                    separator: ", ") + ")"
        } else if entries.count > 5 {
            line += " (\(entries.count) repositories; per repository in --json)"
        }
        var lines = [line + "."]
        let source =
            maxRequests.map { "--max-requests allows \(Self.number($0)) a run" }
            ?? "Bitbucket allows about \(Self.number(Self.hourlyBudget)) an hour per credential"
        if let runs {
            if runs > 1 || planning + applying > budget {
                lines.append(
                    "This apply needs \(Self.number(applying)) requests; \(source): expect to run it \(runs) times (exit 75 until done)."
                )
            }
        } else {
            lines.append(
                "Planning alone needs \(Self.number(planning)) requests; \(source): no run would get to apply anything."
            )
        }
        return lines
    }

    /// `4,212`.
    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}
