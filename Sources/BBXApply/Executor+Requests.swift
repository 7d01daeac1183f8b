import BBXPlan
import BitbucketModel

/// What applying costs in API requests, Bitbucket's scarce resource (about 1,000 an hour per
/// credential): the plan states it, and `--max-requests` stops a run between steps by it.
extension Executor {
    /// The listing pages of a repository once applied (100 artifacts a page).
    static func pages(_ repository: RepositoryName, in plan: Plan) -> Int {
        max(1, ((plan.predictedCounts[repository] ?? 0) + 99) / 100)
    }

    /// The API requests one unit makes when all goes well (a download's storage request is
    /// not Bitbucket's API, so not counted).
    static func requests(of unit: [Int], in plan: Plan) -> Int {
        let step = plan.steps[unit[0]]
        switch step.action {
        case .upload, .replace, .delete, .download, .connect: return 1
        case .verify(let verify): return verify.orphan ? 0 : 1
        case .skip, .checksums: return 0
        }
    }

    /// Which deletes list their repository first (`DeleteGuard`: an artifact the plan saw, not
    /// uploaded by the plan itself). Asked once per repository (its first delete), so the
    /// fingerprints are searched then rather than indexed: a cleanup has tens of thousands.
    struct GuardedDeletes {
        let plan: Plan
        let uploaded: Set<ArtifactKey>

        init(_ plan: Plan) {
            self.plan = plan
            uploaded = Set(plan.steps.filter(\.kind.sendsFile).compactMap(\.artifactKey))
        }

        func listsFirst(_ step: Step) -> Bool {
            guard step.kind == .delete, let key = step.artifactKey, !uploaded.contains(key) else { return false }
            return plan.fingerprints.contains { $0.exists && ArtifactKey($0.repository, $0.name) == key }
        }
    }

    /// What runs after every step, by repository: each manifest's update (a listing, the
    /// upload of the manifest and its signature, the read-back) and the listing that confirms
    /// the changes (shared with the manifest's where there is one).
    static func finalRequests(of plan: Plan) -> [RepositoryName: Int] {
        var result: [RepositoryName: Int] = [:]
        for step in plan.steps {
            guard let repository = step.repository else { continue }
            if case .checksums(let change) = step.action {
                result[repository] = pages(repository, in: plan) + 2 + (change.signed ? 1 : 0)
            } else if step.kind.changesDownloads, result[repository] == nil {
                result[repository] = pages(repository, in: plan)
            }
        }
        return result
    }

    /// The API requests applying `plan` needs when all goes well, by target (`acme/app`, or
    /// `addon` for Connect calls), with this executor's grouping of uploads.
    public func requestsToApply(_ plan: Plan) -> [String: Int] {
        var result: [String: Int] = [:]
        let deferred = Set(plan.steps.indices.filter { plan.steps[$0].kind == .checksums })
        var guarded = Set<RepositoryName>()
        let deletes = GuardedDeletes(plan)
        Self.forEachUnit(of: plan.steps, jobs: jobs, filesPerRequest: filesPerRequest, skipping: deferred) { unit in
            let step = plan.steps[unit[0]]
            let target = step.repository?.description ?? "addon"
            result[target, default: 0] += Self.requests(of: unit, in: plan)
            if let repository = step.repository, !guarded.contains(repository), deletes.listsFirst(step) {
                guarded.insert(repository)
                result[target, default: 0] += Self.pages(repository, in: plan)
            }
        }
        for (repository, count) in Self.finalRequests(of: plan) { result[repository.description, default: 0] += count }
        return result.filter { $0.value > 0 }
    }
}

/// `--max-requests` while applying: a unit starts only if the requests it needs, with those of
/// the units already started and the room kept for the end (manifests, confirming listings),
/// stay within the cap. Counted both ways, as estimated and as made (retries count too).
struct RequestBudget {
    let executor: Executor
    let plan: Plan
    let limit: Int?
    /// API requests made before applying (planning's).
    let before: Int
    /// What runs at the end, by repository: kept free for the repositories the run has
    /// touched (and every manifest, which is updated whatever ran).
    let final: [RepositoryName: Int]
    var reserved: Set<RepositoryName>
    let deletes: Executor.GuardedDeletes
    var committed = 0
    var guarded = Set<RepositoryName>()

    init(executor: Executor, plan: Plan) {
        self.executor = executor
        self.plan = plan
        limit = executor.maxRequests
        before = executor.service.apiRequestCount ?? 0
        final = Executor.finalRequests(of: plan)
        deletes = Executor.GuardedDeletes(plan)
        reserved = Set(plan.steps.filter { $0.kind == .checksums }.compactMap(\.repository))
    }

    /// The room kept for the end once `repository` is touched too.
    func reserve(with repository: RepositoryName?) -> Int {
        reserved.union(repository.map { [$0] } ?? []).reduce(0) { $0 + (final[$1] ?? 0) }
    }

    /// The cap, when `unit` may not start; else nil, and the unit is counted as started.
    mutating func refuses(_ unit: [Int]) -> Int? {
        guard let limit else { return nil }
        let step = plan.steps[unit[0]]
        var cost = Executor.requests(of: unit, in: plan)
        let listsFirst =
            step.repository.map { !guarded.contains($0) && deletes.listsFirst(step) } ?? false
        if listsFirst, let repository = step.repository { cost += Executor.pages(repository, in: plan) }
        let used = max(before + committed, executor.service.apiRequestCount ?? 0)
        guard cost == 0 || used + cost + reserve(with: step.repository) <= limit else { return limit }
        committed += cost
        if let repository = step.repository { reserved.insert(repository) }
        if listsFirst, let repository = step.repository { guarded.insert(repository) }
        return nil
    }
}
