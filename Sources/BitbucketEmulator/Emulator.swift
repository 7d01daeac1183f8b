import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// A local stand-in for Bitbucket Cloud: the API listener (Downloads, Connect, admin) and the
/// storage listener that downloads redirect to.
public struct Emulator: Sendable {
    public let configuration: EmulatorConfiguration
    let logger: Logger

    public init(configuration: EmulatorConfiguration, logger: Logger = Logger(label: "bbx.serve")) {
        self.configuration = configuration
        self.logger = logger
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs until the task is cancelled or, with `handleSignals`, until SIGINT or SIGTERM.
    /// `onListening(api, storage)` is called once both listeners accept connections.
    public func run(handleSignals: Bool = false, onListening: @escaping @Sendable (String, String) -> Void) async throws
    {
        let fileManager = FileManager.default
        let root: URL
        let temporary: Bool
        if let data = configuration.dataDirectory {
            root = URL(fileURLWithPath: data)
            temporary = false
        } else {
            // Those of runs that were killed go first, so none piles up.
            DataFolder.removeAbandoned(in: fileManager.temporaryDirectory)
            root = DataFolder.newTemporary(in: fileManager.temporaryDirectory)
            temporary = true
        }
        var opened: ArtifactStore?
        // The database is closed first: SQLite would otherwise write its companions anew.
        defer {
            try? opened?.close()
            if temporary { DataFolder.removeIfOnlyOurs(root) }
        }
        let store = try ArtifactStore(
            root: root, repositories: configuration.repositories, linkers: configuration.linkers,
            createsOnFirstUse: configuration.createsOnFirstUse)
        opened = store
        let listeners = Listeners(announce: onListening)
        let state = EmulatorState(configuration: configuration, store: store, listeners: listeners, logger: logger)
        if let seed = configuration.seed { try await AdminRoutes(state: state).seedAtStart(seed) }

        let idle = configuration.idleTimeout.components
        let header = configuration.headerTimeout.components
        let headerTimeout = TimeAmount.nanoseconds(header.seconds * 1_000_000_000 + header.attoseconds / 1_000_000_000)
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [ContinueHandler(), HeaderTimeoutHandler(timeout: headerTimeout)],
                idleTimeout: .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000)))
        var apiServer = http1
        var apiScheme = "http"
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate).map {
                    NIOSSLCertificateSource.certificate($0)
                }
                let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
                let tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(privateKey))
                apiServer = try .tls(http1, tlsConfiguration: tls)
                apiScheme = "https"
            } catch {
                throw StartFailure(description: "cannot use the TLS certificate or key: \(error)")
            }
        }
        let scheme = apiScheme
        let host = configuration.host
        // Bound to every address, the announced URLs name this machine's loopback (reachable
        // here); links in answers then follow the Host each client used.
        let shown = EmulatorState.isUnspecified(host) ? (host.contains(":") ? "::1" : "127.0.0.1") : host
        let urlHost = shown.contains(":") ? "[\(shown)]" : shown
        // Hummingbird's own lines (a port in use comes out as two errors about child channels)
        // say nothing a user can act on; bbx serve says what failed, in one line.
        var quiet = logger
        quiet.logLevel = .critical
        let api = Application(
            responder: Listener(state: state, routes: APIRoutes(state: state)), server: apiServer,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                await listeners.apiStarted("\(scheme)://\(urlHost):\(channel.localAddress?.port ?? 0)")
            }, logger: quiet)
        let storage = Application(
            responder: Listener(state: state, routes: StorageRoutes(state: state)), server: http1,
            configuration: .init(address: .hostname(host, port: configuration.storagePort), serverName: nil),
            onServerRunning: { channel in
                await listeners.storageStarted("http://\(urlHost):\(channel.localAddress?.port ?? 0)")
            }, logger: quiet)
        // Services stop in reverse order: the watcher first, so uploads give up before the
        // listeners wait for their requests to end.
        let group = ServiceGroup(
            configuration: .init(
                services: [api, storage, ShutdownWatcher(state: state)],
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: quiet))
        // Cancelling the caller's task shuts down gracefully too, rather than tearing sockets down.
        let runner = Task { try await group.run() }
        try await withTaskCancellationHandler {
            try await runner.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
}
