import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Synchronization

/// The addresses the two listeners ended up on (ports may have been chosen by the system).
actor Listeners {
    private(set) var api: String?
    private(set) var storage: String?
    private var announced = false
    private let announce: @Sendable (String, String) -> Void

    init(announce: @escaping @Sendable (String, String) -> Void) {
        self.announce = announce
    }

    func apiStarted(_ url: String) {
        api = url
        announceWhenBothListen()
    }

    func storageStarted(_ url: String) {
        storage = url
        announceWhenBothListen()
    }

    private func announceWhenBothListen() {
        guard !announced, let api, let storage else { return }
        announced = true
        announce(api, storage)
    }
}

/// What every handler of the emulator shares.
final class EmulatorState: Sendable {
    let configuration: EmulatorConfiguration
    let store: ArtifactStore
    let log: RequestLog
    let faults: FaultInjector
    let listeners: Listeners
    let authenticator: Authenticator
    let logger: Logger
    private let stopping = Mutex(false)
    /// `--rate-limit`: each credential's requests in the last hour; nil without it.
    let rateLimiter: RateLimiter?

    /// Set when shutdown begins: uploads in progress then give up and leave nothing behind.
    var isStopping: Bool { stopping.withLock { $0 } }

    func markStopping() { stopping.withLock { $0 = true } }

    init(configuration: EmulatorConfiguration, store: ArtifactStore, listeners: Listeners, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.faults = FaultInjector(configuration.faults)
        self.log = RequestLog(capacity: configuration.requestLogSize)
        self.listeners = listeners
        self.authenticator = Authenticator(tokens: configuration.tokens, apiTokens: configuration.apiTokens)
        self.logger = logger
        rateLimiter = configuration.rateLimit.map { RateLimiter(limit: $0, used: configuration.rateLimitUsed) }
    }

    /// A listener's URL as links should show it. Bound to every address (`0.0.0.0`, `::`), the
    /// emulator names itself as the client reached it (the request's Host), never `0.0.0.0`.
    func advertised(_ listening: String, for request: Request) -> String {
        guard Self.isUnspecified(configuration.host), var components = URLComponents(string: listening),
            let authority = request.head.authority,
            let reached = URLComponents(string: "http://" + authority)?.host, !reached.isEmpty
        else { return listening }
        components.host = reached.hasPrefix("[") ? String(reached.dropFirst().dropLast()) : reached
        return components.string ?? listening
    }

    static func isUnspecified(_ host: String) -> Bool {
        ["0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"].contains(host)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The fault that applies to a request, if any.
    func fault(for request: Request) async -> Fault? {
        await faults.take(method: request.method.rawValue, path: request.uri.path)
    }

    /// Waits out a fault's delay. It comes after the request was handled, so that what it did
    /// (an upload stored, an artifact deleted) stands even if the client stops waiting: a lost
    /// response, as retrying clients must expect.
    func delay(for fault: Fault?) async throws {
        guard let delay = fault?.delayMilliseconds else { return }
        // In short steps: a stop (SIGTERM) ends the wait instead of waiting for it.
        let end = ContinuousClock.now + .milliseconds(delay)
        while ContinuousClock.now < end, !isStopping {
            try await Task.sleep(for: min(.milliseconds(50), end - ContinuousClock.now))
        }
    }

    /// Records a request in the admin log and writes one line to the log. The `Authorization`
    /// header's value appears in neither.
    func record(host: String, exchange: Exchange, status: Int, started: ContinuousClock.Instant) async {
        let hasAuthorization = exchange.request.headers[.authorization] != nil
        await log.append(
            LoggedRequest(
                method: exchange.method, path: exchange.path, query: RequestLog.withoutSignature(exchange.query),
                status: status, host: host,
                authorization: hasAuthorization))
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let scheme = exchange.request.headers[.authorization]?.split(separator: " ").first.map { String($0) } ?? "none"
        logger.info(
            "\(host) \(exchange.method) \(exchange.path)\(exchange.query.isEmpty ? "" : "?…") \(status) \(milliseconds)ms auth=\(scheme)"
        )
    }
}

/// The first service told of a graceful shutdown: it flags it, so uploads in progress stop
/// before the listeners wait for them.
struct ShutdownWatcher: Service {
    let state: EmulatorState

    func run() async throws {
        try? await gracefulShutdown()
        state.markStopping()
    }
}
