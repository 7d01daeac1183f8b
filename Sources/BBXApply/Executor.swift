import BBXPlan
import BitbucketModel
import Foundation
import SafeText
import Synchronization

/// Hears about a run as it happens (live progress); called from concurrent tasks.
public protocol ApplyObserver: Sendable {
    func started(_ index: Int, _ step: Step)
    func progress(_ index: Int, _ step: Step, bytes: Int64)
    func finished(_ index: Int, _ step: Step, _ outcome: Report.Outcome)
    /// The run is over: a live display clears what it drew.
    func finish()
}

extension ApplyObserver {
    public func finish() {}
}

/// Applies a plan: steps start in plan order; transfers overlap up to `jobs`; a step waits for
/// the earlier steps it depends on (the same artifact; for a delete, every earlier upload; for a
/// Connect call, everything before it). After the first failure, or when the task is cancelled
/// (Ctrl-C), nothing new starts; what is running finishes or is cancelled, and the report says
/// what happened to every step.
public struct Executor: Sendable {
    public let service: any ApplyService
    public let jobs: Int
    /// The most files one upload request carries (`--files-per-request`, at most `groupFiles`).
    public let filesPerRequest: Int
    /// Signs manifests kept `signed`; nil when no signing key was given.
    public let signing: ManifestSigning?
    /// `--max-requests N`: no step starts that would take the run's API requests past it (with
    /// room kept for the manifests and the confirming listings at the end).
    public let maxRequests: Int?

    public init(
        service: any ApplyService, jobs: Int = 4, filesPerRequest: Int = Executor.groupFiles,
        signing: ManifestSigning? = nil, maxRequests: Int? = nil
    ) {
        self.service = service
        self.jobs = max(1, jobs)
        self.filesPerRequest = min(max(1, filesPerRequest), Self.groupFiles)
        self.signing = signing
        self.maxRequests = maxRequests
    }

    public func apply(_ plan: Plan, observer: (any ApplyObserver)? = nil) async -> Report {
        var report = Report(plan: plan)
        let dependencies = Self.dependencies(of: plan.steps)
        let previous = Dictionary(
            plan.fingerprints.compactMap { fingerprint -> (ArtifactKey, Artifact)? in
                guard let size = fingerprint.size, let created = fingerprint.created else { return nil }
                return (
                    ArtifactKey(fingerprint.repository, fingerprint.name),
                    Artifact(
                        name: fingerprint.name, size: size, created: Date(timeIntervalSince1970: 0), createdOn: created)
                )
            }, uniquingKeysWith: { first, _ in first })
        // Manifests are replaced after everything else, whatever happened (see `updateManifests`).
        let deferred = Set(plan.steps.indices.filter { plan.steps[$0].kind == .checksums })
        var finished = Set(plan.steps.indices.filter { !plan.steps[$0].kind.isApplied }).union(deferred)
        var stopped = false
        let guardian = DeleteGuard(service: service, plan: plan)
        let hashes = Hashes()
        let units = Self.units(of: plan.steps, jobs: jobs, filesPerRequest: filesPerRequest, skipping: deferred)
        var budget = RequestBudget(executor: self, plan: plan)

        await withTaskGroup(of: [(Int, StepResult)].self) { group in
            var running = 0
            func record(_ results: [(Int, StepResult)]) {
                running -= 1
                for (index, result) in results {
                    report.entries[index].outcome = result.outcome
                    report.entries[index].cause = result.cause
                    report.entries[index].note = result.note
                    report.entries[index].sha256 = result.sha256
                    finished.insert(index)
                    if let why = result.outOfRequests {
                        report.outOfRequests = report.outOfRequests ?? why
                        stopped = true
                    }
                    if result.stopsRun, result.outcome != .done, result.outcome != .skipped,
                        result.outcome != .notStarted
                    {
                        stopped = true
                    }
                }
            }
            for unit in units {
                let needs = unit.reduce(into: Set<Int>()) { $0.formUnion(dependencies[$1]) }.subtracting(unit)
                while !stopped, running >= jobs || !needs.isSubset(of: finished) {
                    guard let result = await group.next() else { break }
                    record(result)
                }
                if stopped || Task.isCancelled { break }
                if let limit = budget.refuses(unit) {
                    report.outOfRequests = .maxRequests(limit)
                    break
                }
                running += 1
                // Steps start in plan order: the next unit is added only once this one has begun
                // (child tasks of a group otherwise begin in whatever order the threads take them).
                await withCheckedContinuation { (began: CheckedContinuation<Void, Never>) in
                    group.addTask {
                        for index in unit { observer?.started(index, plan.steps[index]) }
                        began.resume()
                        let results: [(Int, StepResult)]
                        if unit.count == 1, !plan.steps[unit[0]].kind.sendsFile {
                            let index = unit[0]
                            let step = plan.steps[index]
                            let result = await run(step, previous: nil, guardian: guardian, hashes: hashes) { bytes in
                                observer?.progress(index, step, bytes: bytes)
                            }
                            results = [(index, result)]
                        } else {
                            results = await upload(
                                unit, of: plan, previous: previous, hashes: hashes, observer: observer)
                        }
                        for (index, result) in results { observer?.finished(index, plan.steps[index], result.outcome) }
                        return results
                    }
                }
            }
            while let result = await group.next() { record(result) }
        }
        report.wasInterrupted = Task.isCancelled
        // Past Bitbucket's limit, the manifests and the confirming listings would only meet 429s
        // too: the next run plans what is left, manifests included.
        if !report.wasInterrupted, report.outOfRequests != .rateLimited {
            let listed = await updateManifests(
                &report, plan: plan, steps: deferred.sorted(), hashes: hashes, observer: observer)
            report.differences = await confirm(report, plan: plan, listed: listed)
            Self.failVerifiesOfNothing(&report)
        }
        report.requests = service.requestCount
        report.apiRequests = service.apiRequestsByTarget
        return report
    }

    /// The SHA-256 of each file uploaded in this run, as it was sent (for the manifests).
    final class Hashes: Sendable {
        let byArtifact = Mutex<[ArtifactKey: String]>([:])
        subscript(key: ArtifactKey) -> String? { byArtifact.withLock { $0[key] } }
        func record(_ key: ArtifactKey, _ hash: String) { byArtifact.withLock { $0[key] = hash } }
    }

    /// The most files, and bytes, one upload request carries. Measured (benchmarks/README.md):
    /// beyond a few dozen files a request saves nothing more, and a smaller body loses less when
    /// it fails.
    public static let groupFiles = 32
    public static let groupBytes: Int64 = 64 * 1024 * 1024

    /// The plan's applied steps in the units they run in, in plan order: each step alone,
    /// except consecutive uploads to one repository (skipped steps between them do not count),
    /// which go in groups of up to `groupFiles` files and `groupBytes` bytes, in as many groups as
    /// `jobs` can run at once when there are files enough (so grouping never costs parallelism).
    public static func units(
        of steps: [Step], jobs: Int, filesPerRequest: Int = groupFiles, skipping deferred: Set<Int>
    ) -> [[Int]] {
        var units: [[Int]] = []
        forEachUnit(of: steps, jobs: jobs, filesPerRequest: filesPerRequest, skipping: deferred) { units.append($0) }
        return units
    }

    /// The same units, each handed to `body` as it is formed (none kept).
    static func forEachUnit(
        of steps: [Step], jobs: Int, filesPerRequest: Int = groupFiles, skipping deferred: Set<Int>,
        _ body: ([Int]) -> Void
    ) {
        var run: [Int] = []
        func flush() {
            guard !run.isEmpty else { return }
            let bytes = run.map { steps[$0].size ?? 0 }.clampedSum()
            let byBytes = Int(bytes / groupBytes + (bytes % groupBytes == 0 ? 0 : 1))
            let groups = max((run.count + filesPerRequest - 1) / filesPerRequest, byBytes, min(jobs, run.count), 1)
            let perGroup = (run.count + groups - 1) / groups
            var current: [Int] = []
            var currentBytes: Int64 = 0
            for index in run {
                let size = steps[index].size ?? 0
                if !current.isEmpty, current.count >= perGroup || size > groupBytes - currentBytes {
                    body(current)
                    current = []
                    currentBytes = 0
                }
                current.append(index)
                currentBytes = currentBytes.clampedAdding(size)
            }
            if !current.isEmpty { body(current) }
            run = []
        }
        var names = Set<ExactName>()
        for (index, step) in steps.enumerated() where step.kind.isApplied && !deferred.contains(index) {
            if step.kind.sendsFile, let first = run.first, steps[first].repository == step.repository,
                steps[first].upload?.manifest == step.upload?.manifest, !names.contains(name: step.name)
            {
                run.append(index)
                names.insert(ExactName(step.name))
                continue
            }
            flush()
            names = []
            if step.kind.sendsFile {
                run = [index]
                names = [ExactName(step.name)]
            } else {
                body([index])
            }
        }
        flush()
    }

    /// One upload request for the steps of `unit`: each step's outcome (a failure of the
    /// request fails the files that did not land).
    func upload(
        _ unit: [Int], of plan: Plan, previous: [ArtifactKey: Artifact], hashes: Hashes,
        observer: (any ApplyObserver)?
    ) async -> [(Int, StepResult)] {
        let steps = unit.map { plan.steps[$0] }
        guard let repository = steps[0].repository else { return [] }
        let hashing = steps[0].upload?.manifest != nil
        let items = steps.map { step in
            UploadItem(
                path: step.localPath ?? "", name: step.name,
                previous: step.kind == .replace ? step.artifactKey.flatMap { previous[$0] } : nil)
        }
        // Progress of the request as a whole, shown against the file being sent.
        let sizes = steps.map { $0.size ?? 0 }
        let progress: @Sendable (Int64) -> Void = { sent in
            var before: Int64 = 0
            for (offset, size) in sizes.enumerated() {
                if sent <= before.clampedAdding(size) || offset == sizes.count - 1 {
                    observer?.progress(unit[offset], steps[offset], bytes: sent - before)
                    return
                }
                before = before.clampedAdding(size)
            }
        }
        do {
            let sent = try await service.upload(items, to: repository, hashing: hashing, progress: progress)
            return zip(unit, steps).map { index, step in
                let hash = sent[ExactName(step.name)]
                if let hash, let key = step.artifactKey { hashes.record(key, hash) }
                return (index, StepResult(outcome: .done, sha256: hash))
            }
        } catch {
            let failure = error as? UploadGroupFailure
            let underlying = failure?.underlying ?? error
            return zip(unit, steps).map { index, step in
                if let landed = failure?.landed[ExactName(step.name)] {
                    if let landed, let key = step.artifactKey { hashes.record(key, landed) }
                    return (
                        index,
                        StepResult(
                            outcome: .done, note: "confirmed by listing after the request failed", sha256: landed)
                    )
                }
                if failure?.notSent.contains(name: step.name) == true {
                    return (index, StepResult(outcome: .notStarted))
                }
                return (index, Self.failure(underlying))
            }
        }
    }

    static func failure(_ error: any Error) -> StepResult {
        if Task.isCancelled || error is CancellationError { return StepResult(outcome: .interrupted) }
        let cause = (error as? any CausedError)?.cause ?? .unavailable
        if case .outOfRequests(let limit) = cause {
            // Refused before it was carried out (429, or never sent): left for the next run.
            return StepResult(outcome: .notStarted, outOfRequests: limit.map { .maxRequests($0) } ?? .rateLimited)
        }
        return StepResult(outcome: .failed("\(error)"), cause: cause)
    }

    /// What running one step came to.
    struct StepResult: Sendable {
        var outcome: Report.Outcome
        /// Why it failed.
        var cause: FailureCause?
        var note: String?
        /// The SHA-256 the step saw: of an upload as sent, of a verified artifact as received.
        var sha256: String?
        /// A failure stops the run (nothing new starts); a `verify` mismatch does not: every
        /// artifact is checked and reported.
        var stopsRun = true
        /// The step was refused for want of requests: nothing new starts, and the run ends 75.
        var outOfRequests: Report.OutOfRequests?
    }

    /// The language promises that after a successful apply the remote is what the plan
    /// predicted: each repository written to is listed again (one request per 100 artifacts)
    /// and each step done is checked against it. A name sent with spaces may be stored with
    /// `_` (Bitbucket has been seen doing so): either form confirms it.
    func confirm(_ report: Report, plan: Plan, listed: [RepositoryName: RemoteState] = [:]) async -> [String] {
        // A manifest is confirmed by its own read-back (`replaceManifest`).
        let written = report.entries.filter {
            $0.outcome == .done && $0.step.kind.changesDownloads && $0.step.kind != .checksums
        }
        var differences: [String] = []
        for repository in Set(written.compactMap(\.step.repository)).sorted() {
            let listing: RemoteState
            do {
                if let known = listed[repository] {
                    listing = known
                } else {
                    listing = RemoteState(listing: try await service.listing(of: repository))
                }
            } catch {
                differences.append("\(repository): cannot be listed to confirm the changes: \(error)")
                continue
            }
            // Each name is judged by the last step done to it: an upload then a delete of the
            // same name leaves it gone.
            var last: [ExactName: Step] = [:]
            var order: [ExactName] = []
            for entry in written where entry.step.repository == repository {
                let name = ExactName(entry.step.name)
                if last[name] == nil { order.append(name) }
                last[name] = entry.step
            }
            for key in order {
                guard let step = last[key] else { continue }
                let name = key.text
                let shown = name.terminalSafe
                let found = listing[name] ?? listing[RemoteState.storedAlias(of: name)]
                switch step.action {
                case .delete:
                    // Gone, or uploaded again since by someone else (another version).
                    let before = plan.fingerprints.first { $0.repository == repository && $0.name.isExactly(name) }
                    if let found = listing[name], before.map({ $0.stillMatches(found) }) ?? true {
                        differences.append("\(repository): \(shown) is still listed after its delete")
                    }
                case .upload(let upload), .replace(let upload):
                    guard let found else {
                        differences.append("\(repository): \(shown) was uploaded but is not listed")
                        continue
                    }
                    if let size = upload.size, found.size != size {
                        differences.append(
                            "\(repository): \(shown) is listed with \(formatBytes(found.size)), not the \(formatBytes(size)) sent"
                        )
                    }
                // Not among the steps confirmed here (they change no Downloads, or confirm themselves).
                case .download, .skip, .connect, .verify, .checksums: continue
                }
            }
        }
        return differences
    }

    /// A `verify` statement that verified nothing (none of its artifacts is in the manifest)
    /// has proved nothing: its last step fails, saying so, rather than the run passing.
    static func failVerifiesOfNothing(_ report: inout Report) {
        var byStatement: [SourcePosition: [Int]] = [:]
        for (index, entry) in report.entries.enumerated() where entry.step.kind == .verify {
            byStatement[entry.step.source, default: []].append(index)
        }
        for indices in byStatement.values {
            let outcomes = indices.map { report.entries[$0].outcome }
            guard outcomes.allSatisfy({ $0 == .done }),
                indices.allSatisfy({ report.entries[$0].note != "verified" }), let last = indices.last
            else { continue }
            guard case .verify(let verify) = report.entries[last].step.action else { continue }
            let manifest = verify.manifest
            report.entries[last].outcome = .failed(
                "nothing was verified: none of the \(indices.count) artifact\(indices.count == 1 ? "" : "s") read is in \(manifest)"
            )
        }
    }

    /// Runs one step (not an upload: those run in `upload`, in groups).
    func run(
        _ step: Step, previous: Artifact?, guardian: DeleteGuard, hashes: Hashes,
        progress: @escaping @Sendable (Int64) -> Void
    ) async -> StepResult {
        do {
            switch step.action {
            case .upload(let upload), .replace(let upload):
                let sent = try await service.upload(
                    [UploadItem(path: upload.localPath, name: upload.name, previous: previous)],
                    to: upload.repository, hashing: upload.manifest != nil, progress: progress)
                return StepResult(outcome: .done, sha256: sent[ExactName(upload.name)])
            case .download(let download):
                // The policy the plan was made with, honoured now: a file may have appeared since.
                let path = download.localPath
                let policy = download.localConflict ?? .fail
                var info = stat()
                if policy == .skip, lstat(path, &info) == 0 {
                    return StepResult(outcome: .skipped, note: "\(path) exists now; skipped (on conflict skip)")
                }
                let checksum = download.manifest.flatMap { manifest in download.sha256.map { (manifest, $0) } }
                try await service.download(
                    download.name, from: download.repository, to: path, expectedSize: download.size,
                    replacing: policy == .replace, checksum: checksum, progress: progress)
                if let manifest = download.manifest, download.sha256 == nil {
                    return StepResult(outcome: .done, note: "not in \(manifest): downloaded without a check")
                }
                return StepResult(outcome: .done, sha256: download.sha256)
            case .verify(let verify):
                if verify.orphan {
                    return StepResult(
                        outcome: .failed(
                            "\(verify.name) is listed in \(verify.manifest), but no artifact has that name: drop the entry with 'delete \"\(verify.name)\"' in a run that keeps \(verify.manifest)"
                        ), stopsRun: false)
                }
                let received = try await service.digest(
                    of: verify.name, in: verify.repository, expectedSize: verify.size, progress: progress)
                // An artifact this run uploaded is compared with the hash it was sent with.
                guard let expected = verify.sha256 ?? hashes[ArtifactKey(verify.repository, verify.name)] else {
                    return StepResult(outcome: .done, note: "not in \(verify.manifest)", sha256: received)
                }
                guard expected.lowercased() == received else {
                    let why = step.reason.map { " (\($0))" } ?? ""
                    return StepResult(
                        outcome: .failed(
                            "\(verify.name) does not match \(verify.manifest)\(why): its SHA-256 is \(received), the manifest says \(expected.lowercased())"
                        ), sha256: received, stopsRun: false)
                }
                return StepResult(outcome: .done, note: "verified", sha256: received)
            case .delete(let delete):
                if let reason = try await guardian.reasonNotToDelete(step) {
                    return StepResult(outcome: .skipped, note: reason)
                }
                try await service.delete(delete.name, from: delete.repository)
            case .connect(let call):
                try await service.connect(call)
            case .skip:
                return StepResult(outcome: .skipped)
            case .checksums:
                // Run by `updateManifests`, after every other step.
                return StepResult(outcome: .notStarted)
            }
            return StepResult(outcome: .done)
        } catch {
            return Self.failure(error)
        }
    }

    /// For each step, the earlier steps that must have finished before it starts.
    static func dependencies(of steps: [Step]) -> [Set<Int>] {
        var lastByArtifact: [ArtifactKey: Int] = [:]
        var lastByLocalPath: [ExactName: Int] = [:]
        var uploadsSoFar: [Int] = []
        var lastBarrier: Int?
        var everything: [Int] = []
        var result: [Set<Int>] = []
        for (index, step) in steps.enumerated() {
            var needs = Set<Int>()
            if let lastBarrier { needs.insert(lastBarrier) }
            let key = step.artifactKey
            if step.kind.isApplied {
                if let key, let earlier = lastByArtifact[key] { needs.insert(earlier) }
                if let path = step.localPath, let earlier = lastByLocalPath[ExactName(path)] { needs.insert(earlier) }
                switch step.kind {
                case .delete: needs.formUnion(uploadsSoFar)
                case .connect, .checksums: needs.formUnion(everything)
                case .upload, .replace, .download, .skip, .verify: break
                }
                if let key { lastByArtifact[key] = index }
                if let path = step.localPath { lastByLocalPath[ExactName(path)] = index }
                if step.kind.sendsFile { uploadsSoFar.append(index) }
                if step.kind.isBarrier { lastBarrier = index }
                everything.append(index)
            }
            result.append(needs)
        }
        return result
    }
}

/// Bitbucket has no conditional delete, and another job may replace an artifact between the
/// plan and its delete (a prune `older than 30d` once deleted a release uploaded a second
/// before). Right before a repository's first delete, it is listed again (once), and each
/// artifact whose fingerprint no longer matches is left alone, with the reason in the report.
actor DeleteGuard {
    let service: any ApplyService
    let fingerprints: [ArtifactKey: Fingerprint]
    /// Artifacts this run uploads: deleting one later in the same plan is the plan's own doing.
    let uploadedByThisPlan: Set<ArtifactKey>
    private var listings: [RepositoryName: Task<[Artifact], any Error>] = [:]

    init(service: any ApplyService, plan: Plan) {
        self.service = service
        fingerprints = Dictionary(
            plan.fingerprints.map { (ArtifactKey($0.repository, $0.name), $0) }, uniquingKeysWith: { a, _ in a })
        uploadedByThisPlan = Set(
            plan.steps.filter(\.kind.sendsFile).compactMap(\.artifactKey))
    }

    /// nil to delete; else why not. Throws when the repository cannot be listed: then nothing
    /// is deleted (fail closed).
    func reasonNotToDelete(_ step: Step) async throws -> String? {
        guard let repository = step.repository else { return nil }
        let key = ArtifactKey(repository, step.name)
        guard let fingerprint = fingerprints[key], fingerprint.exists, !uploadedByThisPlan.contains(key) else {
            return nil
        }
        let task =
            listings[repository]
            ?? Task { [service] in try await service.listing(of: repository) }
        listings[repository] = task
        let now = try await task.value.first { $0.name.isExactly(step.name) }
        if now == nil { return "already gone" }
        return fingerprint.stillMatches(now) ? nil : "changed since the plan; not deleted"
    }
}
