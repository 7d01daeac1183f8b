import BBXCheck
import BBXPlan
import BBXSyntax
import BitbucketModel
import SafeText

/// Every error planning stops with, in one place and alphabetical by identifier, like the
/// checker's catalog. A problem the checker also finds is built by the checker's catalog, so
/// both say it in the same words; planning meets those only where the checker could not know
/// (a value read from the environment, a name bound in an earlier REPL entry).
extension PlanningError {
    static func asMatchesMany(_ pattern: String, _ paths: [String], at range: SourceRange) -> PlanningError {
        PlanningError(
            "'as' needs a pattern that matches exactly one file; '\(pattern)' matches \(paths.count): "
                + paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? ", …" : ""),
            at: range, id: .asMany)
    }

    static func assertionFailed(_ message: String, at range: SourceRange) -> PlanningError {
        PlanningError(message, at: range, id: .assert)
    }

    static func conditionNotBoolean(_ value: Value, at range: SourceRange) -> PlanningError {
        PlanningError(.conditionNotBoolean(value.kind, at: range))
    }

    static func connectCredentials(problem: String?, at range: SourceRange) -> PlanningError {
        PlanningError(
            "Connect statements need the app's credentials: "
                + (problem
                    ?? "set BITBUCKET_CONNECT_APP_KEY, BITBUCKET_CONNECT_CLIENT_KEY and BITBUCKET_CONNECT_SHARED_SECRET"),
            at: range, id: .connectCredentials, cause: .credentials)
    }

    static func credentialVariable(_ name: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "env(\"\(name)\") is refused: \(name) holds a credential, which is for bbx to send, not for scripts to read",
            at: range, id: .credentialEnv)
    }

    static func descriptorNotAnObject(_ file: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'\(file)' is not a JSON object; a Connect descriptor is one", at: range, id: .invalidDescriptor)
    }

    static func downloadExists(_ path: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'\(path)' already exists; add 'on conflict replace' to overwrite it or 'on conflict skip' to keep it",
            at: range, id: .conflict)
    }

    static func downloadIntoFile(_ file: String, folder: String, at range: SourceRange) -> PlanningError {
        PlanningError("'\(file)' is a file, so nothing can be downloaded into '\(folder)'", at: range, id: .localFile)
    }

    static func downloadOntoFolder(_ path: String, artifact: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'\(path)' is a folder, so the download of '\(artifact)' cannot be written there", at: range,
            id: .localFile)
    }

    static func downloadOntoSpecialFile(_ path: String, kind: String, artifact: String, at range: SourceRange)
        -> PlanningError
    {
        PlanningError(
            "'\(path)' is \(kind), so the download of '\(artifact)' cannot be written there; bbx replaces only files and links",
            at: range, id: .localFile)
    }

    static func duplicateDownload(_ path: String, at range: SourceRange, first: SourceRange) -> PlanningError {
        PlanningError(
            "two downloads would both write '\(path)'", at: range, id: .duplicateDownload,
            notes: [Diagnostic.Note("the first is here", at: first)])
    }

    static func duplicateUpload(
        _ name: String, in repository: RepositoryName, paths: (String, String), at range: SourceRange,
        first: SourceRange
    ) -> PlanningError {
        PlanningError(
            "two uploads would both be named '\(name)' in \(repository): \(paths.0) and \(paths.1)", at: range,
            id: .duplicateUpload, notes: [Diagnostic.Note("the first is here", at: first)])
    }

    static func failed(_ message: String, at range: SourceRange) -> PlanningError {
        PlanningError(message, at: range, id: .fail)
    }

    static func invalidArtifactName(_ name: String, problem: String, at range: SourceRange) -> PlanningError {
        PlanningError(.invalidArtifactName(name, problem: problem, at: range))
    }

    static func invalidDescriptor(_ file: String, problem: String, at range: SourceRange) -> PlanningError {
        PlanningError("'\(file)' is not valid JSON: \(problem)", at: range, id: .invalidDescriptor)
    }

    static func invalidRepository(_ text: String, at range: SourceRange) -> PlanningError {
        PlanningError(.invalidRepository(text, at: range))
    }

    static func invalidURL(_ text: String, at range: SourceRange) -> PlanningError {
        PlanningError(.invalidURL(text, at: range))
    }

    static func localFile(_ problem: any Error, at range: SourceRange) -> PlanningError {
        PlanningError("\(problem)", at: range, id: .localFile)
    }

    static func manifestTooLarge(_ name: String, size: Int64, in repository: RepositoryName, at range: SourceRange)
        -> PlanningError
    {
        PlanningError(
            "\(name) in \(repository) is \(formatBytes(size)), more than the \(formatBytes(Int64(ChecksumManifest.maximumBytes))) bbx reads; "
                + "to keep its checksums, download it in a run without 'checksums' (download \"\(name)\" from \(repository)), "
                + "drop the lines of artifacts you no longer keep, and upload it back (upload \"FILE\" as \"\(name)\" to \(repository) on conflict replace)",
            at: range, id: .manifestTooLarge)
    }

    static func manifestWouldOutgrow(
        _ name: String, bytes: Int, entries: Int, in repository: RepositoryName, at range: SourceRange
    ) -> PlanningError {
        PlanningError(
            "\(name) in \(repository) would grow to about \(formatBytes(Int64(bytes))) with this run's \(entries) entries, more than the \(formatBytes(Int64(ChecksumManifest.maximumBytes))) bbx reads back; "
                + "prune or delete artifacts it covers first, or keep this series in another manifest",
            at: range, id: .manifestWouldOutgrow)
    }

    static func noVersion(_ text: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'\(text)' has no version (such as 1.10.0 or v2.0.0-rc.1); give a fallback with '??'", at: range,
            id: .noVersion)
    }

    static func nothingLatest(
        _ function: String, pattern: String, matched: Int, in repository: RepositoryName, at range: SourceRange
    )
        -> PlanningError
    {
        let what =
            function == "latest"
            ? "no release version (pre-releases and names without a version do not count)"
            : "no artifact with a creation time"
        return PlanningError(
            "\(function)(\"\(pattern)\") found nothing in \(repository): \(matched) artifact\(matched == 1 ? "" : "s") match, with \(what)",
            at: range, id: function == "latest" ? .nothingLatest : .nothingNewest)
    }

    static func notAPublicKey(problem: String, at range: SourceRange) -> PlanningError {
        PlanningError("cannot trust this key: \(problem)", at: range, id: .notAPublicKey)
    }

    static func signingKeyMissing(at range: SourceRange) -> PlanningError {
        PlanningError(
            "'checksums … signed' needs the signing key: set BBX_SIGNING_KEY (a minisign secret key's contents) or BBX_SIGNING_KEY_FILE (its path), and BBX_SIGNING_KEY_PASSWORD when it is encrypted (bbx keygen makes one)",
            at: range, id: .signingKeyMissing, cause: .credentials)
    }

    static func untrustedManifest(_ name: String, in repository: RepositoryName, problem: String, at range: SourceRange)
        -> PlanningError
    {
        PlanningError(
            "\(name) in \(repository) is not signed by a trusted key, so none of its entries is believed: \(problem)",
            at: range, id: .untrustedManifest)
    }

    static func matchesNeedsStrings(at range: SourceRange) -> PlanningError {
        PlanningError("'matches' needs a string on both sides", at: range, id: .wrongKind)
    }

    static func maxDelete(_ count: Int, limit: Int, at range: SourceRange) -> PlanningError {
        PlanningError(
            "the plan would delete \(count) artifacts, more than --max-delete \(limit) allows", at: range,
            id: .maxDelete)
    }

    static func noArtifactMatches(_ pattern: String, in repository: RepositoryName, at range: SourceRange)
        -> PlanningError
    {
        // A name with glob characters (from `--var`, `env()`) that is an artifact's name as it is.
        let hint =
            Glob(pattern).isLiteral || pattern.unicodeScalars.allSatisfy({ !"[]{}".unicodeScalars.contains($0) })
            ? "" : "; '[', '{' and ',' are glob characters: for this name as it is, write exact(…) around it"
        return PlanningError("no artifact in \(repository) matches '\(pattern)'\(hint)", at: range, id: .noMatch)
    }

    static func noFileMatches(_ pattern: String, literal: Bool, in folder: String?, at range: SourceRange)
        -> PlanningError
    {
        PlanningError(
            "\(literal ? "no such file" : "no file matches") '\(pattern)'\(folder.map { " (looked in \($0))" } ?? "")",
            at: range, id: .noMatch)
    }

    static func noSuchField(_ name: String, of value: Value, at range: SourceRange) -> PlanningError {
        PlanningError(
            .noSuchField(name, of: value.kind, fields: Builtins.fields[value.kind]?.map(\.name) ?? [], at: range))
    }

    static func notADuration(_ text: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "expected a duration such as 30d or 2w 3d, found the text \"\(text)\"", at: range, id: .notADuration)
    }

    static func notANumber(_ text: String, at range: SourceRange) -> PlanningError {
        PlanningError("expected a whole number, found the text \"\(text)\"", at: range, id: .notANumber)
    }

    static func notComparable(_ op: BinaryOperator, _ left: Value, _ right: Value, at range: SourceRange)
        -> PlanningError
    {
        PlanningError(.notComparable(op.rawValue, left.kind, right.kind, at: range))
    }

    static func rebound(_ name: String, at range: SourceRange) -> PlanningError {
        PlanningError("'\(name)' is already defined in this scope", at: range, id: .rebound)
    }

    static func secondManifest(
        _ name: String, declared: String, in repository: RepositoryName, at range: SourceRange
    ) -> PlanningError {
        PlanningError(
            "\(repository) already keeps its checksums in '\(declared)'; a repository has one manifest, so 'checksums \"\(name)\"' cannot follow",
            at: range, id: .secondManifest)
    }

    static func unbound(_ name: String, at range: SourceRange) -> PlanningError {
        PlanningError(.unbound(name, candidates: [], at: range))
    }

    static func unreadableManifest(
        _ name: String, in repository: RepositoryName, problem: ChecksumManifest.Problem, at range: SourceRange
    ) -> PlanningError {
        PlanningError(
            "\(name) in \(repository) is not a sha256sum manifest (\(problem)); fix or delete it before bbx keeps checksums there",
            at: range, id: .unreadableManifest)
    }

    static func unsafeArtifactName(
        _ name: String, in repository: RepositoryName, problem: String, hint: String, at range: SourceRange
    )
        -> PlanningError
    {
        PlanningError(
            "the artifact \"\(name)\" in \(repository) cannot be a local file name: \(problem)\(hint)", at: range,
            id: .unsafeArtifactName)
    }

    static func unsetVariable(_ name: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "the environment variable \(name) is not set; set it, or give a fallback: env(\"\(name)\", \"…\")",
            at: range, id: .unsetEnv)
    }

    static func updateNeedsChecksums(in repository: RepositoryName, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'on conflict update' compares with a checksum manifest, and \(repository) keeps none: put 'checksums \"SHA256SUMS\"' before it, or use 'on conflict replace'",
            at: range, id: .updateNeedsChecksums)
    }

    static func uploadExists(
        _ name: String, in repository: RepositoryName, storedAs stored: String, at range: SourceRange
    )
        -> PlanningError
    {
        PlanningError(
            "'\(name)' already exists in \(repository)\(stored); add 'on conflict replace' to replace it or 'on conflict skip' to leave it",
            at: range, id: .conflict)
    }

    static func uploadOfManifest(_ name: String, in repository: RepositoryName, at range: SourceRange)
        -> PlanningError
    {
        PlanningError(
            "\(name) is \(repository)'s checksum manifest, which bbx writes itself at the end of the run; upload it under another name",
            at: range, id: .uploadOfManifest)
    }

    static func uploadUnderOwnName(_ path: String, problem: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'\(path)' cannot be uploaded under its own name: \(problem); give it one with 'as \"NAME\"'", at: range,
            id: .invalidArtifactName)
    }

    static func verifyNeedsChecksums(in repository: RepositoryName, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'verify' compares with a checksum manifest, and \(repository) keeps none: put 'checksums \"SHA256SUMS\"' before it",
            at: range, id: .verifyNeedsChecksums)
    }

    static func valueTooLarge(bytes: Int, at range: SourceRange) -> PlanningError {
        PlanningError(.valueTooLarge(bytes: bytes, at: range))
    }

    static func notAWorkspace(_ text: String, at range: SourceRange) -> PlanningError {
        PlanningError(
            "'\(text.terminalSafe)' is not a workspace: give its slug (letters, digits, '-' and '_') or its {uuid}",
            at: range, id: .workspace)
    }

    static func wrongArguments(_ function: String, at range: SourceRange) -> PlanningError {
        let signature = Builtins.functions[function]?.signature ?? function
        return PlanningError("wrong arguments to \(function): expected \(signature)", at: range, id: .call)
    }

    static func wrongKind(expected: String, found value: Value, at range: SourceRange) -> PlanningError {
        PlanningError(.wrongKind(expected: expected, found: value.kind, at: range))
    }
}
