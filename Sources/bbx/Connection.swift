import BBXApply
import BBXBridge
import BBXCheck
import BBXEvaluate
import BBXSyntax
import BitbucketAPI
import BitbucketEmulator
import BitbucketModel
import Foundation
import Logging
import SafeFiles
import SafeText

/// One run's way to Bitbucket (or to the sandbox): the client, and the emulator when sandboxed.
/// `close()` must be called at the end.
struct Connection {
    let client: BitbucketClient
    let sandbox: Sandbox?
    /// One service for the whole run: what planning's listings learnt of the credential is
    /// still known when the plan is checked and applied.
    let service: BitbucketService

    init(client: BitbucketClient, sandbox: Sandbox?) {
        self.client = client
        self.sandbox = sandbox
        service = BitbucketService(client: client, sandboxed: sandbox != nil)
    }

    /// What planning needs to know of this connection and the run's environment (`run`, `plan`
    /// and the REPL each add their own settings).
    func evaluationOptions(defaultRepository: RepositoryName?, environment: [String: String]) -> EvaluationOptions {
        var options = EvaluationOptions()
        options.defaultRepository = defaultRepository
        options.environment = environment
        options.hasConnectCredentials = client.configuration.connect != nil
        options.connectCredentialsProblem = client.configuration.incompleteConnect
        return options
    }

    /// Opens the client from the options and the environment, or starts the sandbox for `script`
    /// (its repositories: those the script names, else `defaultRepository`; without a script, as
    /// in the REPL, any repository asked for). The sandbox's
    /// banner is the run's first line on standard output (on standard error when `quiet`, for
    /// JSON); the client's warnings go to standard error. Registers the secrets `Console` hides.
    static func open(
        _ options: ConnectionOptions, sandbox sandboxOptions: SandboxOptions? = nil, environment: [String: String],
        dryRun: Bool, script: Script?, variables: [String: String] = [:],
        defaultRepository: RepositoryName?, quiet: Bool
    ) async throws -> Connection {
        var configuration: ClientConfiguration
        var sandbox: Sandbox?
        Console.secrets = secretValues(of: nil, environment: environment, options: options)
        if let sandboxOptions, sandboxOptions.usesSandbox {
            var names =
                script.map { Sandbox.names(in: $0, defaultRepository: defaultRepository, variables: variables) }
                ?? (repositories: defaultRepository.map { [$0.description] } ?? [], linkers: [])
            let seed = try sandboxOptions.seed()
            for repository in seed?.repositories ?? [] where !names.repositories.contains(repository) {
                names.repositories.append(repository)
            }
            do {
                sandbox = try await Sandbox.start(
                    repositories: names.repositories, linkers: names.linkers, data: sandboxOptions.sandboxData,
                    anyName: script == nil, seed: seed?.json)
            } catch let refused as DataFolder.Refused {
                Console.fail("--sandbox-data: \(refused)")
                throw ExitStatus.usage
            } catch let refused as SeedRefused {
                Console.fail("--sandbox-seed: \(sandboxOptions.sandboxSeed ?? ""): \(refused)")
                throw ExitStatus.usage
            } catch {
                Console.fail("\(error)")
                throw ExitStatus.serverFailed
            }
            configuration = sandbox!.configuration()
            // The budget is the run's, wherever it runs: a cleanup can be rehearsed on the sandbox.
            configuration.maxRequests = try options.maxRequestsSetting(environment: environment)
            if quiet { Console.error(sandbox!.banner + "\n") } else { Console.out(sandbox!.banner + "\n") }
        } else {
            configuration = try options.configuration(environment: environment)
        }
        configuration.dryRun = dryRun
        Console.secrets = secretValues(of: configuration, environment: environment, options: options)
        for warning in configuration.warnings { Console.error("bbx: warning: \(warning.terminalSafeLines)\n") }
        let client: BitbucketClient
        do {
            client = try BitbucketClient(
                configuration: configuration, logger: Logger(label: "bbx.client") { _ in ConsoleLogHandler() })
        } catch {
            await sandbox?.stop()
            Console.fail(error.description)
            throw ExitStatus.usage
        }
        return Connection(client: client, sandbox: sandbox)
    }

    func close() async {
        try? await client.shutdown()
        await sandbox?.stop()
    }
}

/// `BITBUCKET_REPO_FULL_NAME`, the repository a Bitbucket Pipelines build runs for. Set but not
/// a repository is a mistake to say, not a reason to run without a default.
func pipelineRepository(_ environment: [String: String]) throws -> RepositoryName? {
    guard let value = environment["BITBUCKET_REPO_FULL_NAME"], !value.isEmpty else { return nil }
    guard let name = RepositoryName(parsing: value) else {
        Console.fail("BITBUCKET_REPO_FULL_NAME is '\(value)', which is not a repository (workspace/slug)")
        throw ExitStatus.usage
    }
    return name
}

/// Every credential bbx knows of, whether or not this run uses it (a sandboxed run uses none of
/// the real ones, and a script could still print them): the configuration's own, every
/// credential variable of the environment, the `--token-file` contents, and proxy passwords
/// both percent-encoded (as written in the URL) and decoded (as sent).
func secretValues(
    of configuration: ClientConfiguration?, environment: [String: String], options: ConnectionOptions? = nil
) -> [String] {
    var values: [String] = []
    values += configuration?.credential?.wireForms ?? []
    // The Basic pair of the environment, for commands that have not configured a client yet.
    if let email = environment["BITBUCKET_EMAIL"], let token = environment["BITBUCKET_API_TOKEN"] {
        values += Credential.apiToken(email: email, token: Secret(token)).wireForms
    }
    if let user = environment["BITBUCKET_USERNAME"], let password = environment["BITBUCKET_APP_PASSWORD"] {
        values += Credential.appPassword(username: user, password: Secret(password)).wireForms
    }
    if let connect = configuration?.connect { values.append(connect.sharedSecret.revealed) }
    if let password = configuration?.proxy?.password { values.append(password.revealed) }
    for name in CredentialVariables.secret {
        if let value = environment[name], !value.isEmpty {
            values.append(value)
            values.append(value.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
    for url in [options?.proxy, environment["HTTPS_PROXY"], environment["https_proxy"]].compactMap({ $0 }) {
        values += proxyPasswordForms(url)
    }
    if let path = options?.tokenFile, let token = try? TokenFile.read(path) { values.append(token) }
    // The signing key file's contents, line by line (its base64 line is the secret).
    if let path = environment["BBX_SIGNING_KEY_FILE"], !path.isEmpty,
        let bytes = try? SecretFile.contents(path)
    {
        values += String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.hasPrefix("untrusted comment:") }
    }
    if let key = environment["BBX_SIGNING_KEY"] {
        values += key.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("untrusted comment:") }
    }
    return Array(Set(values.filter { $0.unicodeScalars.count >= Redactor.minimumLength })).sorted()
}

/// The password of a proxy URL as written and decoded (`p%40ss` and `p@ss`).
func proxyPasswordForms(_ url: String) -> [String] {
    guard let components = URLComponents(string: url), let password = components.percentEncodedPassword else {
        return []
    }
    return [password, password.removingPercentEncoding].compactMap { $0 }
}
