import BBXCheck
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import SafeText

/// `checksums NAME`, `on conflict update` and `verify`: a `sha256sum` manifest kept as an
/// artifact, because Bitbucket keeps no checksum of its own.
extension Evaluator {
    /// `checksums NAME [in REPO]`: from here on, the repository keeps a manifest (read now,
    /// once; replaced once at the end of a run that changes what it covers).
    mutating func planChecksums(_ s: ChecksumsStatement, _ statement: Statement) async throws {
        let repository = try await targetRepository(s.repository, statement)
        let name = try await string(s.manifest) ?? ""
        if let problem = FileNameRule.problem(with: name) {
            throw PlanningError.invalidArtifactName(name, problem: problem, at: s.manifest.range)
        }
        if let declared = declaredManifests[repository], !declared.isExactly(name) {
            throw PlanningError.secondManifest(name, declared: declared, in: repository, at: statement.range)
        }
        declaredManifests[repository] = name
        _ = try await remote(repository, at: statement.range)
        try await loadManifest(of: repository, at: statement.range)
    }

    /// Reads the declared manifest of a repository just listed (or declared just now), unless
    /// its state already holds it.
    mutating func loadManifest(of repository: RepositoryName, at range: SourceRange) async throws {
        guard let name = declaredManifests[repository], var state = remotes[repository], state.checksums == nil else {
            return
        }
        var text: String?
        if state.contains(name) {
            do {
                text = try await reader.text(of: name, in: repository)
            } catch {
                throw PlanningError(error, at: range)
            }
        }
        let manifest: ChecksumManifest
        do {
            manifest = try ChecksumManifest(parsing: text ?? "")
        } catch {
            throw PlanningError.unreadableManifest(name, in: repository, problem: error, at: range)
        }
        let base = text.map { ChecksumManifest.sha256(of: $0) }
        state.checksums = RemoteState.ManifestState(name: name, base: base, read: manifest)
        remotes[repository] = state
        manifestsRead[repository] = state.checksums
        touch(repository, name)
    }

    /// The manifest an upload to `repository` records into, after checking it is not the
    /// manifest itself.
    mutating func manifestForUpload(_ name: String, to repository: RepositoryName, at range: SourceRange) throws
        -> String?
    {
        guard let manifest = remotes[repository]?.checksums?.name else { return nil }
        if name.isExactly(manifest) { throw PlanningError.uploadOfManifest(name, in: repository, at: range) }
        return manifest
    }

    /// An upload (or replace) that will record its hash: the entry is pending until sent.
    mutating func recordUpload(_ name: String, in repository: RepositoryName, at position: SourcePosition) {
        guard var manifest = remotes[repository]?.checksums else { return }
        manifest.entries[name] = nil
        manifest.pending.insert(ExactName(name))
        remotes[repository]?.checksums = manifest
        noteManifestChange(in: repository, entry: name, at: position)
    }

    /// A delete: the entry goes with the artifact.
    mutating func recordDelete(_ name: String, in repository: RepositoryName, at position: SourcePosition) {
        guard var manifest = remotes[repository]?.checksums else { return }
        guard manifest.entries[name] != nil || manifest.pending.contains(name: name) else { return }
        manifest.entries[name] = nil
        manifest.pending.remove(ExactName(name))
        remotes[repository]?.checksums = manifest
        noteManifestChange(in: repository, removal: name, at: position)
    }

    mutating func noteManifestChange(
        in repository: RepositoryName, entry: String? = nil, removal: String? = nil, at position: SourcePosition
    ) {
        var change = manifestChanges[repository] ?? ManifestChange(source: position)
        if let entry, !change.entries.contains(where: entry.isExactly) { change.entries.append(entry) }
        if let removal, !change.removals.contains(where: removal.isExactly) { change.removals.append(removal) }
        if manifestChanges[repository] == nil { manifestOrder.append(repository) }
        manifestChanges[repository] = change
    }

    /// The manifests' replacements, one per repository whose covered artifacts this run
    /// changes, after every other step.
    func manifestSteps() -> [Step] {
        manifestOrder.compactMap { repository in
            guard let change = manifestChanges[repository], let manifest = remotes[repository]?.checksums else {
                return nil
            }
            var parts: [String] = []
            if !change.entries.isEmpty { parts.append("\(change.entries.count) to record") }
            if !change.removals.isEmpty { parts.append("\(change.removals.count) to remove") }
            return Step(
                .checksums(
                    Step.ChecksumsUpdate(
                        repository: repository, manifest: manifest.name, entries: change.entries,
                        removals: change.removals, base: manifest.base)),
                reason: parts.joined(separator: ", "), source: change.source)
        }
    }

    /// `on conflict update`: skip an artifact whose manifest entry is the local file's hash.
    /// Returns the hash when they agree, else why the artifact is replaced.
    func updateDecision(
        _ path: String, existing: String, in repository: RepositoryName, at range: SourceRange
    ) throws -> (unchanged: String?, reason: String) {
        guard let manifest = remotes[repository]?.checksums else {
            throw PlanningError.updateNeedsChecksums(in: repository, at: range)
        }
        let local: String
        do {
            local = try files.sha256(of: path)
        } catch {
            throw PlanningError.localFile(error, at: range)
        }
        guard let listed = manifest.entries[existing] else {
            if manifest.pending.contains(name: existing) { return (nil, "uploaded earlier in this run") }
            return (nil, "not in \(manifest.name)")
        }
        return listed == local ? (local, "unchanged") : (nil, "differs from \(manifest.name)")
    }

    /// `verify [PATTERN] [in REPO]`: one step per matching artifact, each to be streamed,
    /// hashed and compared with the manifest; nothing is kept.
    mutating func planVerify(_ s: VerifyStatement, _ statement: Statement) async throws {
        let repository = try await targetRepository(s.repository, statement)
        let text = try await string(s.pattern) ?? "*"
        let state = try await remote(repository, at: statement.range)
        guard let manifest = state.checksums else {
            throw PlanningError.verifyNeedsChecksums(in: repository, at: statement.range)
        }
        let found = state.matching(Glob(text)).filter { !$0.name.isExactly(manifest.name) }
        if found.isEmpty {
            throw PlanningError.noArtifactMatches(text, in: repository, at: s.pattern?.range ?? statement.range)
        }
        for artifact in found {
            touch(repository, artifact.name)
            steps.append(
                Step(
                    .verify(
                        Step.Verify(
                            repository: repository, name: artifact.name, size: artifact.size, manifest: manifest.name,
                            sha256: manifest.entries[artifact.name])),
                    reason: manifest.pending.contains(name: artifact.name) ? "uploaded earlier in this run" : nil,
                    source: position(statement.range)))
        }
    }
}

/// What a run changes in one repository's manifest, in the order the steps change it.
struct ManifestChange: Sendable {
    var entries: [String] = []
    var removals: [String] = []
    let source: SourcePosition
}
