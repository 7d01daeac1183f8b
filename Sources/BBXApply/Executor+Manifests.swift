import BBXPlan
import BitbucketModel
import Foundation
import SafeText

/// The checksum manifest's one replacement per run. Bitbucket has no conditional write, so
/// bbx reads the manifest as it is now, merges this run's entries into it (another writer's
/// entries stay), replaces it, reads it back after a moment, and starts again if another
/// writer's replacement took the place of this one.
extension Executor {
    /// How many times a manifest is read, merged and written before bbx gives up.
    static let manifestAttempts = 8

    /// Returns the listings it read (the post-apply check uses them rather than reading again).
    func updateManifests(
        _ report: inout Report, plan: Plan, steps indices: [Int], hashes: Hashes, observer: (any ApplyObserver)?
    ) async -> [RepositoryName: RemoteState] {
        var listings: [RepositoryName: RemoteState] = [:]
        for index in indices {
            guard case .checksums(let update) = plan.steps[index].action else { continue }
            // The repository as it is now: the names Bitbucket stored the uploads under, and
            // what it lists for each (the stamp an entry is believed by).
            let listing: RemoteState
            do {
                listing = RemoteState(listing: try await service.listing(of: update.repository))
                listings[update.repository] = listing
            } catch {
                observer?.started(index, plan.steps[index])
                report.entries[index].outcome = Self.failure(error).outcome
                report.entries[index].cause = Self.failure(error).cause
                observer?.finished(index, plan.steps[index], report.entries[index].outcome)
                continue
            }
            let changes = manifestChanges(update, report: report, hashes: hashes, listing: listing)
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
                report.entries[index].cause = Self.failure(error).cause
            }
            report.entries[index].outcome = outcome
            observer?.finished(index, plan.steps[index], outcome)
        }
        return listings
    }

    /// What the run did to the artifacts the manifest covers, in plan order: an entry for each
    /// upload, under the name Bitbucket stored it as (`My_App.zip` for `My App.zip`), with the
    /// hash it was sent with and the listing it has now; removal for each upload that failed or
    /// was interrupted (its bytes are unknown: no entry beats a wrong one), and for each name
    /// deleted or planned as gone that the listing no longer has.
    func manifestChanges(
        _ update: Step.ChecksumsUpdate, report: Report, hashes: Hashes, listing: RemoteState
    ) -> [ExactName: ChecksumManifest.Entry?] {
        let recorded = Set(names: update.entries)
        var changes: [ExactName: ChecksumManifest.Entry?] = [:]
        for entry in report.entries where entry.step.repository == update.repository {
            // Only what was sent changes an entry here; every kind is named, so a new kind that
            // sends a file does not pass silently.
            let upload: Step.Upload
            switch entry.step.action {
            case .upload(let sent), .replace(let sent): upload = sent
            case .delete, .download, .skip, .connect, .verify, .checksums: continue
            }
            switch entry.outcome {
            case .done:
                guard recorded.contains(name: upload.name), upload.manifest == update.manifest else { continue }
                let stored = listing.existingName(for: upload.name) ?? upload.name
                if !stored.isExactly(upload.name) { changes[ExactName(upload.name)] = .some(nil) }
                let hash = entry.sha256 ?? hashes[ArtifactKey(upload.repository, upload.name)]
                changes[ExactName(stored)] = .some(
                    hash.map {
                        ChecksumManifest.Entry(sha256: $0, stamp: listing[stored].map(ChecksumManifest.Stamp.init))
                    })
            case .failed, .interrupted:
                guard recorded.contains(name: upload.name) else { continue }
                changes[ExactName(upload.name)] = .some(nil)
                changes[ExactName(RemoteState.storedAlias(of: upload.name))] = .some(nil)
            case .skipped, .notStarted:
                continue
            }
        }
        // Gone now: deleted by this run, or already gone when planned. A delete that failed
        // leaves the artifact listed, and its entry stays.
        for name in update.removals + update.orphans where !listing.contains(name) && changes[ExactName(name)] == nil {
            changes[ExactName(name)] = .some(nil)
        }
        return changes
    }

    /// The signature's text as it is now, under its name or the stored form of it.
    func readSignature(_ update: Step.ChecksumsUpdate) async throws -> String? {
        if let text = try await service.readText(update.signatureName, in: update.repository) { return text }
        let alias = RemoteState.storedAlias(of: update.signatureName)
        guard !alias.isExactly(update.signatureName) else { return nil }
        return try await service.readText(alias, in: update.repository)
    }

    /// The manifest's text as it is now, under its name or the stored form of it.
    func readManifest(_ update: Step.ChecksumsUpdate) async throws -> String? {
        if let text = try await service.readText(update.manifest, in: update.repository) { return text }
        let alias = RemoteState.storedAlias(of: update.manifest)
        guard !alias.isExactly(update.manifest) else { return nil }
        return try await service.readText(alias, in: update.repository)
    }

    /// Read, merge, replace, confirm; again when another writer got in between. Returns a note
    /// for the report when the manifest had changed since planning.
    func replaceManifest(
        _ update: Step.ChecksumsUpdate, with changes: [ExactName: ChecksumManifest.Entry?]
    ) async throws -> String? {
        var mergedWithOthers = false
        for attempt in 1...Self.manifestAttempts {
            let current = try await readManifest(update)
            let manifest = try Self.parse(current, update)
            if current.map(ChecksumManifest.sha256(of:)) != update.base { mergedWithOthers = true }
            let merged = manifest.merging(changes)
            // Never a manifest bbx could not read back (another writer may have grown it).
            let size = merged.text.utf8.count
            if size > ChecksumManifest.maximumBytes {
                throw ManifestConflict(
                    manifest: update.manifest, attempts: 0,
                    reason:
                        "\(update.manifest) in \(update.repository) would be \(formatBytes(Int64(size))), more than bbx reads back; not replaced"
                )
            }
            let started = ContinuousClock.now
            var signature: String?
            if update.signed {
                guard let signing else {
                    throw ManifestConflict(
                        manifest: update.manifest, attempts: 0,
                        reason: "\(update.manifest) is kept signed, and no signing key was given; not replaced")
                }
                signature = try signing.sign(merged.text, update.manifest)
            }
            // A signed manifest whose signature is missing, or is not of its text by this key,
            // is written again with its signature even when no entry changes.
            var unsigned = false
            if update.signed, let signing {
                let existing = try await readSignature(update)
                unsigned = existing.map { !signing.verifies(current ?? "", $0) } ?? true
            }
            if merged != manifest || current == nil || unsigned {
                // The pair in one request: a reader who sees the new manifest with the old
                // signature (or the old with the new) finds that they do not verify, and
                // refuses both; never the reverse.
                var texts = [(name: update.manifest, text: merged.text)]
                if let signature { texts.append((update.signatureName, signature)) }
                try await service.replaceTexts(texts, in: update.repository)
            }
            // Another writer that read before this write and writes after it would drop these
            // entries: read again once such a write would have landed (twice as long as this
            // one took, at least 50 ms, with some jitter so that two writers part), and merge
            // once more if so.
            let took = ContinuousClock.now - started
            let settle = min(max(took * 2, .milliseconds(50)), .seconds(2)) + .milliseconds(Int.random(in: 0...50))
            try await Task.sleep(for: settle * attempt)
            let afterText = try await readManifest(update)
            let after = try Self.parse(afterText, update)
            // Signed: the signature read back must be one of the text read back.
            var signatureHolds = true
            if update.signed {
                let read = try await readSignature(update)
                signatureHolds = read.map { signing?.verifies(afterText ?? "", $0) ?? false } ?? false
            }
            if after.holds(changes), signatureHolds {
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

/// How manifests kept `signed` are signed: made by the command line from the signing key, which
/// never reaches the plan. `sign(text, manifestName)` gives the `.minisig` file's text;
/// `verifies(text, signature)` checks one read back against the same key.
public struct ManifestSigning: Sendable {
    public let sign: @Sendable (_ text: String, _ manifest: String) throws -> String
    public let verifies: @Sendable (_ text: String, _ signature: String) -> Bool

    public init(
        sign: @escaping @Sendable (String, String) throws -> String,
        verifies: @escaping @Sendable (String, String) -> Bool
    ) {
        self.sign = sign
        self.verifies = verifies
    }
}
