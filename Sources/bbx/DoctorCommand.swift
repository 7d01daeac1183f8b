import ArgumentParser
import BBXSyntax
import BitbucketAPI
import BitbucketModel
import Foundation
import Logging

/// `bbx doctor`: what a release job needs, checked in order, one line each with the fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the setup a release job needs: credential, network, repositories, storage, clock, Connect.",
        discussion: """
            Checks, in order, and prints one line per check (ok, or problem with its fix): which credential is used and from where (an API token sent as Bearer, a username instead of the account's email, an app password, Connect variables set partly); reaching the API (name lookup, proxy, TLS, with the time each took); for each repository named, or used by a script, that it is visible, the credential's kind and scopes as Bitbucket reports them, and whether the script's statements can run with them; that a download's redirect reaches the storage host without credentials (one byte is asked for); this machine's clock against the API's; and a signed read of the Connect app's linkers. Exits 0 when every check passes, 1 otherwise.

            Examples:
                bbx doctor acme/app
                bbx doctor release.bbx --json
            """
    )

    @Argument(help: "Repositories (workspace/slug) or scripts to check for (default: BITBUCKET_REPO_FULL_NAME).")
    var targets: [String] = []

    @Flag(help: "Print the checks as one JSON document.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var doctor = Doctor(environment: environment, options: connection)
        for target in targets { try doctor.add(target) }
        if doctor.repositories.isEmpty, let pipeline = try pipelineRepository(environment) {
            doctor.repositories.append(pipeline)
        }
        let checks = await doctor.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = Doctor.Document(ok: checks.allSatisfy(\.ok), checks: checks)
            if let data = try? encoder.encode(document) { Console.out(String(decoding: data, as: UTF8.self) + "\n") }
        } else {
            for check in checks { Console.out(check.text) }
            let problems = checks.filter { !$0.ok }.count
            Console.out(
                problems == 0
                    ? "all \(checks.count) checks passed\n"
                    : "\(problems) of \(checks.count) checks found a problem\n")
        }
        if !checks.allSatisfy(\.ok) { throw ExitStatus.applyFailed }
    }
}

/// One check's outcome, as data: printed as a line, or a JSON object.
struct DoctorCheck: Encodable, Sendable {
    let name: String
    let ok: Bool
    let detail: String
    var fix: String?
    var seconds: Double?

    static func ok(_ name: String, _ detail: String, seconds: Double? = nil) -> DoctorCheck {
        DoctorCheck(name: name, ok: true, detail: detail, fix: nil, seconds: seconds)
    }

    static func problem(_ name: String, _ detail: String, fix: String, seconds: Double? = nil) -> DoctorCheck {
        DoctorCheck(name: name, ok: false, detail: detail, fix: fix, seconds: seconds)
    }

    /// `ok       api: … (0.12 s)`, or `problem  …` with `fix: …` under it.
    var text: String {
        let time = seconds.map { String(format: " (%.2f s)", $0) } ?? ""
        var line = (ok ? "ok       " : "problem  ") + "\(name): \(detail)\(time)".terminalSafeLines + "\n"
        if let fix { line += "         fix: \(fix.terminalSafeLines)\n" }
        return line
    }
}

/// The checks, in the order a setup fails: the credential first, the network, then what each
/// repository allows, storage, the clock, Connect.
struct Doctor {
    struct Document: Encodable {
        let version = 1
        let command = "doctor"
        let ok: Bool
        let checks: [DoctorCheck]
    }

    let environment: [String: String]
    let options: ConnectionOptions
    var repositories: [RepositoryName] = []
    /// The statement kinds the scripts named use, and those of them that change a
    /// repository's Downloads (to say which the credential can run).
    var statementKinds: Set<Statement.Tag> = []
    var writingKinds: Set<Statement.Tag> = []

    /// A repository, or a script whose repositories and statements are checked for.
    mutating func add(_ target: String) throws {
        if let repository = RepositoryName(parsing: target), !FileManager.default.fileExists(atPath: target) {
            if !repositories.contains(repository) { repositories.append(repository) }
            return
        }
        let source: SourceFile
        do {
            source = try ScriptFiles.read(target)
        } catch {
            throw ValidationError("'\(target)' is neither a repository (workspace/slug) nor a readable script")
        }
        let script = Parser.parse(source).script
        let names = Sandbox.names(in: script, defaultRepository: try pipelineRepository(environment))
        for name in names.repositories.compactMap(RepositoryName.init(parsing:)) where !repositories.contains(name) {
            repositories.append(name)
        }
        func visit(_ statements: [Statement]) {
            for statement in statements {
                statementKinds.insert(statement.kind.tag)
                if statement.repositoryClauses.contains(where: { $0.role == .written }) {
                    writingKinds.insert(statement.kind.tag)
                }
                statement.blocks.forEach { visit($0.statements) }
            }
        }
        visit(script.statements)
    }

    func run() async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let (credential, configuration) = credentialCheck()
        checks.append(credential)
        guard var configuration else { return checks }
        // One attempt each, and not long: the doctor reports, it does not wait out an outage.
        configuration.retry.maxAttempts = 1
        configuration.connectTimeout = .seconds(10)
        configuration.readTimeout = .seconds(30)
        configuration.dryRun = true
        Console.secrets = secretValues(of: configuration, environment: environment, options: options)
        let client: BitbucketClient
        do {
            client = try BitbucketClient(
                configuration: configuration, logger: Logger(label: "bbx.doctor") { _ in SwiftLogNoOpLogHandler() })
        } catch {
            checks.append(.problem("api", "\(error)", fix: "check --url, --cacert and --proxy"))
            return checks
        }
        checks += await networkChecks(client, configuration)
        if configuration.connect != nil || configuration.incompleteConnect != nil
            || statementKinds.contains(where: \.isConnect)
        {
            checks.append(await connectCheck(client, configuration))
        }
        try? await client.shutdown()
        return checks
    }

    // MARK: - The credential

    func credentialCheck() -> (DoctorCheck, ClientConfiguration?) {
        let configuration: ClientConfiguration
        do {
            configuration = try options.configuration(environment: environment)
        } catch {
            return (.problem("credential", "\(error)", fix: "see 'bbx doctor --help' for the settings"), nil)
        }
        let apiTokenFix =
            "set BITBUCKET_EMAIL to the Atlassian account's email and BITBUCKET_API_TOKEN to the API token (and unset BITBUCKET_TOKEN)"
        switch configuration.credential {
        case nil:
            return (
                .problem(
                    "credential", "none is configured",
                    fix:
                        "set BITBUCKET_TOKEN to a repository access token, or BITBUCKET_EMAIL and BITBUCKET_API_TOKEN to an account's email and API token"
                ), nil
            )
        case .accessToken(let token)?:
            let source = options.tokenFile.map { "--token-file \($0)" } ?? "BITBUCKET_TOKEN"
            // Atlassian API tokens start with ATATT; sent as Bearer, Bitbucket refuses them.
            if token.revealed.hasPrefix("ATATT") {
                return (
                    .problem(
                        "credential", "\(source) holds an Atlassian API token, which Bitbucket does not take as Bearer",
                        fix: apiTokenFix), nil
                )
            }
            return (.ok("credential", "an access token (sent as Bearer) from \(source)"), configuration)
        case .apiToken(let email, _)?:
            guard email.contains("@") else {
                return (
                    .problem(
                        "credential",
                        "BITBUCKET_EMAIL is '\(email)', a username: API tokens go with the Atlassian account's email",
                        fix: "set BITBUCKET_EMAIL to the email of the account that made the API token"), nil
                )
            }
            return (
                .ok("credential", "an API token for \(email) from BITBUCKET_EMAIL and BITBUCKET_API_TOKEN"),
                configuration
            )
        case .appPassword(let username, _)?:
            return (
                .problem(
                    "credential",
                    "an app password for \(username) (BITBUCKET_USERNAME, BITBUCKET_APP_PASSWORD): Bitbucket stopped accepting app passwords on 28 July 2026",
                    fix: "create an API token and "
                        + apiTokenFix.replacingOccurrences(
                            of: "(and unset BITBUCKET_TOKEN)", with: "(and unset the app password)")), nil
            )
        }
    }

    // MARK: - Network, repositories, storage, clock

    func networkChecks(_ client: BitbucketClient, _ configuration: ClientConfiguration) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let api = URL(string: configuration.baseURL)
        let host = configuration.proxy.map(\.host) ?? api?.host ?? ""
        var resolved = false
        let lookup = ContinuousClock().measure { resolved = Self.resolves(host) }
        guard resolved else {
            let what = configuration.proxy == nil ? "the API's host" : "the proxy's host"
            return [
                .problem(
                    "api", "\(what) \(host) has no address (name lookup failed)",
                    fix: configuration.proxy == nil ? "check BITBUCKET_URL (or --url) and DNS" : "check HTTPS_PROXY",
                    seconds: lookup.seconds)
            ]
        }
        // The first repository's listing is the first request; without one, any answer of the
        // API shows it is reached.
        let probed = repositories.first ?? RepositoryName(parsing: "bbx-doctor/reachability")!
        let started = ContinuousClock.now
        var first: Result<BitbucketClient.ListingProbe, any Error>
        do {
            first = .success(try await client.probeListing(of: probed))
        } catch {
            first = .failure(error)
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let via = configuration.proxy.map { " through the proxy \($0.host):\($0.port)" } ?? ""
        if case .failure(let error) = first, case .connection(let failure)? = error as? BitbucketError {
            checks.append(
                .problem(
                    "api", "\(failure.target)\(via): \(failure.reason)", fix: Self.fix(for: failure.kind),
                    seconds: elapsed))
            return checks
        }
        // Which authorities TLS trusted: the one given, or the system's bundle that was found.
        var trust = ""
        if configuration.baseURL.hasPrefix("https:") {
            if let given = configuration.caCertificates {
                trust = "; trusting the authorities in \(given)"
            } else if let bundle = SystemTrustStore.bundle() {
                trust = "; trusting the system's authorities in \(bundle)"
            } else {
                trust = "; no system CA bundle found (looked in \(SystemTrustStore.bundles.joined(separator: ", ")))"
            }
        }
        checks.append(
            .ok(
                "api",
                "\(configuration.baseURL) answered\(via) (name lookup \(String(format: "%.3f", lookup.seconds)) s)\(trust)",
                seconds: elapsed))
        if repositories.isEmpty {
            checks.append(
                .problem(
                    "repository", "none named",
                    fix: "name one (bbx doctor acme/app) or a script (bbx doctor release.bbx)"))
            return checks
        }
        var serverDate: Date?
        var checkedStorage = false
        var allVisible = true
        for repository in repositories {
            let result: Result<BitbucketClient.ListingProbe, any Error>
            if repository == probed {
                result = first
            } else {
                do { result = .success(try await client.probeListing(of: repository)) } catch {
                    result = .failure(error)
                }
            }
            switch result {
            case .failure(let error):
                allVisible = false
                checks.append(repositoryProblem(repository, error))
            case .success(let probe):
                serverDate = serverDate ?? probe.serverDate
                checks.append(repositoryCheck(repository, probe.grant))
                if !checkedStorage, let newest = probe.newest {
                    checkedStorage = true
                    checks.append(await storageCheck(client, newest, in: repository))
                }
            }
        }
        if !checkedStorage, allVisible {
            checks.append(
                .ok(
                    "storage",
                    "not tried: no artifact in \(repositories.map(\.description).joined(separator: ", ")) to ask for"))
        }
        if let serverDate {
            let skew = Date().timeIntervalSince(serverDate)
            if abs(skew) <= 30 {
                checks.append(.ok("clock", "within \(Int(abs(skew).rounded())) s of the API's"))
            } else {
                checks.append(
                    .problem(
                        "clock",
                        "this machine's clock is \(Int(abs(skew))) s \(skew > 0 ? "ahead of" : "behind") the API's",
                        fix: "synchronise the clock (NTP): Connect JWTs and storage links are only valid for minutes"))
            }
        }
        return checks
    }

    func repositoryCheck(_ repository: RepositoryName, _ grant: CredentialGrant?) -> DoctorCheck {
        guard let grant else {
            return .ok(repository.description, "visible (Bitbucket did not say which scopes the credential holds)")
        }
        let held = grant.scopes.isEmpty ? "no scope" : grant.scopes.joined(separator: ", ")
        let kinds = "\(grant.type.isEmpty ? "the credential" : grant.type) holds \(held)"
        let writing = Statement.Tag.allCases.filter(writingKinds.contains)
        if grant.canWrite {
            return .ok(repository.description, "visible; \(kinds): it can list, download, upload and delete")
        }
        if !writing.isEmpty {
            return .problem(
                repository.description,
                "visible; \(kinds): the script's \(writing.map(\.rawValue).joined(separator: ", ")) need\(writing.count == 1 ? "s" : "") \(grant.writeScope)",
                fix: "use a credential with \(grant.writeScope) for this repository")
        }
        return .ok(repository.description, "visible; \(kinds): it can list and download, not upload or delete")
    }

    func repositoryProblem(_ repository: RepositoryName, _ error: any Error) -> DoctorCheck {
        guard case .status(let failure)? = error as? BitbucketError else {
            return .problem(repository.description, "\(error)", fix: "run again; if it persists, check the network")
        }
        switch failure.status {
        case 404:
            return .problem(
                repository.description, "does not exist, or the credential cannot see it",
                fix:
                    "check the name (workspace/slug) and that the credential was made for this repository, its project or its workspace"
            )
        case 401:
            return .problem(
                repository.description, "the credential was refused (401: \(failure.message))",
                fix: "check the credential's value and that it has not expired or been revoked")
        case 403:
            return .problem(
                repository.description, "the credential may not read it (403: \(failure.message))",
                fix: "use a credential with the read scope (repository, or read:repository:bitbucket)")
        default:
            return .problem(repository.description, failure.description, fix: "run again later")
        }
    }

    func storageCheck(_ client: BitbucketClient, _ name: String, in repository: RepositoryName) async -> DoctorCheck {
        let started = ContinuousClock.now
        do {
            let probe = try await client.probeStorage(name, in: repository)
            let elapsed = (ContinuousClock.now - started).seconds
            if probe.status == 200 || probe.status == 206 {
                return .ok(
                    "storage", "a download of \(name) reaches \(probe.host) without credentials", seconds: elapsed)
            }
            return .problem(
                "storage", "\(probe.host) answered \(probe.status) to a download of \(name)",
                fix: "downloads go to a second host: let it through the proxy or firewall", seconds: elapsed)
        } catch {
            return .problem(
                "storage", "a download of \(name): \(error)",
                fix: "downloads go to a second host: let it through the proxy or firewall")
        }
    }

    // MARK: - Connect

    func connectCheck(_ client: BitbucketClient, _ configuration: ClientConfiguration) async -> DoctorCheck {
        if let incomplete = configuration.incompleteConnect {
            return .problem("connect", incomplete, fix: "set all three BITBUCKET_CONNECT_* variables, or none")
        }
        guard configuration.connect != nil else {
            return .problem(
                "connect", "the script has Connect statements, and no Connect credentials are set",
                fix: "set BITBUCKET_CONNECT_APP_KEY, BITBUCKET_CONNECT_CLIENT_KEY and BITBUCKET_CONNECT_SHARED_SECRET")
        }
        let started = ContinuousClock.now
        do {
            let linkers = try await client.linkers()
            return .ok(
                "connect",
                "a JWT-signed read of the app's linkers answered (\(linkers.count) linker\(linkers.count == 1 ? "" : "s"))",
                seconds: (ContinuousClock.now - started).seconds)
        } catch let error as BitbucketError {
            if case .linkersRemoved = error {
                return .problem(
                    "connect", "Bitbucket has removed the linker endpoints",
                    fix: "remove linker statements from the scripts (Connect ends in December 2026)")
            }
            return .problem(
                "connect", error.description,
                fix: "check BITBUCKET_CONNECT_CLIENT_KEY and BITBUCKET_CONNECT_SHARED_SECRET against the installation")
        } catch {
            return .problem("connect", "\(error)", fix: "run again")
        }
    }

    // MARK: - Helpers

    static func fix(for kind: ConnectionFailure.Kind) -> String {
        switch kind {
        case .tls:
            "if the server's certificate comes from a private authority, give it with --cacert FILE (or SSL_CERT_FILE)"
        case .proxyAuthentication: "check the user and password in HTTPS_PROXY"
        case .proxyRefused:
            "check the user and password in HTTPS_PROXY, and that the proxy lets this host through (NO_PROXY bypasses it)"
        case .refused, .timedOut, .closed, .silent, .other: "check BITBUCKET_URL (or --url), the network and the proxy"
        }
    }

    /// Whether `host` has an address (or is one).
    static func resolves(_ host: String) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        defer { if let result { freeaddrinfo(result) } }
        return getaddrinfo(host, nil, &hints, &result) == 0
    }
}
