import BBXPlan
import BitbucketAPI
import BitbucketModel
import Foundation

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
            plan.fingerprints.compactMap { fingerprint -> (String, Artifact)? in
                guard let size = fingerprint.size, let created = fingerprint.created else { return nil }
                return (
                    "\(fingerprint.repository)\u{0}\(fingerprint.name)",
                    Artifact(
                        name: fingerprint.name, size: size, created: Date(timeIntervalSince1970: 0), createdOn: created)
                )
            }, uniquingKeysWith: { first, _ in first })
        var finished = Set(plan.steps.indices.filter { plan.steps[$0].kind == .skip })
        var stopped = false

        await withTaskGroup(of: (Int, Report.Outcome, Bool).self) { group in
            var running = 0
            func record(_ result: (Int, Report.Outcome, Bool)) {
                running -= 1
                report.entries[result.0].outcome = result.1
                report.entries[result.0].isCredentialProblem = result.2
                finished.insert(result.0)
                if result.1 != .done { stopped = true }
            }
            for (index, step) in plan.steps.enumerated() where step.kind != .skip {
                while !stopped, running >= jobs || !dependencies[index].isSubset(of: finished) {
                    guard let result = await group.next() else { break }
                    record(result)
                }
                if stopped || Task.isCancelled { break }
                running += 1
                let key = step.repository.map { "\($0)\u{0}\(step.name)" } ?? ""
                let before = step.kind == .replace ? previous[key] : nil
                // Steps start in plan order: the next one is added only once this one has begun
                // (child tasks of a group otherwise begin in whatever order the threads take them).
                await withCheckedContinuation { (began: CheckedContinuation<Void, Never>) in
                    group.addTask {
                        observer?.started(index, step)
                        began.resume()
                        let (outcome, credentials) = await run(step, previous: before) { bytes in
                            observer?.progress(index, step, bytes: bytes)
                        }
                        observer?.finished(index, step, outcome)
                        return (index, outcome, credentials)
                    }
                }
            }
            while let result = await group.next() { record(result) }
        }
        report.wasInterrupted = Task.isCancelled
        return report
    }

    /// Runs one step; says whether a failure was a refused credential.
    func run(_ step: Step, previous: Artifact?, progress: @escaping @Sendable (Int64) -> Void) async -> (
        Report.Outcome, Bool
    ) {
        do {
            switch step.kind {
            case .upload, .replace:
                try await service.upload(
                    step.localPath ?? "", as: step.name, to: step.repository ?? "", previous: previous,
                    progress: progress)
            case .download:
                // The policy the plan was made with, honoured now: a file may have appeared since.
                let path = step.localPath ?? step.name
                let policy = step.localConflict ?? .fail
                var info = stat()
                if policy == .skip, lstat(path, &info) == 0 { return (.skipped, false) }
                try await service.download(
                    step.name, from: step.repository ?? "", to: path, expectedSize: step.size,
                    replacing: policy == .replace, progress: progress)
            case .delete:
                try await service.delete(step.name, from: step.repository ?? "")
            case .connect:
                guard let call = step.connect else { return (.failed("the step has no Connect call"), false) }
                try await service.connect(call)
            case .skip:
                return (.skipped, false)
            }
            return (.done, false)
        } catch {
            if Task.isCancelled || error is CancellationError { return (.interrupted, false) }
            return (.failed("\(error)"), (error as? BitbucketError)?.isCredentialProblem ?? false)
        }
    }

    /// For each step, the earlier steps that must have finished before it starts.
    static func dependencies(of steps: [Step]) -> [Set<Int>] {
        var lastByArtifact: [String: Int] = [:]
        var lastByLocalPath: [String: Int] = [:]
        var uploadsSoFar: [Int] = []
        var lastBarrier: Int?
        var everything: [Int] = []
        var result: [Set<Int>] = []
        for (index, step) in steps.enumerated() {
            var needs = Set<Int>()
            if let lastBarrier { needs.insert(lastBarrier) }
            let key = step.repository.map { "\($0)\u{0}\(step.name)" }
            if step.kind != .skip {
                if let key, let earlier = lastByArtifact[key] { needs.insert(earlier) }
                if let path = step.localPath, let earlier = lastByLocalPath[path] { needs.insert(earlier) }
                switch step.kind {
                case .delete: needs.formUnion(uploadsSoFar)
                case .connect: needs.formUnion(everything)
                default: break
                }
                if let key { lastByArtifact[key] = index }
                if let path = step.localPath { lastByLocalPath[path] = index }
                if step.kind == .upload || step.kind == .replace { uploadsSoFar.append(index) }
                if step.kind == .connect { lastBarrier = index }
                everything.append(index)
            }
            result.append(needs)
        }
        return result
    }
}
