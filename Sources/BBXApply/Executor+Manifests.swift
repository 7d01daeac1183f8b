import BBXPlan
import BitbucketModel
import Foundation

/// The checksum manifest's one replacement per run. Bitbucket has no conditional write, so
/// bbx reads the manifest as it is now, merges this run's entries into it (another writer's
/// entries stay), replaces it, reads it back after a moment, and starts again if another
/// writer's replacement took the place of this one.
extension Executor {
    /// How many times a manifest is read, merged and written before bbx gives up.
    static let manifestAttempts = 8

    func updateManifests(
        _ report: inout Report, plan: Plan, steps indices: [Int], hashes: Hashes, observer: (any ApplyObserver)?
    ) async {
        for index in indices {
            guard case .checksums(let update) = plan.steps[index].action else { continue }
            let changes = manifestChanges(update, report: report, hashes: hashes)
            if changes.isEmpty {
                report.entries[index].outcome = .skipped
                report.entries[index].note = "nothing this run did changes \(update.manifest)"
                continue
            }
            observer?.started(index, plan.steps[index])
            let outcome: Report.Outcome
            do {
                let note = try await replaceManifest(update, with: changes)
                outcome = .done
                report.entries[index].note = note
            } catch {
                outcome = Self.failure(error).outcome
                report.entries[index].isCredentialProblem = Self.failure(error).isCredentialProblem
            }
            report.entries[index].outcome = outcome
            observer?.finished(index, plan.steps[index], outcome)
        }
    }

    /// What the run did to the artifacts the manifest covers, in plan order: the hash each
    /// upload was sent with; removal for each delete done, and for each upload that failed or
    /// was interrupted (its bytes are unknown: no entry beats a wrong one).
    func manifestChanges(_ update: Step.ChecksumsUpdate, report: Report, hashes: Hashes) -> [ExactName: String?] {
        let recorded = Set(names: update.entries)
        let removed = Set(names: update.removals)
        var changes: [ExactName: String?] = [:]
        for entry in report.entries where entry.step.repository == update.repository {
            let step = entry.step
            switch (step.action, entry.outcome) {
            case (.upload(let upload), .done), (.replace(let upload), .done):
                guard recorded.contains(name: upload.name), upload.manifest == update.manifest else { continue }
                let hash = entry.sha256 ?? hashes[ArtifactKey(upload.repository, upload.name)]
                changes[ExactName(upload.name)] = .some(hash)
            case (.upload(let upload), .failed), (.upload(let upload), .interrupted),
                (.replace(let upload), .failed), (.replace(let upload), .interrupted):
                if recorded.contains(name: upload.name) { changes[ExactName(upload.name)] = .some(nil) }
            case (.delete(let delete), .done):
                if removed.contains(name: delete.name) { changes[ExactName(delete.name)] = .some(nil) }
            default:
                continue
            }
        }
        return changes
    }

    /// Read, merge, replace, confirm; again when another writer got in between. Returns a note
    /// for the report when the manifest had changed since planning.
    func replaceManifest(_ update: Step.ChecksumsUpdate, with changes: [ExactName: String?]) async throws -> String? {
        var mergedWithOthers = false
        for attempt in 1...Self.manifestAttempts {
            let current = try await service.readText(update.manifest, in: update.repository)
            let manifest = try Self.parse(current, update)
            if current.map(ChecksumManifest.sha256(of:)) != update.base { mergedWithOthers = true }
            let merged = manifest.merging(changes)
            let started = ContinuousClock.now
            if merged != manifest || current == nil {
                try await service.replaceText(merged.text, as: update.manifest, in: update.repository)
            }
            // Another writer that read before this write and writes after it would drop these
            // entries: read again once such a write would have landed (twice as long as this
            // one took, at least 50 ms, with some jitter so that two writers part), and merge
            // once more if so.
            let took = ContinuousClock.now - started
            let settle = min(max(took * 2, .milliseconds(50)), .seconds(2)) + .milliseconds(Int.random(in: 0...50))
            try await Task.sleep(for: settle * attempt)
            let after = try Self.parse(try await service.readText(update.manifest, in: update.repository), update)
            if after.holds(changes) {
                return mergedWithOthers ? "merged with changes made to \(update.manifest) since the plan" : nil
            }
            mergedWithOthers = true
        }
        throw ManifestConflict(manifest: update.manifest, attempts: Self.manifestAttempts)
    }

    static func parse(_ text: String?, _ update: Step.ChecksumsUpdate) throws -> ChecksumManifest {
        do {
            return try ChecksumManifest(parsing: text ?? "")
        } catch {
            throw ManifestConflict(
                manifest: update.manifest, attempts: 0,
                reason:
                    "\(update.manifest) in \(update.repository) is no longer a sha256sum manifest (\(error)); not replaced"
            )
        }
    }
}

/// The manifest kept changing under bbx (or stopped being one).
struct ManifestConflict: Error, CustomStringConvertible {
    let manifest: String
    let attempts: Int
    var reason: String?
    var description: String {
        reason
            ?? "\(manifest) was replaced by another writer each of the \(attempts) times bbx merged its entries in; run again to record them"
    }
}
