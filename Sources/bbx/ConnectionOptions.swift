import ArgumentParser
import BitbucketAPI
import BitbucketModel
import Foundation
import SafeFiles
import SafeText

/// Where and how bbx reaches Bitbucket: each setting from a flag, else the environment.
struct ConnectionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The API's base URL (else BITBUCKET_URL; default https://api.bitbucket.org).", valueName: "URL"))
    var url: String?

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp(
            "Read the access token (sent as Bearer) from FILE (else BITBUCKET_TOKEN).", valueName: "FILE"))
    var tokenFile: String?

    @Flag(help: "Do not verify TLS certificates (a warning says so on every run).")
    var insecure = false

    @Option(
        help: ArgumentHelp(
            "Trust the certificate authorities in FILE (PEM) instead of the system's (else SSL_CERT_FILE, SSL_CERT_DIR).",
            valueName: "FILE"))
    var cacert: String?

    @Option(help: ArgumentHelp("An HTTP proxy (else HTTPS_PROXY/https_proxy; NO_PROXY is honoured).", valueName: "URL"))
    var proxy: String?

    @Option(
        name: .customLong("max-requests"), parsing: .unconditional,
        help: ArgumentHelp(
            "Make at most N API requests this run (else BBX_MAX_REQUESTS): planning that needs more stops before any change; applying stops between steps and exits 75, and running again goes on.",
            valueName: "N"))
    var maxRequests: Int?

    /// `--max-requests`, else `BBX_MAX_REQUESTS`: against Bitbucket and the sandbox alike.
    func maxRequestsSetting(environment: [String: String]) throws -> Int? {
        if let maxRequests {
            guard maxRequests > 0 else {
                throw ValidationError("--max-requests takes a positive number of requests, found \(maxRequests)")
            }
            return maxRequests
        }
        guard let text = environment["BBX_MAX_REQUESTS"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return nil
        }
        guard let value = Int(text), value > 0 else {
            throw ValidationError("BBX_MAX_REQUESTS takes a positive number of requests, found '\(text.terminalSafe)'")
        }
        return value
    }

    /// A sandbox has its own address: a `--url` beside it would be ignored, so it is refused.
    func validate(with sandbox: SandboxOptions) throws {
        if sandbox.usesSandbox, url != nil {
            throw ValidationError("--sandbox runs against its own emulator; give --url or --sandbox, not both")
        }
    }

    /// The client's settings; `ValidationError` (exit 64) when a flag or variable is malformed.
    func configuration(environment: [String: String]) throws -> ClientConfiguration {
        var configuration: ClientConfiguration
        do {
            configuration = try ClientConfiguration(environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        if let url { configuration.baseURL = url }
        if let tokenFile {
            let token: String
            do { token = try TokenFile.read(tokenFile) } catch {
                throw ValidationError("--token-file: cannot read '\(tokenFile)': \(error)")
            }
            guard !token.isEmpty else { throw ValidationError("--token-file: '\(tokenFile)' is empty") }
            guard !ClientConfiguration.hasControlCharacter(token) else {
                throw ValidationError("--token-file: '\(tokenFile)' holds more than one line; give the token alone")
            }
            configuration.credential = .accessToken(Secret(token))
        }
        configuration.maxRequests = try maxRequestsSetting(environment: environment)
        if insecure { configuration.verifiesTLS = false }
        if let cacert { configuration.caCertificates = cacert }
        if let proxy {
            do { configuration.proxy = try ProxySettings(url: proxy) } catch {
                throw ValidationError("--proxy: \(error)")
            }
        }
        if let note = configuration.normalizeBaseURL() { Console.error("bbx: note: \(note.terminalSafeLines)\n") }
        do { try configuration.validate() } catch { throw ValidationError(error.description) }
        return configuration
    }
}

/// `--sandbox` and `--sandbox-data`: for the commands that plan a script (`run`, `plan`,
/// `repl`); `apply` has none, since a saved plan's sandbox is gone.
struct SandboxOptions: ParsableArguments {
    @Flag(
        help: """
            Run against a local emulator started for this run, with a temporary store and the \
            repositories the script names; nothing reaches Bitbucket.
            """)
    var sandbox = false

    @Option(
        name: .customLong("sandbox-data"),
        help: ArgumentHelp(
            "Like --sandbox, but keep the sandbox's store in DIR, so later runs see what earlier ones left.",
            valueName: "DIR"))
    var sandboxData: String?

    @Option(
        name: .customLong("sandbox-seed"),
        help: ArgumentHelp(
            "Like --sandbox, with the artifacts of FILE stored first: a JSON array of {\"repo\", \"name\", \"size\", \"created_on\" or \"age\" such as \"45d\"}.",
            valueName: "FILE"))
    var sandboxSeed: String?

    /// Whether this run uses a sandbox (`--sandbox`, `--sandbox-data` or `--sandbox-seed`).
    var usesSandbox: Bool { sandbox || sandboxData != nil || sandboxSeed != nil }

    /// The seed file's JSON and the repositories it names (declared in the sandbox); a file that
    /// cannot be read or is not such an array is a command-line problem (64).
    func seed() throws -> (json: Data, repositories: [String])? {
        guard let path = sandboxSeed else { return nil }
        let data: Data
        do {
            data = Data(try WholeFile.read(path, limit: 8 << 20))
        } catch {
            throw ValidationError("--sandbox-seed: cannot read '\(path.terminalSafe)': \(error)")
        }
        guard let items = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ValidationError(
                "--sandbox-seed: '\(path.terminalSafe)' is not a JSON array of {\"repo\", \"name\", \"size\", \"created_on\" or \"age\"}"
            )
        }
        var repositories: [String] = []
        for item in items {
            guard let text = item["repo"] as? String, let name = RepositoryName(parsing: text) else {
                throw ValidationError(
                    "--sandbox-seed: '\(path.terminalSafe)' has an entry whose \"repo\" is not workspace/slug")
            }
            if !repositories.contains(name.description) { repositories.append(name.description) }
        }
        return (data, repositories)
    }
}
