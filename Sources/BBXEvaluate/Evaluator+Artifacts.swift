import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import SafeText

extension Evaluator {
    /// The files a local pattern matches; none is an error unless `allowEmpty` (`files(…)`).
    func expandLocal(_ pattern: String, at range: SourceRange, allowEmpty: Bool = false) throws -> [LocalFile] {
        let found: [LocalFile]
        do {
            found = try files.expand(pattern)
        } catch {
            throw PlanningError.localFile(error, at: range)
        }
        if found.isEmpty && !allowEmpty {
            // Paths are relative to the current directory: say which one was looked in.
            throw PlanningError.noFileMatches(
                pattern, literal: Glob(pattern, mode: .localPath).isLiteral,
                in: pattern.hasPrefix("/") ? nil : FileManager.default.currentDirectoryPath, at: range)
        }
        return found
    }

    /// `upload PATTERN [as NAME] [to REPO] [on conflict POLICY]`
    mutating func planUpload(
        _ statement: Statement, pattern: Expression, as asName: Expression?, to: Expression?, conflict: ConflictPolicy
    ) async throws {
        let repository = try await targetRepository(to, statement)
        let text = try await string(pattern) ?? ""
        let found = try expandLocal(text, at: pattern.range)
        var renamed: String?
        if let asName {
            guard found.count == 1 else {
                throw PlanningError.asMatchesMany(text, found.map(\.path), at: pattern.range)
            }
            renamed = try await string(asName)
            if let problem = FileNameRule.problem(with: renamed!) {
                throw PlanningError.invalidArtifactName(renamed!, problem: problem, at: asName.range)
            }
        }
        if renamed == nil, let odd = found.first(where: { FileNameRule.problem(with: $0.name) != nil }) {
            throw PlanningError.uploadUnderOwnName(
                odd.path, problem: FileNameRule.problem(with: odd.name)!, at: pattern.range)
        }
        var state = try await remote(repository, at: statement.range)
        for file in found {
            let name = renamed ?? file.name
            // Two names Bitbucket may store alike (`a b.zip`, `a_b.zip`) are one artifact.
            let key = ArtifactKey(repository, RemoteState.storedAlias(of: name))
            if let first = uploads[key] {
                throw PlanningError.duplicateUpload(
                    name, in: repository, paths: (first.path, file.path), at: statement.range, first: first.range)
            }
            uploads[key] = (statement.range, file.path)
            touch(repository, name)
            let manifest = try manifestForUpload(name, to: repository, at: statement.range)
            let upload = Step.Upload(
                repository: repository, name: name, localPath: file.path, size: file.size,
                localModified: file.modified, manifest: manifest)
            var action = Step.Action.upload(upload)
            // Not sent, so recorded in no manifest.
            let skipped = Step.Upload(
                repository: repository, name: name, localPath: file.path, size: file.size,
                localModified: file.modified)
            var reason: String?
            let existing = state.existingName(for: name)
            if let existing, !existing.isExactly(name) { touch(repository, existing) }
            if let existing {
                let stored = existing.isExactly(name) ? "" : " (stored as '\(existing)')"
                switch conflict {
                case .fail:
                    throw PlanningError.uploadExists(name, in: repository, storedAs: stored, at: statement.range)
                case .skip:
                    action = .skip(.upload(skipped))
                    reason = "exists\(stored), skipped"
                case .replace:
                    action = .replace(upload)
                    if !existing.isExactly(name) { reason = "stored as \(existing)" }
                case .update:
                    let decision = try updateDecision(
                        file.path, existing: existing, in: repository, at: statement.range)
                    if let hash = decision.unchanged {
                        action = .skip(.unchanged(skipped, sha256: hash))
                    } else {
                        action = .replace(upload)
                    }
                    reason = decision.reason + (existing.isExactly(name) ? "" : ", stored as \(existing)")
                }
            } else if conflict == .update, state.checksums == nil {
                throw PlanningError.updateNeedsChecksums(in: repository, at: statement.range)
            }
            let step = Step(action, reason: reason, source: position(statement.range))
            steps.append(step)
            if step.kind.isChange {
                state.upload(name, size: file.size, at: options.now, line: step.source.line)
                remotes[repository] = state
                recordUpload(name, in: repository, at: step.source)
                state = remotes[repository] ?? state
            } else if let existing {
                // Left as it is (`= unchanged`, or skipped): confirmed, so a later prune keeps it.
                state.confirm(existing, line: step.source.line)
            }
        }
        remotes[repository] = state
    }

    /// `download PATTERN [from REPO] [to DIR] [on conflict POLICY]`
    mutating func planDownload(
        _ statement: Statement, pattern: Expression, from: Expression?, to: Expression?, conflict: ConflictPolicy
    ) async throws {
        let repository = try await targetRepository(from, statement)
        let text = try await self.pattern(pattern) ?? ""
        let directory = try await string(to) ?? "."
        let state = try await remote(repository, at: statement.range)
        let found = state.matching(Glob(text))
        if found.isEmpty {
            throw PlanningError.noArtifactMatches(text, in: repository, at: pattern.range)
        }
        // A name that cannot be a plain file name never becomes a path: joined to the folder,
        // `../x` or `/x` would write outside it. A single such artifact may be given a local
        // name with `to "FILE"`.
        var fileTarget: String?
        if let odd = found.first(where: { FileNameRule.problem(with: $0.name) != nil }) {
            let problem = FileNameRule.problem(with: odd.name)!
            if found.count == 1, to != nil, directory != ".", !directory.hasSuffix("/"), !files.isDirectory(directory) {
                fileTarget = directory
            } else {
                let hint =
                    found.count == 1
                    ? "; give it a local name with 'to \"FILE\"'"
                    : "; download it alone, with a local name: download \"…\" to \"FILE\""
                throw PlanningError.unsafeArtifactName(
                    odd.name, in: repository, problem: problem, hint: hint, at: pattern.range)
            }
        }
        // What stands where the folder or the file must go is checked now, not halfway through
        // applying: a file where a folder is needed (or the reverse) stops planning.
        let folder = fileTarget.map { ($0 as NSString).deletingLastPathComponent } ?? directory
        var ancestor = ""
        for component in (folder as NSString).pathComponents where component != "." {
            ancestor = ancestor.isEmpty ? component : (ancestor as NSString).appendingPathComponent(component)
            if files.exists(ancestor), !files.isDirectory(ancestor) {
                throw PlanningError.downloadIntoFile(ancestor, folder: folder, at: statement.range)
            }
        }
        for artifact in found {
            let path =
                fileTarget
                ?? (directory == "." ? artifact.name : (directory as NSString).appendingPathComponent(artifact.name))
            if files.isDirectory(path) {
                throw PlanningError.downloadOntoFolder(path, artifact: artifact.name, at: statement.range)
            }
            if let kind = files.special(path) {
                throw PlanningError.downloadOntoSpecialFile(
                    path, kind: kind, artifact: artifact.name, at: statement.range)
            }
            if let first = downloadTargets[ExactName(path)] {
                throw PlanningError.duplicateDownload(path, at: statement.range, first: first)
            }
            downloadTargets[ExactName(path)] = statement.range
            touch(repository, artifact.name)
            let policy = Step.LocalConflict(rawValue: conflict.rawValue)
            // Checked against the manifest while streaming; the manifest itself, and what this
            // run uploads (its hash is known only once sent), are not.
            let manifest = state.checksums.flatMap {
                $0.isManifest(artifact.name) || $0.pending.contains(name: artifact.name) ? nil : $0
            }
            let sha256 = manifest?.entries[artifact.name]
            if sha256 != nil { noteCountsAsDownloads() }
            var action = Step.Action.download(
                Step.Download(
                    repository: repository, name: artifact.name, localPath: path, size: artifact.size,
                    localConflict: policy, manifest: manifest?.name, sha256: sha256))
            var reason: String?
            if files.exists(path) {
                switch conflict {
                case .fail:
                    throw PlanningError.downloadExists(path, at: statement.range)
                case .skip:
                    action = .skip(
                        .download(
                            Step.Download(
                                repository: repository, name: artifact.name, localPath: path, size: artifact.size,
                                localConflict: policy)))
                    reason = "\(path) exists, skipped"
                case .replace:
                    reason = "replaces the local file"
                case .update:
                    throw PlanningError(.updateIsForUploads(at: statement.range))
                }
            }
            steps.append(Step(action, reason: reason, source: position(statement.range)))
        }
    }

    /// `delete PATTERN [from REPO]`
    mutating func planDelete(_ statement: Statement, pattern: Expression, from: Expression?) async throws {
        let repository = try await targetRepository(from, statement)
        let text = try await self.pattern(pattern) ?? ""
        let state = try await remote(repository, at: statement.range)
        var found = state.matching(Glob(text))
        // `delete "my file.zip"` means the artifact its upload left: `my_file.zip` where spaces
        // were stored as `_`.
        if found.isEmpty, Glob(text).isLiteral, let stored = state.existingName(for: text),
            let artifact = state[stored]
        {
            found = [artifact]
        }
        // Entries of artifacts already gone that the pattern names go from the manifest.
        dropOrphans(matching: Glob(text), in: repository, at: position(statement.range))
        if found.isEmpty {
            // Deleting what is not there changes nothing, and the plan says so.
            steps.append(
                Step(
                    .skip(.delete(Step.Delete(repository: repository, name: text, size: nil))),
                    reason: Glob(text).isLiteral
                        ? "not there, nothing to delete" : "nothing matches, nothing to delete",
                    source: position(statement.range)))
            return
        }
        try delete(found, from: repository, reason: nil, statement)
    }

    /// `prune [PATTERN] [in REPO] [keep N] [older than DURATION]`
    mutating func planPrune(_ statement: Statement, _ s: PruneStatement) async throws {
        let repository = try await targetRepository(s.repository, statement)
        let glob = Glob(try await pattern(s.pattern) ?? "*")
        var keeps: [PruneRule.Keep] = []
        for keep in s.keeps {
            let order = PruneRule.Order(rawValue: keep.order.rawValue) ?? .newest
            keeps.append(PruneRule.Keep(try await integer(keep.count), order))
        }
        let age = try await s.olderThan.asyncMap { try await duration($0) }
        let rule = PruneRule(keeps: keeps, olderThan: age)
        let count = rule.keeps.isEmpty ? nil : rule.keeps.map(\.count).max()
        // Legal, and almost always a slip: said in the plan, next to what it deletes.
        if (count == 0 && (age ?? 0) == 0) || (count == nil && age == 0) {
            notes.append(
                "prune \(rule.reason.dropFirst("prune ".count)) deletes every artifact matching '\(glob)' in \(repository) (\(position(statement.range)))"
            )
        }
        let state = try await remote(repository, at: statement.range)
        // Which artifacts go depends on every candidate, kept ones included: a saved plan must
        // notice when one of those changed (a kept release deleted would leave one too few).
        let candidates = state.matching(glob)
        for candidate in candidates { touch(repository, candidate.name) }
        let unknown = candidates.filter { !$0.isCreationKnown }.count
        if unknown > 0 {
            notes.append(
                "\(unknown) artifact\(unknown == 1 ? "" : "s") matching '\(glob)' in \(repository) \(unknown == 1 ? "has" : "have") no readable creation time: never pruned (\(position(statement.range)))"
            )
        }
        if rule.usesVersions {
            let unversioned = candidates.filter { Version.read(from: $0.name, pattern: glob.pattern) == nil }
            if !unversioned.isEmpty {
                let names = unversioned.prefix(3).map { "'\($0.name)'" }.joined(separator: ", ")
                notes.append(
                    "\(unversioned.count) artifact\(unversioned.count == 1 ? "" : "s") matching '\(glob)' in \(repository) \(unversioned.count == 1 ? "has" : "have") no version, never deleted by a version rule: \(names)\(unversioned.count > 3 ? ", …" : "") (\(position(statement.range)))"
                )
            }
        }
        let (doomed, kept) = state.pruning(glob, by: rule, now: options.now)
        // What the prune would have taken but for a statement of this run: shown, not deleted.
        for (artifact, line) in kept {
            steps.append(
                Step(
                    .skip(.delete(Step.Delete(repository: repository, name: artifact.name, size: artifact.size))),
                    reason: "kept: confirmed by line \(line)", source: position(statement.range)))
        }
        try delete(doomed, from: repository, reason: rule.reason, statement)
    }

    mutating func delete(
        _ artifacts: [Artifact], from repository: RepositoryName, reason: String?, _ statement: Statement
    )
        throws
    {
        deletions += artifacts.count
        if let limit = options.maxDelete, deletions > limit {
            throw PlanningError.maxDelete(deletions, limit: limit, at: statement.range)
        }
        for artifact in artifacts {
            touch(repository, artifact.name)
            let step = Step(
                .delete(Step.Delete(repository: repository, name: artifact.name, size: artifact.size)),
                reason: reason, source: position(statement.range))
            steps.append(step)
            remotes[repository]?.delete(artifact.name)
            recordDelete(artifact.name, in: repository, at: step.source)
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
