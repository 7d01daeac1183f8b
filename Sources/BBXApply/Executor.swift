import BBXPlan
import BitbucketAPI
import BitbucketModel
import Foundation
import SafeText

/// Hears about a run as it happens (live progress); called from concurrent tasks.
public protocol ApplyObserver: Sendable {
    func started(_ index: Int, _ step: Step)
    func progress(_ index: Int, _ step: Step, bytes: Int64)
    func finished(_ index: Int, _ step: Step, _ outcome: Report.Outcome)
}

/// Applies a plan: steps start in plan order; transfers overlap up to `jobs`; a step waits for
/// the earlier steps it depends on (the same artifact; for a delete, every earlier upload; for a
/// Connect call, everything before it). After the first failure, or when the task is cancelled
/// (Ctrl-C), nothing new starts; what is running finishes or is cancelled, and the report says
/// what happened to every step.
public struct Executor: Sendable {
    public let service: any ApplyService
    public let jobs: Int

    public init(service: any ApplyService, jobs: Int = 4) {
        self.service = service
        self.jobs = max(1, jobs)
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
        var finished = Set(plan.steps.indices.filter { !plan.steps[$0].kind.isChange })
        var stopped = false
        let guardian = DeleteGuard(service: service, plan: plan)

        await withTaskGroup(of: (Int, StepResult).self) { group in
            var running = 0
            func record(_ result: (Int, StepResult)) {
                running -= 1
                report.entries[result.0].outcome = result.1.outcome
                report.entries[result.0].isCredentialProblem = result.1.isCredentialProblem
                report.entries[result.0].note = result.1.note
                finished.insert(result.0)
                if result.1.outcome != .done && result.1.outcome != .skipped { stopped = true }
            }
            for (index, step) in plan.steps.enumerated() where step.kind.isChange {
                while !stopped, running >= jobs || !dependencies[index].isSubset(of: finished) {
                    guard let result = await group.next() else { break }
                    record(result)
                }
                if stopped || Task.isCancelled { break }
                running += 1
                let before = step.kind == .replace ? step.artifactKey.flatMap { previous[$0] } : nil
                // Steps start in plan order: the next one is added only once this one has begun
                // (child tasks of a group otherwise begin in whatever order the threads take them).
                await withCheckedContinuation { (began: CheckedContinuation<Void, Never>) in
                    group.addTask {
                        observer?.started(index, step)
                        began.resume()
                        let result = await run(step, previous: before, guardian: guardian) { bytes in
                            observer?.progress(index, step, bytes: bytes)
                        }
                        observer?.finished(index, step, result.outcome)
                        return (index, result)
                    }
                }
            }
            while let result = await group.next() { record(result) }
        }
        report.wasInterrupted = Task.isCancelled
        if !report.wasInterrupted { report.differences = await verify(report, plan: plan) }
        return report
    }

    /// What running one step came to.
    struct StepResult: Sendable {
        var outcome: Report.Outcome
        /// A failure was a refused credential.
        var isCredentialProblem = false
        var note: String?
    }

    /// The language promises that after a successful apply the remote is what the plan
    /// predicted: each repository written to is listed again (one request per 100 artifacts)
    /// and each step done is checked against it. A name sent with spaces may be stored with
    /// `_` (Bitbucket has been seen doing so): either form confirms it.
    func verify(_ report: Report, plan: Plan) async -> [String] {
        let written = report.entries.filter {
            $0.outcome == .done && $0.step.kind.changesDownloads
        }
        var differences: [String] = []
        for repository in Set(written.compactMap(\.step.repository)).sorted() {
            let listing: [String: Artifact]
            do {
                listing = Dictionary(
                    try await service.listing(of: repository).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            } catch {
                differences.append("\(repository): cannot be listed to confirm the changes: \(error)")
                continue
            }
            // Each name is judged by the last step done to it: an upload then a delete of the
            // same name leaves it gone.
            var last: [String: Step] = [:]
            var order: [String] = []
            for entry in written where entry.step.repository == repository {
                if last[entry.step.name] == nil { order.append(entry.step.name) }
                last[entry.step.name] = entry.step
            }
            for name in order {
                guard let step = last[name] else { continue }
                let shown = name.terminalSafe
                let found = listing[name] ?? listing[RemoteState.storedAlias(of: name)]
                if step.kind == .delete {
                    // Gone, or uploaded again since by someone else (another version).
                    let before = plan.fingerprints.first { $0.repository == repository && $0.name == name }
                    if let found = listing[name], before.map({ $0.stillMatches(found) }) ?? true {
                        differences.append("\(repository): \(shown) is still listed after its delete")
                    }
                } else if let found {
                    if let size = step.size, found.size != size {
                        differences.append(
                            "\(repository): \(shown) is listed with \(formatBytes(found.size)), not the \(formatBytes(size)) sent"
                        )
                    }
                } else {
                    differences.append("\(repository): \(shown) was uploaded but is not listed")
                }
            }
        }
        return differences
    }

    /// Runs one step.
    func run(
        _ step: Step, previous: Artifact?, guardian: DeleteGuard, progress: @escaping @Sendable (Int64) -> Void
    ) async -> StepResult {
        do {
            switch step.action {
            case .upload(let upload), .replace(let upload):
                try await service.upload(
                    upload.localPath, as: upload.name, to: upload.repository, previous: previous, progress: progress)
            case .download(let download):
                // The policy the plan was made with, honoured now: a file may have appeared since.
                let path = download.localPath
                let policy = download.localConflict ?? .fail
                var info = stat()
                if policy == .skip, lstat(path, &info) == 0 {
                    return StepResult(outcome: .skipped, note: "\(path) exists now; skipped (on conflict skip)")
                }
                try await service.download(
                    download.name, from: download.repository, to: path, expectedSize: download.size,
                    replacing: policy == .replace, progress: progress)
            case .delete(let delete):
                if let reason = try await guardian.reasonNotToDelete(step) {
                    return StepResult(outcome: .skipped, note: reason)
                }
                try await service.delete(delete.name, from: delete.repository)
            case .connect(let call):
                try await service.connect(call)
            case .skip:
                return StepResult(outcome: .skipped)
            }
            return StepResult(outcome: .done)
        } catch {
            if Task.isCancelled || error is CancellationError { return StepResult(outcome: .interrupted) }
            return StepResult(
                outcome: .failed("\(error)"),
                isCredentialProblem: (error as? BitbucketError)?.isCredentialProblem ?? false)
        }
    }

    /// For each step, the earlier steps that must have finished before it starts.
    static func dependencies(of steps: [Step]) -> [Set<Int>] {
        var lastByArtifact: [ArtifactKey: Int] = [:]
        var lastByLocalPath: [String: Int] = [:]
        var uploadsSoFar: [Int] = []
        var lastBarrier: Int?
        var everything: [Int] = []
        var result: [Set<Int>] = []
        for (index, step) in steps.enumerated() {
            var needs = Set<Int>()
            if let lastBarrier { needs.insert(lastBarrier) }
            let key = step.artifactKey
            if step.kind.isChange {
                if let key, let earlier = lastByArtifact[key] { needs.insert(earlier) }
                if let path = step.localPath, let earlier = lastByLocalPath[path] { needs.insert(earlier) }
                switch step.kind {
                case .delete: needs.formUnion(uploadsSoFar)
                case .connect: needs.formUnion(everything)
                case .upload, .replace, .download, .skip: break
                }
                if let key { lastByArtifact[key] = index }
                if let path = step.localPath { lastByLocalPath[path] = index }
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
        let now = try await task.value.first { $0.name == step.name }
        if now == nil { return "already gone" }
        return fingerprint.stillMatches(now) ? nil : "changed since the plan; not deleted"
    }
}
