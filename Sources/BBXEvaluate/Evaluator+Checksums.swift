import BBXCheck
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import Minisign
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
        if let declared = declaredManifests[repository]?.name, !declared.isExactly(name) {
            throw PlanningError.secondManifest(name, declared: declared, in: repository, at: statement.range)
        }
        declaredManifests[repository] = (name, declaredManifests[repository]?.signed ?? false)
        _ = try await remote(repository, at: statement.range)
        try await loadManifest(of: repository, at: statement.range)
        if s.signed { try planSigning(of: repository, statement) }
        try checkSignature(of: repository, at: statement.range)
    }

    /// `checksums NAME signed`: the key must be there to sign with (loaded, and its password
    /// checked, before the apply writes anything); a manifest without its signature yet gets one.
    mutating func planSigning(of repository: RepositoryName, _ statement: Statement) throws {
        let variables = ["BBX_SIGNING_KEY", "BBX_SIGNING_KEY_FILE"]
        guard variables.contains(where: { !(options.environment[$0] ?? "").isEmpty }) else {
            throw PlanningError.signingKeyMissing(at: statement.range)
        }
        declaredManifests[repository]?.signed = true
        guard var manifest = remotes[repository]?.checksums else { return }
        manifest.signed = true
        remotes[repository]?.checksums = manifest
        if manifest.base != nil, manifest.signature == nil {
            noteManifestChange(in: repository, at: position(statement.range))
        }
    }

    /// `trust "RW…"` / `trust key "FILE"`: a public key the manifest's signature must verify
    /// against before any of its entries is believed.
    mutating func planTrust(_ s: TrustStatement, _ statement: Statement) async throws {
        let repository = try await targetRepository(s.repository, statement)
        var text = try await string(s.key) ?? ""
        if s.fromFile {
            do {
                text = String(decoding: try files.contents(of: text), as: UTF8.self)
            } catch {
                throw PlanningError.localFile(error, at: s.key.range)
            }
        }
        let key: Minisign.PublicKey
        do {
            key = try Minisign.PublicKey(text)
        } catch {
            throw PlanningError.notAPublicKey(problem: "\(error)", at: s.key.range)
        }
        trustedKeys[repository, default: []].append(key)
        try checkSignature(of: repository, at: statement.range)
    }

    /// Before any entry of a manifest is believed where keys are trusted, its signature must
    /// verify against one of them: a manifest without one, or with one that does not verify,
    /// stops planning, naming the manifest and the keys. Checked once per manifest read.
    mutating func checkSignature(of repository: RepositoryName, at range: SourceRange) throws {
        guard let keys = trustedKeys[repository], !keys.isEmpty, let manifest = remotes[repository]?.checksums,
            let text = manifestTexts[repository]
        else { return }
        let trusted = keys.map(\.keyIDText).joined(separator: ", ")
        guard let signatureText = manifest.signature else {
            throw PlanningError.untrustedManifest(
                manifest.name, in: repository,
                problem: "it has no signature (\(manifest.signatureName)); trusted: key \(trusted)", at: range)
        }
        var problems: [String] = []
        do {
            let signature = try Minisign.Signature(signatureText)
            for key in keys {
                do {
                    try signature.verify(Array(text.utf8), with: key)
                    manifestTexts[repository] = nil
                    return
                } catch {
                    problems.append("\(error)")
                }
            }
        } catch {
            problems.append("\(manifest.signatureName): \(error)")
        }
        throw PlanningError.untrustedManifest(
            manifest.name, in: repository, problem: problems.joined(separator: "; "), at: range)
    }

    /// Reads the declared manifest of a repository just listed (or declared just now), unless
    /// its state already holds it.
    mutating func loadManifest(of repository: RepositoryName, at range: SourceRange) async throws {
        guard let (name, signed) = declaredManifests[repository], var state = remotes[repository],
            state.checksums == nil
        else {
            return
        }
        var text: String?
        // Found under its name, or its stored form (`SHA_256SUMS` for `SHA 256SUMS`).
        let stored = state.existingName(for: name)
        if let stored, let listed = state[stored] {
            if listed.size > ChecksumManifest.maximumBytes {
                throw PlanningError.manifestTooLarge(stored, size: listed.size, in: repository, at: range)
            }
            do {
                text = try await reader.text(of: stored, in: repository)
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
        var read = RemoteState.ManifestState(name: name, base: base, read: manifest)
        read.textBytes = text?.utf8.count ?? 0
        read.orphans = manifest.names.filter { !state.contains($0) && !read.isManifest($0) }
        // Its signature, when there is one: read with it, so a pair replaced in between is seen.
        if text != nil, let signature = state.existingName(for: read.signatureName) {
            do {
                read.signature = try await reader.text(of: signature, in: repository)
            } catch {
                throw PlanningError(error, at: range)
            }
            touch(repository, signature)
        }
        read.signed = signed
        manifestTexts[repository] = text
        state.checksums = read
        remotes[repository] = state
        manifestsRead[repository] = state.checksums
        touch(repository, stored ?? name)
        // Read again (a later REPL entry, a loop's listing): believed only if its signature
        // still verifies against the keys trusted so far, as when first read.
        try checkSignature(of: repository, at: range)
    }

    /// The manifest an upload to `repository` records into, after checking it is not the
    /// manifest itself.
    mutating func manifestForUpload(_ name: String, to repository: RepositoryName, at range: SourceRange) throws
        -> String?
    {
        guard let manifest = remotes[repository]?.checksums else { return nil }
        // In either form: `SHA 256SUMS` uploaded on a server that stores `_` replaces `SHA_256SUMS`.
        if manifest.isManifest(name) || manifest.isManifest(RemoteState.storedAlias(of: name)) {
            throw PlanningError.uploadOfManifest(name, in: repository, at: range)
        }
        return manifest.name
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
        manifest.orphans.removeAll { $0.isExactly(name) }
        manifest.pending.remove(ExactName(name))
        remotes[repository]?.checksums = manifest
        noteManifestChange(in: repository, removal: name, at: position)
    }

    mutating func noteManifestChange(
        in repository: RepositoryName, entry: String? = nil, removal: String? = nil, at position: SourcePosition
    ) {
        var change = manifestChanges[repository] ?? ManifestChange(source: position, range: currentRange)
        if let entry, !change.entries.contains(where: entry.isExactly) { change.entries.append(entry) }
        if let removal, !change.removals.contains(where: removal.isExactly) { change.removals.append(removal) }
        if manifestChanges[repository] == nil { manifestOrder.append(repository) }
        manifestChanges[repository] = change
    }

    /// A delete of what is already gone drops the manifest's entry of it (how entries left by
    /// deletes made without `checksums` are reconciled: `delete "app-1.0.zip"`).
    mutating func dropOrphans(matching glob: Glob, in repository: RepositoryName, at position: SourcePosition) {
        guard var manifest = remotes[repository]?.checksums else { return }
        let gone = manifest.orphans.filter { glob.matches($0) && manifest.entries[$0] != nil }
        guard !gone.isEmpty else { return }
        for name in gone {
            manifest.entries[name] = nil
            noteManifestChange(in: repository, removal: name, at: position)
        }
        manifest.orphans.removeAll { name in gone.contains(where: name.isExactly) }
        remotes[repository]?.checksums = manifest
    }

    /// The manifests' replacements, one per repository whose covered artifacts this run
    /// changes, after every other step. Entries of artifacts already gone are dropped with them
    /// (if still gone when applied). A manifest that would outgrow what bbx reads back is not
    /// written: planning stops, before any write.
    func manifestSteps() throws -> [Step] {
        try manifestOrder.compactMap { repository in
            guard let change = manifestChanges[repository], let manifest = remotes[repository]?.checksums else {
                return Step?.none
            }
            var parts: [String] = []
            if !change.entries.isEmpty { parts.append("\(change.entries.count) to record") }
            if !change.removals.isEmpty { parts.append("\(change.removals.count) to remove") }
            let orphans = manifest.orphans.filter { manifest.entries[$0] != nil }
            if !orphans.isEmpty {
                parts.append(
                    "\(orphans.count) entr\(orphans.count == 1 ? "y" : "ies") of deleted artifacts dropped")
            }
            if manifest.signed { parts.append("signed") }
            // Each new entry is its line and its stamp's: the hash, the name, about 80 bytes more.
            let growth = change.entries.reduce(0) { $0 + $1.utf8.count + 160 }
            if manifest.textBytes + growth > ChecksumManifest.maximumBytes {
                throw PlanningError.manifestWouldOutgrow(
                    manifest.name, bytes: manifest.textBytes + growth, entries: change.entries.count,
                    in: repository, at: change.range)
            }
            return Step(
                .checksums(
                    Step.ChecksumsUpdate(
                        repository: repository, manifest: manifest.name, entries: change.entries,
                        removals: change.removals, base: manifest.base, orphans: orphans, signed: manifest.signed)),
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
        // The entry counts only for the upload it was made for: one replaced since (with curl,
        // or by a run that failed before its manifest update) is not what the entry describes.
        guard let artifact = remotes[repository]?[existing], let believed = manifest.entries.believed(artifact) else {
            let stamp = manifest.entries.stamp(of: existing)
            return (
                nil,
                stamp == nil
                    ? "its entry in \(manifest.name) does not say which upload it was made for"
                    : "changed since \(manifest.name)"
            )
        }
        return believed == local ? (local, "unchanged") : (nil, "differs from \(manifest.name)")
    }

    /// `verify [PATTERN] [in REPO]`: one step per matching artifact, each to be streamed,
    /// hashed and compared with the manifest; nothing is kept.
    mutating func planVerify(_ s: VerifyStatement, _ statement: Statement) async throws {
        let repository = try await targetRepository(s.repository, statement)
        let text = try await pattern(s.pattern) ?? "*"
        let state = try await remote(repository, at: statement.range)
        guard let manifest = state.checksums else {
            throw PlanningError.verifyNeedsChecksums(in: repository, at: statement.range)
        }
        let glob = Glob(text)
        let found = state.matching(glob).filter { !manifest.isManifest($0.name) }
        let orphans = manifest.orphans.filter { glob.matches($0) && manifest.entries[$0] != nil }
        if found.isEmpty, orphans.isEmpty {
            throw PlanningError.noArtifactMatches(text, in: repository, at: s.pattern?.range ?? statement.range)
        }
        for artifact in found {
            touch(repository, artifact.name)
            var reason: String?
            if manifest.pending.contains(name: artifact.name) {
                reason = "uploaded earlier in this run"
            } else if manifest.entries[artifact.name] != nil, manifest.entries.believed(artifact) == nil,
                let stamp = manifest.entries.stamp(of: artifact.name)
            {
                reason =
                    "changed since \(manifest.name): its entry is for \(stamp.size) bytes created \(stamp.createdOn), listed now \(artifact.size) bytes created \(artifact.stamp)"
            }
            steps.append(
                Step(
                    .verify(
                        Step.Verify(
                            repository: repository, name: artifact.name, size: artifact.size, manifest: manifest.name,
                            sha256: manifest.entries[artifact.name])),
                    reason: reason, source: position(statement.range)))
        }
        // Entries no artifact has: a failure each, with nothing to read.
        for name in orphans {
            steps.append(
                Step(
                    .verify(
                        Step.Verify(
                            repository: repository, name: name, size: nil, manifest: manifest.name,
                            sha256: manifest.entries[name], orphan: true)),
                    source: position(statement.range)))
        }
        noteCountsAsDownloads()
    }

    /// Reading an artifact through its download link counts as a download on Bitbucket.
    mutating func noteCountsAsDownloads() {
        let note =
            "verify and downloads checked against a manifest read each artifact, which Bitbucket counts as a download (its downloads figure goes up)"
        if !notes.contains(note) { notes.append(note) }
    }
}

/// What a run changes in one repository's manifest, in the order the steps change it.
struct ManifestChange: Sendable {
    var entries: [String] = []
    var removals: [String] = []
    let source: SourcePosition
    /// The statement that first changed the manifest, for a planning error.
    let range: SourceRange
}
