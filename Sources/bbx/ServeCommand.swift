import ArgumentParser
import BitbucketEmulator
import Foundation
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a local emulator of the Bitbucket Downloads and Connect API.",
        discussion: """
            Serves the Downloads endpoints, the Connect app endpoints and a storage host that downloads redirect to, with Bitbucket's shapes, status codes and error bodies. The first line on standard output is

                bbx serve listening api=URL storage=URL

            printed once both listeners accept connections; logs go to standard error, without secrets. Admin endpoints for tests live under /_emulator (request log, faults, seeding); they need --admin-token when listening beyond loopback. SIGINT or SIGTERM stops it; an upload in progress then leaves no trace.

            Example:
                bbx serve --port 0 --repo acme/app --token secret-token
                curl -H 'Authorization: Bearer secret-token' -F files=@app.zip \\
                     http://127.0.0.1:PORT/2.0/repositories/acme/app/downloads
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port of the API listener (0 picks a free one).") var port = 7990
    @Option(name: .customLong("storage-port"), help: "Port of the storage listener (0 picks a free one).")
    var storagePort = 0
    @Option(help: "Keep artifacts and state in DIR across restarts (default: a temporary folder removed on exit).")
    var data: String?
    @Option(name: .customLong("repo"), help: ArgumentHelp("A repository that exists.", valueName: "WORKSPACE/REPO"))
    var repositories: [String] = []
    @Option(
        name: .customLong("token"),
        help: ArgumentHelp(
            "An access token (Bearer); SCOPES: repository, repository:write (default both).",
            valueName: "TOKEN[:SCOPES]"))
    var tokens: [String] = []
    @Option(
        name: .customLong("basic"),
        help: ArgumentHelp("An email with an API token (Basic), same scopes.", valueName: "EMAIL:API_TOKEN[:SCOPES]"))
    var basics: [String] = []
    @Option(help: ArgumentHelp("Install a Connect app.", valueName: "APP_KEY:CLIENT_KEY:SHARED_SECRET"))
    var connect: String?
    @Option(name: .customLong("linker"), help: ArgumentHelp("A linker of the Connect app.", valueName: "KEY"))
    var linkers: [String] = []
    @Option(
        name: .customLong("free-plan"),
        help: ArgumentHelp("Answer 402 for this workspace's Downloads.", valueName: "WORKSPACE"))
    var freePlan: [String] = []
    @Flag(
        name: .customLong("underscore-spaces"),
        help: "Store spaces in artifact names as '_', as Bitbucket has been seen to.")
    var underscoreSpaces = false
    @Option(
        name: .customLong("rate-limit"),
        help: ArgumentHelp(
            "Allow each credential N API requests in a rolling hour (USED of them made already), then answer 429 as Bitbucket does; Bearer tokens are told X-RateLimit-Limit and, from 80 % on, X-RateLimit-NearLimit. DELETE /_emulator/rate-limits starts the counts afresh.",
            valueName: "N[:USED]"))
    var rateLimit: String?
    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp(
            "Inject a fault: status=N|cut=true|delay_ms=N[,count=N][,method=M][,path=GLOB] (in GLOB, * stays within a path segment, ** crosses them).",
            valueName: "SPEC"))
    var faults: [String] = []
    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("Serve the API over HTTPS with this certificate.", valueName: "PEM"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The certificate's private key.", valueName: "PEM"))
    var tlsKey: String?

    @Option(
        name: .customLong("admin-token"),
        help: ArgumentHelp(
            "Require 'Authorization: Bearer TOKEN' on /_emulator (needed to listen beyond loopback).",
            valueName: "TOKEN"))
    var adminToken: String?
    @Option(
        name: .customLong("request-log-size"),
        help: ArgumentHelp("Keep the last N requests in the admin request log.", valueName: "N"))
    var requestLogSize = 10_000
    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Close a connection idle for this many seconds.", valueName: "SECONDS"))
    var idleTimeout = 120
    @Option(
        name: .customLong("header-timeout"),
        help: ArgumentHelp(
            "Close a connection whose request line and headers take longer than this.", valueName: "SECONDS"))
    var headerTimeout = 30
    @Flag(
        name: .customLong("linkers-removed"),
        help: "Answer every /2.0/addon/linkers call as after Atlassian removed those endpoints (404).")
    var linkersRemoved = false

    func validate() throws {
        if let data {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("--data '\(data)' is a file; it must name a folder (created if missing)")
            }
        }
        _ = try makeConfiguration()
    }

    func makeConfiguration() throws -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.storagePort = storagePort
        configuration.dataDirectory = data
        for repository in repositories {
            let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--repo takes WORKSPACE/REPO, found '\(repository)'")
            }
        }
        configuration.repositories = repositories
        configuration.tokens = try tokens.map { text in
            do { return try AccessToken(parsing: text) } catch {
                throw ValidationError("--token takes TOKEN[:SCOPES]: \(error)")
            }
        }
        configuration.apiTokens = try basics.map { text in
            do { return try APITokenCredential(parsing: text) } catch {
                throw ValidationError("--basic takes EMAIL:API_TOKEN[:SCOPES]: \(error)")
            }
        }
        if let connect {
            guard let installation = ConnectInstallation(parsing: connect) else {
                throw ValidationError("--connect takes APP_KEY:CLIENT_KEY:SHARED_SECRET")
            }
            configuration.connect = installation
        }
        if !linkers.isEmpty, connect == nil {
            throw ValidationError("--linker declares a linker of the Connect app: give --connect too")
        }
        configuration.linkers = linkers
        configuration.freePlanWorkspaces = freePlan
        configuration.underscoreSpaces = underscoreSpaces
        if let rateLimit {
            let parts = rateLimit.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(parts.count), let limit = parts[0], limit > 0,
                let used = parts.count == 2 ? parts[1] : 0, used >= 0
            else {
                throw ValidationError("--rate-limit takes N or N:USED, numbers of calls (N above 0)")
            }
            configuration.rateLimit = limit
            configuration.rateLimitUsed = used
        }
        configuration.faults = try faults.map { spec in
            do { return try Fault(parsing: spec) } catch { throw ValidationError("--fault: \(error)") }
        }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        guard requestLogSize >= 1 else { throw ValidationError("--request-log-size must be at least 1") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1 second") }
        guard headerTimeout >= 1 else { throw ValidationError("--header-timeout must be at least 1 second") }
        if adminToken?.isEmpty == true { throw ValidationError("--admin-token is empty") }
        let loopback = ["localhost", "::1"].contains(host) || host.hasPrefix("127.")
        if !loopback, adminToken == nil {
            throw ValidationError(
                "listening on \(host) would open the admin endpoints (/_emulator: seeding, faults, the request log) to the network; give --admin-token TOKEN"
            )
        }
        configuration.adminToken = adminToken
        configuration.requestLogSize = requestLogSize
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.headerTimeout = .seconds(headerTimeout)
        configuration.linkersRemoved = linkersRemoved
        configuration.tlsCertificate = tlsCertificate
        configuration.tlsKey = tlsKey
        return configuration
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let emulator = Emulator(configuration: try makeConfiguration())
        do {
            try await emulator.run(handleSignals: true) { api, storage in
                Console.out("bbx serve listening api=\(api) storage=\(storage)\n")
            }
        } catch let refused as DataFolder.Refused {
            Console.fail("bbx serve: --data: \(refused)")
            throw ExitStatus.usage
        } catch {
            if "\(error)".contains("Address already in use") {
                let ports = [port, storagePort].filter { $0 != 0 }.map(String.init).joined(separator: " or ")
                Console.fail(
                    "bbx serve cannot listen on \(host) port \(ports): the address is already in use (--port 0 picks a free port)"
                )
            } else {
                Console.fail("bbx serve: \(error)")
            }
            throw ExitStatus.serverFailed
        }
    }
}
