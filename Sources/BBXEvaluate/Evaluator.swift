import BBXCheck
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import Minisign
import SafeText

/// What a script is evaluated with, beyond its text.
public struct EvaluationOptions: Sendable {
    /// `--var NAME=VALUE`: names bound (as strings) before the script runs.
    public var variables: [String: String] = [:]
    /// The repository in effect before any `use` (`BITBUCKET_REPO_FULL_NAME`, the REPL's `:use`).
    public var defaultRepository: RepositoryName?
    /// What `env(…)` reads.
    public var environment: [String: String] = [:]
    /// The moment ages and `older than` are measured from.
    public var now = Date()
    /// `--max-delete N`: planning fails if the plan would delete more.
    public var maxDelete: Int?
    /// Whether Connect app credentials are configured: without them a Connect statement stops
    /// planning (exit 77) rather than failing halfway through applying.
    public var hasConnectCredentials = true
    /// Why there are none, when some of the Connect variables are set and others not.
    public var connectCredentialsProblem: String?
    /// The REPL: a `let` may bind again a name bound by an earlier entry (it shadows it).
    public var rebindsEarlierNames = false
    /// How many repositories a loop over repositories lists at once (`--jobs`).
    public var readJobs = 4

    public init() {}
}

/// Something a statement shows while it is planned: `print`, `list`, Connect reads.
public enum PlanOutput: Hashable, Sendable {
    case line(String)
    /// `list`: the matching artifacts of a repository, as the plan has reached them.
    case artifacts(repository: RepositoryName, [Artifact])
    /// A Connect read: `linkers`, `linker "K"`, `linker "K" values`, `linker "K" value N`.
    case connect(ConnectReadResult)
}

/// Walks a checked syntax tree and decides what would change: the plan. Reads the remote
/// state through `RemoteReader` (each repository once, on first use) and the local files
/// through `LocalFiles`; never writes anything.
///
/// A value type on purpose: the REPL keeps one across entries and restores its copy when an
/// entry fails, so a failed entry binds nothing.
public struct Evaluator: Sendable {
    public var options: EvaluationOptions
    let reader: any RemoteReader
    let files: any LocalFiles

    /// Names by scope, innermost last; each scope also has its default repository.
    var scopes: [Scope]
    /// Each repository's Downloads as the plan has left them.
    var remotes: [RepositoryName: RemoteState] = [:]
    /// Each repository's Downloads as read, for the plan's fingerprints.
    var listings: [RepositoryName: RemoteState] = [:]
    /// Repositories listed ahead (`prefetch`) whose manifest is still to be read.
    var prefetchedManifests: Set<RepositoryName> = []
    /// Each workspace's repositories as listed (`repositories(…)`), by lower-cased workspace.
    var workspaces: [String: [RepositoryName]] = [:]
    /// `checksums NAME [signed]` by repository: kept across runs (REPL entries), while the
    /// manifest's state is read again with the repository (and takes `signed` from here).
    var declaredManifests: [RepositoryName: (name: String, signed: Bool)] = [:]
    /// Each declared manifest as read, restored when a dry run's predictions are dropped.
    var manifestsRead: [RepositoryName: RemoteState.ManifestState] = [:]

    // Per run (one script, or one REPL entry).
    var source = SourceFile(name: "", text: "")
    var steps: [Step] = []
    var touched: [Fingerprint] = []
    var touchedKeys = Set<ArtifactKey>()
    /// Where each repository was first named in this run.
    var namedAt: [RepositoryName: SourceRange] = [:]
    /// Each planned upload's statement and local file, by the name Bitbucket would store.
    var uploads: [ArtifactKey: (range: SourceRange, path: String)] = [:]
    var downloadTargets: [ExactName: SourceRange] = [:]
    var deletions = 0
    var notes: [String] = []
    /// What this run changes in each repository's manifest, and in which order they change.
    var manifestChanges: [RepositoryName: ManifestChange] = [:]
    var manifestOrder: [RepositoryName] = []
    /// `trust` by repository: the public keys a manifest's signature must verify against.
    var trustedKeys: [RepositoryName: [Minisign.PublicKey]] = [:]
    /// A manifest's text as read, until its signature is checked (`checkSignature`).
    var manifestTexts: [RepositoryName: String] = [:]
    /// The statement being planned (a manifest change remembers where it began).
    var currentRange = SourceRange(0, 0)
    /// The linker endpoints' deprecation is said once per run (once per REPL session).
    var saidLinkerDeprecation = false
    /// Top-level names an entry may bind again (the REPL's earlier entries' names), once each.
    var rebindable: Set<String> = []
    var output: @Sendable (PlanOutput, Int) -> Void = { _, _ in }

    struct Scope {
        var names: [String: Value] = [:]
        var repository: RepositoryName?
    }

    public init(options: EvaluationOptions, reader: any RemoteReader, files: any LocalFiles = DiskFiles()) {
        self.options = options
        self.reader = reader
        self.files = files
        var globals = Scope(repository: options.defaultRepository)
        for (name, value) in options.variables { globals.names[name] = .string(value) }
        scopes = [globals]
    }

    /// Plans a script. `output` receives what `print`, `list` and Connect reads show, in order,
    /// each with the number of steps whose outcome it describes (a `print` after the uploads can
    /// wait until they are done; a Connect read describes the app before any change, so 0).
    /// Throws `PlanningError` at the first problem; nothing has changed anywhere then.
    public mutating func plan(
        _ script: Script, in source: SourceFile,
        output: @escaping @Sendable (_ output: PlanOutput, _ afterSteps: Int) -> Void = { _, _ in }
    ) async throws -> Plan {
        self.source = source
        self.output = output
        steps = []
        touched = []
        touchedKeys = []
        namedAt = [:]
        uploads = [:]
        downloadTargets = [:]
        deletions = 0
        notes = []
        manifestChanges = [:]
        manifestOrder = []
        rebindable = options.rebindsEarlierNames ? Set(scopes[0].names.keys) : []
        for (name, state) in remotes { remotes[name] = state.startingRun() }
        try await run(script.statements)
        steps += try manifestSteps()
        var plan = Plan(steps: steps, fingerprints: touched, notes: notes)
        plan.predictedCounts = remotes.mapValues(\.count)
        return plan
    }

    /// The names bound at the top level (the REPL's `:vars`, and what it checks entries with).
    public var globals: [String: Value] { scopes[0].names }

    /// The repository in effect at the top level.
    public var currentRepository: RepositoryName? {
        get { scopes[0].repository }
        set { scopes[0].repository = newValue }
    }

    /// Forgets what was read, so the next statement reads the repositories again (after a
    /// failed apply, when the prediction may be wrong).
    public mutating func forgetRemoteState() {
        remotes = [:]
        listings = [:]
        manifestsRead = [:]
        prefetchedManifests = []
        workspaces = [:]
    }

    /// Undoes what the last plan predicted, keeping what it read: after a dry run, the view of
    /// the remote is exactly as listed, as if the planned changes had never been considered.
    public mutating func discardPlannedChanges() {
        for (name, listing) in listings {
            remotes[name] = RemoteState(listing: listing.all)
            remotes[name]?.checksums = manifestsRead[name]
        }
    }

    /// Reads a repository again now (the REPL's `:refresh`).
    public mutating func refresh(_ repository: RepositoryName) async throws(RemoteReadError) {
        let listing = try await reader.artifacts(in: repository)
        let state = RemoteState(listing: listing)
        remotes[repository] = state
        listings[repository] = state
        // Its manifest, if one is kept, is read again by the next statement that reads it.
        prefetchedManifests.insert(repository)
    }

    /// The artifact names of a repository already read, for completion (no request).
    public func knownArtifactNames(in repository: RepositoryName) -> [String] {
        remotes[repository].map { $0.all.map(\.name) } ?? []
    }

    // MARK: - Statements

    mutating func run(_ statements: [Statement]) async throws {
        for statement in statements { try await run(statement) }
    }

    mutating func inScope(_ body: (inout Evaluator) async throws -> Void) async throws {
        scopes.append(Scope(repository: scopes[scopes.count - 1].repository))
        defer { scopes.removeLast() }
        try await body(&self)
    }

    mutating func run(_ statement: Statement) async throws {
        currentRange = statement.range
        switch statement.kind {
        case .use(let s):
            scopes[scopes.count - 1].repository = try await repository(s.repository)

        case .let(let s):
            let name = s.name
            let value = try await evaluate(s.value)
            if scopes.count == 1, rebindable.remove(name.name) != nil {
                // At the prompt, binding a name again is what people expect.
            } else if scopes[scopes.count - 1].names[name.name] != nil {
                throw PlanningError.rebound(name.name, at: name.range)
            }
            scopes[scopes.count - 1].names[name.name] = value

        case .upload(let s):
            try await planUpload(
                statement, pattern: s.pattern, as: s.asName, to: s.repository, conflict: s.conflict?.value ?? .fail)

        case .download(let s):
            try await planDownload(
                statement, pattern: s.pattern, from: s.repository, to: s.directory, conflict: s.conflict?.value ?? .fail
            )

        case .delete(let s):
            try await planDelete(statement, pattern: s.pattern, from: s.repository)

        case .prune(let s):
            try await planPrune(statement, s)

        case .list(let s):
            let pattern = s.pattern
            let name = try await targetRepository(s.repository, statement)
            let glob = Glob(try await self.pattern(pattern) ?? "*")
            let state = try await remote(name, at: statement.range)
            let found = state.matching(glob)
            if found.isEmpty, pattern != nil {
                // Say what was looked for, and that the repository is not empty when it is not.
                let total = state.count
                emit(.line("no artifacts match '\(glob)' (\(total) in \(name))"))
            } else {
                emit(.artifacts(repository: name, found))
            }

        case .print(let s):
            var texts: [String] = []
            for value in s.values { texts.append(try await evaluate(value).description) }
            emit(.line(texts.joined(separator: " ")))

        case .assert(let s):
            guard try await boolean(s.condition) else {
                let text = try await string(s.message) ?? "assertion failed: \(source.text(of: s.condition.range))"
                throw PlanningError.assertionFailed(text, at: statement.range)
            }

        case .fail(let s):
            throw PlanningError.failed(try await string(s.message) ?? "fail", at: statement.range)

        case .if(let s):
            for branch in s.branches where try await boolean(branch.condition) {
                try await inScope { try await $0.run(branch.body.statements) }
                return
            }
            if let elseBlock = s.elseBlock { try await inScope { try await $0.run(elseBlock.statements) } }

        case .for(let s):
            let sequence = try await evaluate(s.sequence)
            guard case .list(let items) = sequence else {
                throw PlanningError.wrongKind(
                    expected: "a list to loop over (such as files(\"*.zip\"))", found: sequence, at: s.sequence.range)
            }
            if s.body.actsOn(s.variable.name) {
                await prefetch(items.compactMap { if case .repository(let name) = $0 { name } else { nil } })
            }
            for item in items {
                try await inScope {
                    $0.scopes[$0.scopes.count - 1].names[s.variable.name] = item
                    try await $0.run(s.body.statements)
                }
            }

        case .addonUpdate(let s): try await planAddonUpdate(s, statement)
        case .addonDelete: try planAddonDelete(statement)
        case .linkers: try await planLinkers(statement)
        case .linker(let s): try await planLinker(s, statement)
        case .checksums(let s): try await planChecksums(s, statement)
        case .verify(let s): try await planVerify(s, statement)
        case .trust(let s): try await planTrust(s, statement)
        }
    }

    // MARK: - Helpers

    func emit(_ item: PlanOutput) {
        output(item, steps.count)
    }

    /// Where a statement is, as the plan shows it.
    func position(_ range: SourceRange) -> SourcePosition {
        let location = source.location(of: range.start)
        return SourcePosition(file: source.name, line: location.line, column: location.column)
    }

    /// The repository a statement works on: its clause, else the one in effect.
    mutating func targetRepository(_ clause: Expression?, _ statement: Statement) async throws -> RepositoryName {
        try await repositoryInEffect(
            clause, for: "'\(statement.kind.tag.rawValue)'",
            hint: "add '\(statement.repositoryClauses.first?.word ?? "in") workspace/slug'", at: statement.keyword)
    }

    /// The repository written (`given`), else the one in effect; without either, the checker's
    /// `needs-repository` error, in its words, for `subject` (`'list'`, `'exists'`).
    mutating func repositoryInEffect(_ given: Expression?, for subject: String, hint: String, at range: SourceRange)
        async throws -> RepositoryName
    {
        if let given { return try await repository(given) }
        guard let current = scopes[scopes.count - 1].repository else {
            throw PlanningError(.needsRepository(subject, hint: hint, at: range))
        }
        return current
    }

    /// A repository's state, read on first use.
    mutating func remote(_ repository: RepositoryName, at range: SourceRange) async throws -> RemoteState {
        if prefetchedManifests.remove(repository) != nil {
            // Listed ahead by a loop: its manifest is read now, where a problem can be pointed at.
            try await loadManifest(of: repository, at: range)
        }
        if let state = remotes[repository] { return state }
        let listing: [Artifact]
        do {
            listing = try await reader.artifacts(in: repository)
        } catch {
            throw PlanningError(error, at: error.cause == .missingRepository ? namedAt[repository] ?? range : range)
        }
        let state = RemoteState(listing: listing)
        remotes[repository] = state
        listings[repository] = state
        try await loadManifest(of: repository, at: range)
        return remotes[repository] ?? state
    }

    /// A workspace's repositories, listed on first use.
    mutating func repositories(in workspace: String, at range: SourceRange) async throws -> [RepositoryName] {
        if let known = workspaces[workspace.lowercased()] { return known }
        do {
            let listed = try await reader.repositories(in: workspace)
            workspaces[workspace.lowercased()] = listed
            return listed
        } catch {
            throw PlanningError(error, at: range)
        }
    }

    /// Reads, at once and `options.readJobs` at a time, the listings of the repositories a loop
    /// is about to act on (`for r in repositories("acme") { prune … in r }`): planning 300
    /// repositories is then not 300 round trips in a row. A repository that cannot be read is
    /// left for the statement that needs it, which reports it where it stands.
    mutating func prefetch(_ repositories: [RepositoryName]) async {
        var wanted: [RepositoryName] = []
        for name in repositories where remotes[name] == nil && !wanted.contains(name) { wanted.append(name) }
        guard wanted.count > 1, options.readJobs > 1 else { return }
        let reader = self.reader
        let limit = options.readJobs
        // Each listing becomes the repository's state as it arrives (never all held twice).
        var states: [RepositoryName: RemoteState] = [:]
        await withTaskGroup(of: (RepositoryName, [Artifact]?).self) { group in
            var next = 0
            func start() {
                let name = wanted[next]
                next += 1
                group.addTask { (name, try? await reader.artifacts(in: name)) }
            }
            while next < min(limit, wanted.count) { start() }
            while let (name, listing) = await group.next() {
                if let listing { states[name] = RemoteState(listing: listing) }
                if next < wanted.count, !Task.isCancelled { start() }
            }
        }
        for (name, state) in states where remotes[name] == nil {
            remotes[name] = state
            listings[name] = state
            prefetchedManifests.insert(name)
        }
    }

    /// Records that a step touches a remote artifact, as it was when read.
    mutating func touch(_ repository: RepositoryName, _ name: String) {
        // Once each: the first is how the artifact was read.
        guard touchedKeys.insert(ArtifactKey(repository, name)).inserted else { return }
        touched.append(Fingerprint(repository: repository, name: name, artifact: listings[repository]?[name]))
    }
}

extension PlanOutput {
    /// As a person reads it: the line, or the artifacts as a table.
    public var text: String {
        switch self {
        // Printed lines often hold artifact names, which come from servers.
        case .line(let line): line.printSafe + "\n"
        case .artifacts(let repository, let artifacts): artifactTable(artifacts, repository: repository)
        case .connect(let result): result.lines.map { $0.printSafe + "\n" }.joined()
        }
    }
}
