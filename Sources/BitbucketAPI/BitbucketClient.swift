import AsyncHTTPClient
import BitbucketModel
import ConnectJWT
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SafeText

/// The one way bbx reaches Bitbucket: Downloads and Connect calls over async-http-client, with
/// credentials kept to the API's host, retries with backoff, streaming transfers and a dry-run
/// mode that refuses every change before it is sent.
///
/// Call `shutdown()` when done: it closes the connection pools.
public final class BitbucketClient: Sendable {
    public let configuration: ClientConfiguration
    let logger: Logger
    let base: String
    let apiOrigin: Origin
    private let direct: HTTPClient
    private let proxied: HTTPClient?
    /// Every request this client made, and Bitbucket's rate limit as its answers said.
    public let meter = RequestMeter()

    public init(
        configuration: ClientConfiguration,
        logger: Logger = Logger(label: "bbx.client") { _ in SwiftLogNoOpLogHandler() }
    ) throws(ClientConfiguration.Invalid) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.apiOrigin = Origin(base)!
        direct = Self.makeHTTPClient(configuration, proxy: nil)
        proxied = configuration.proxy.map { Self.makeHTTPClient(configuration, proxy: $0) }
    }

    public func shutdown() async throws {
        try await direct.shutdown()
        try await proxied?.shutdown()
    }

    /// A failed TLS handshake in a sentence: what is wrong and what to do. BoringSSL's own text
    /// carries source paths of the build, which tell a user nothing.
    static func tlsSentence(_ error: any Error, host: String, caFile: String?) -> String {
        let text = "\(error)"
        let fix =
            caFile == nil
            ? "if a private authority signs it (a company proxy, say), give its certificate with --cacert FILE or SSL_CERT_FILE; --insecure turns verification off, for a server you trust"
            : "bbx trusts the authorities in \(caFile!) (--cacert, SSL_CERT_FILE or SSL_CERT_DIR): give the one that signs it with --cacert FILE; --insecure turns verification off, for a server you trust"
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return
                "the TLS certificate of \(host) was not accepted: it is not signed by an authority bbx trusts, or it has expired; \(fix)"
        }
        if text.contains("failedToValidateHostname") || text.contains("hostname") {
            return
                "the TLS certificate of \(host) was not accepted: it is made out to another host name; --insecure turns verification off, for a server you trust"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("unexpectedEOF")
            || text.contains("PACKET_LENGTH_TOO_LONG")
        {
            return "TLS failed with \(host): the server does not speak TLS on this port (is the URL http://?)"
        }
        return "TLS failed with \(host): the handshake was refused; \(fix)"
    }

    private static func makeHTTPClient(_ configuration: ClientConfiguration, proxy: ProxySettings?) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.verifiesTLS { tls.certificateVerification = .none }
        // `--cacert`, SSL_CERT_FILE or SSL_CERT_DIR: those authorities instead of the system's,
        // as curl and OpenSSL read them.
        if let authorities = configuration.caCertificates {
            tls.trustRoots = .file(authorities)
        } else if let bundle = SystemTrustStore.bundle() {
            // The system's, found where each Linux family keeps it (not only where NIO looks).
            tls.trustRoots = .file(bundle)
        }
        var settings = HTTPClient.Configuration(
            tlsConfiguration: tls,
            // Redirects are followed by hand: the storage request must differ from the API's.
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: configuration.connectTimeout.timeAmount, read: configuration.readTimeout.timeAmount),
            proxy: proxy.map { proxy in
                let authorization = proxy.username.map { user in
                    HTTPClient.Authorization.basic(username: user, password: proxy.password?.revealed ?? "")
                }
                return .server(host: proxy.host, port: proxy.port, authorization: authorization)
            },
            decompression: .disabled)
        // Without this a refused connection, a failed certificate or a proxy's 407 surfaces only
        // after the connect timeout; the retry policy below decides about second attempts.
        settings.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
    }

    // MARK: - Requests

    /// Who a request is signed as.
    enum Signing {
        /// The Downloads credential (Bearer or Basic), if one is configured.
        case credential
        /// A Connect JWT for exactly this request.
        case connect
        /// Nothing: the storage host, and any host that is not the API's.
        case none
    }

    /// Who lacks a scope, and what to check on a 401, for a request signed as `signing`.
    func credentialWords(_ signing: Signing) -> (noun: String, hint: String) {
        if case .connect = signing {
            return (
                "the Connect app",
                "check the Connect credentials (BITBUCKET_CONNECT_APP_KEY, BITBUCKET_CONNECT_CLIENT_KEY, BITBUCKET_CONNECT_SHARED_SECRET)"
            )
        }
        guard let credential = configuration.credential else {
            return (
                "no credential",
                "no credential was given: set BITBUCKET_TOKEN, or BITBUCKET_EMAIL with BITBUCKET_API_TOKEN"
            )
        }
        return (credential.noun, credential.hint)
    }

    func url(_ path: String, query: String? = nil) -> String {
        base + path + (query.map { "?" + $0 } ?? "")
    }

    /// Where a request goes and what it carries: refuses changes in dry-run mode before anything
    /// leaves the machine, and attaches credentials only when the URL's origin is the API's.
    private func prepare(
        _ method: HTTPMethod, _ url: String, signing: Signing, headers extra: [(String, String)]
    ) throws -> (client: HTTPClient, headers: HTTPHeaders, origin: Origin, path: String, viaProxy: Bool) {
        let (path, query) = url.pathAndQuery
        if configuration.dryRun, method != .GET, method != .HEAD {
            throw BitbucketError.refusedInDryRun(method: method.rawValue, path: path)
        }
        guard let origin = Origin(url) else {
            throw BitbucketError.unexpectedResponse(
                method: method.rawValue, path: url.withoutQuery, reason: "not a URL that can be requested")
        }
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: configuration.userAgent)
        for (name, value) in extra { headers.add(name: name, value: value) }
        if origin == apiOrigin {
            switch signing {
            case .credential:
                if let credential = configuration.credential {
                    headers.add(name: "Authorization", value: credential.authorization)
                }
            case .connect:
                guard let connect = configuration.connect else { throw BitbucketError.missingConnectCredentials }
                let canonical = CanonicalRequest(method: method.rawValue, path: path, rawQuery: query)
                let token = ConnectJWT.token(
                    for: canonical, appKey: connect.appKey, clientKey: connect.clientKey,
                    sharedSecret: connect.sharedSecret.revealed)
                // A server echoing the header must not show it: redacted like the shared secret.
                LiveSecrets.register(token)
                headers.add(name: "Authorization", value: "JWT \(token)")
            case .none:
                break
            }
        }
        let proxied = proxied.flatMap {
            configuration.noProxy.bypassesProxy(host: origin.host, port: origin.port) ? nil : $0
        }
        guard meter.count(api: origin == apiOrigin, path: path, limit: configuration.maxRequests) else {
            throw BitbucketError.requestBudgetSpent(
                limit: configuration.maxRequests ?? 0, method: method.rawValue, path: path)
        }
        return (proxied ?? direct, headers, origin, path, proxied != nil)
    }

    /// Sends one request and returns the response head (its body still to be read).
    func send(
        _ method: HTTPMethod, _ url: String, signing: Signing, headers extra: [(String, String)] = [],
        body: HTTPClientRequest.Body? = nil
    ) async throws -> HTTPClientResponse {
        let prepared = try prepare(method, url, signing: signing, headers: extra)
        if prepared.origin == apiOrigin { try await meter.waitForSlot() }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = prepared.headers
        request.body = body
        let started = ContinuousClock.now
        do {
            // No deadline: for an upload it would cover the whole body. Connect and read
            // timeouts catch a dead peer instead.
            let response = try await prepared.client.execute(request, deadline: .distantFuture, logger: nil)
            logger.debug(
                "\(method.rawValue) \(prepared.origin.host)\(prepared.path) → \(response.status.code) (\(ContinuousClock.now - started))"
            )
            if prepared.origin == apiOrigin,
                let pacing = meter.observe(
                    limit: response.headers.first(name: "X-RateLimit-Limit"),
                    nearLimit: response.headers.first(name: "X-RateLimit-NearLimit"))
            {
                let limit = response.headers.first(name: "X-RateLimit-Limit").map { " (\($0) requests an hour)" } ?? ""
                logger.notice(
                    "Bitbucket says this credential is near its rate limit\(limit): slowing to one request every \(pacing.seconds) s rather than running into 429s"
                )
            }
            return response
        } catch let error as BitbucketError {
            throw error
        } catch {
            throw connectionFailure(
                error, method: method.rawValue, origin: prepared.origin, path: prepared.path,
                viaProxy: prepared.viaProxy)
        }
    }

    /// async-http-client's own logging, off: bbx logs its requests itself, without secrets.
    private var quietLogger: Logger { Logger(label: "bbx.http") { _ in SwiftLogNoOpLogHandler() } }

    /// GETs `url` unsigned and hands the response to `delegate`, which writes an artifact's
    /// body to its file on the event loop (see FileWritingDelegate).
    func get(
        _ url: String, headers extra: [(String, String)], into delegate: FileWritingDelegate
    ) async throws -> FileWritingDelegate.Result {
        let prepared = try prepare(.GET, url, signing: .none, headers: extra)
        let started = ContinuousClock.now
        do {
            let request = try HTTPClient.Request(url: url, method: .GET, headers: prepared.headers)
            let task = prepared.client.execute(request: request, delegate: delegate, deadline: nil, logger: quietLogger)
            // Fewer than stallMinimumBytes in a whole stallWindow ends the request, as a silent
            // server would (retried, resuming where it stopped).
            let result: FileWritingDelegate.Result
            do {
                result = try await withStallGuard(
                    window: configuration.stallWindow, minimum: configuration.stallMinimumBytes,
                    received: delegate.received
                ) {
                    try await withTaskCancellationHandler {
                        try await task.futureResult.get()
                    } onCancel: {
                        task.cancel()
                    }
                }
            } catch is Stalled {
                throw stallFailure(method: "GET", origin: prepared.origin, path: prepared.path)
            }
            logger.debug(
                "GET \(prepared.origin.host)\(prepared.path) → \(result.head.status.code) (\(ContinuousClock.now - started))"
            )
            return result
        } catch let error as BitbucketError {
            throw error
        } catch {
            throw connectionFailure(
                error, method: "GET", origin: prepared.origin, path: prepared.path, viaProxy: prepared.viaProxy)
        }
    }

    /// A transfer the stall guard ended: retried as a silent server is.
    func stallFailure(method: String, origin: Origin, path: String) -> BitbucketError {
        .connection(
            ConnectionFailure(
                kind: .silent, method: method, target: origin.target(path),
                reason:
                    "the server sent under \(configuration.stallMinimumBytes) bytes in \(configuration.stallWindow.seconds) s"
            ))
    }

    /// Turns async-http-client's and NIO's errors into a sentence naming the host.
    func connectionFailure(_ error: any Error, method: String, origin: Origin, path: String, viaProxy: Bool)
        -> any Error
    {
        if error is CancellationError { return error }
        let target = origin.target(path)
        let proxy = configuration.proxy?.description ?? "the proxy"
        func failure(_ kind: ConnectionFailure.Kind, _ reason: String) -> BitbucketError {
            .connection(ConnectionFailure(kind: kind, method: method, target: target, reason: reason))
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return CancellationError()
            case .connectTimeout, .httpProxyHandshakeTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return failure(.timedOut, "no connection within \(configuration.connectTimeout.seconds) s")
            case .readTimeout:
                return failure(.silent, "the server sent nothing for \(configuration.readTimeout.seconds) s")
            case .remoteConnectionClosed:
                return failure(.closed, "the connection was closed before the response was complete")
            case .proxyAuthenticationRequired:
                return failure(
                    .proxyAuthentication,
                    "\(proxy) asked for credentials (407 Proxy Authentication Required); give them in the proxy URL: http://USER:PASSWORD@HOST:PORT"
                )
            case .invalidProxyResponse:
                return failure(
                    .proxyRefused,
                    "\(proxy) refused to open a tunnel to \(origin.host):\(origin.port); check the proxy credentials and the hosts it allows"
                )
            case .bodyLengthMismatch:
                return BitbucketError.file(path: path, reason: "a file changed size while it was being uploaded")
            default:
                return failure(.other, "\(error)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return failure(.tls, Self.tlsSentence(error, host: origin.host, caFile: configuration.caCertificates))
        }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") || (error as? IOError)?.errnoCode == ECONNREFUSED {
            return failure(.refused, viaProxy ? "\(proxy) refused the connection" : "connection refused")
        }
        if let error = error as? IOError, [ECONNRESET, EPIPE].contains(error.errnoCode) {
            return failure(.closed, "the connection was reset")
        }
        if error is ChannelError { return failure(.closed, "the connection failed (\(error))") }
        return failure(.other, text)
    }

    /// The error for a response with an unexpected status, with Bitbucket's message read from
    /// the body (at most 64 KiB of it).
    func statusFailure(
        _ response: HTTPClientResponse, method: HTTPMethod, url: String, signing: Signing = .credential
    ) async -> BitbucketError {
        let body =
            (try? await readBody(of: response, upTo: 64 * 1024, method: method.rawValue, url: url)) ?? ByteBuffer()
        return statusFailure(
            status: response.status, headers: response.headers, body: body, method: method, url: url, signing: signing)
    }

    func statusFailure(
        status: HTTPResponseStatus, headers: HTTPHeaders, body data: ByteBuffer, method: HTTPMethod, url: String,
        signing: Signing = .credential
    ) -> BitbucketError {
        let (noun, hint) = credentialWords(signing)
        let body = ErrorBody(parsing: Data(data.readableBytesView))
        let retryAfter = headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
        var failure = StatusFailure(
            method: method.rawValue, path: url.pathAndQuery.path, status: Int(status.code),
            message: body.message, detail: body.detail, requiredScopes: body.required,
            grantedScopes: body.granted, credentialNoun: noun, credentialHint: hint, retryAfter: retryAfter)
        if let origin = Origin(url), origin != apiOrigin {
            failure.storageHost = origin.port == origin.defaultPort ? origin.host : "\(origin.host):\(origin.port)"
        } else if case .credential = signing, configuration.credential == nil {
            failure.withoutCredential = true
        }
        return .status(failure)
    }

    // MARK: - Retries

    /// Runs `operation` until it succeeds, fails for good, or the retry policy is spent; it is
    /// told why the attempt before failed (nil on the first). `beforeRetry` may settle the
    /// matter instead (an upload found already done).
    func withRetries<T: Sendable>(
        _ what: String,
        beforeRetry: (() async throws -> T?)? = nil,
        _ operation: (_ previousError: BitbucketError?) async throws -> T
    ) async throws -> T {
        let policy = configuration.retry
        var attempt = 1
        var waited = Duration.zero
        var previous: BitbucketError?
        while true {
            do {
                return try await operation(previous)
            } catch let error as BitbucketError where error.isRetryable {
                let delay = policy.delay(after: attempt, retryAfter: error.retryAfter)
                guard attempt < policy.maxAttempts, waited + delay <= policy.maxTotalDelay else {
                    throw error.afterAttempts(attempt)
                }
                logger.warning(
                    "\(what): \(error); attempt \(attempt + 1) of \(policy.maxAttempts) in \(String(format: "%.1f", delay.seconds)) s"
                )
                // Bitbucket's limit is the credential's, not the request's: every request waits.
                if case .outOfRequests = error.cause { meter.backOff(delay) }
                try await Task.sleep(for: delay)
                waited += delay
                attempt += 1
                previous = error
                if let beforeRetry, let settled = try await beforeRetry() { return settled }
            }
        }
    }

    /// GETs JSON from the API, with retries.
    func getJSON<T: Decodable & Sendable>(_ type: T.Type, _ url: String, signing: Signing, what: String) async throws
        -> T
    {
        try await getJSONAndHeaders(type, url, signing: signing, what: what).value
    }

    /// Reads a paginated listing (100 `noun` a page) from its first page on, handing each page
    /// to `body` with its headers and number. A listing that does not end is the server's
    /// mistake and stops it: a page already read, more than `maximum` pages, an empty page that
    /// links on, or a `next` link away from the API.
    func readPages<Value: Decodable & Sendable>(
        _ type: Value.Type, at path: String, maximum: Int, noun: String, what: String,
        _ body: (Page<Value>, HTTPHeaders, _ number: Int) throws -> Void
    ) async throws {
        var next: String? = url(path, query: "pagelen=100")
        var requested = Set<String>()
        func endless(_ reason: String) -> BitbucketError {
            .unexpectedResponse(
                method: "GET", path: path,
                reason: "the listing does not end: \(reason); stopped after \(requested.count) pages")
        }
        while let page = next {
            guard requested.insert(page).inserted else { throw endless("a page links to a page already read") }
            guard requested.count <= maximum else { throw endless("more than \(maximum) pages") }
            let (result, headers) = try await getJSONAndHeaders(
                Page<Value>.self, page, signing: .credential, what: what)
            if result.values.isEmpty, result.next != nil { throw endless("a page without \(noun) links to another") }
            try body(result, headers, requested.count)
            next = result.next.map { resolve($0, against: page) }
            if let next, let problem = Self.linkProblem("a next page link", to: next, api: apiOrigin) {
                throw BitbucketError.unexpectedResponse(method: "GET", path: path, reason: problem)
            }
        }
    }

    /// The same, with the answer's headers (what the credential may do is in them).
    func getJSONAndHeaders<T: Decodable & Sendable>(
        _ type: T.Type, _ url: String, signing: Signing, what: String
    ) async throws -> (value: T, headers: HTTPHeaders) {
        try await withRetries(what) { _ in
            let response = try await send(.GET, url, signing: signing, headers: [("Accept", "application/json")])
            guard response.status.code == 200 else {
                throw await statusFailure(response, method: .GET, url: url, signing: signing)
            }
            let body = try await readBody(of: response, method: "GET", url: url)
            do {
                return (try JSONDecoder().decode(T.self, from: Data(body.readableBytesView)), response.headers)
            } catch {
                // Which field, or that it was no JSON at all: what tells a proxy's error page
                // from an API that changed.
                let decoding = error as? DecodingError
                let reason =
                    decoding?.isNotJSON != false
                    ? "the answer is not JSON (\(response.headers.first(name: "Content-Type") ?? "no Content-Type"))"
                    : "the JSON did not have the expected shape: \(decoding!.fieldDescription)"
                throw BitbucketError.unexpectedResponse(method: "GET", path: url.pathAndQuery.path, reason: reason)
            }
        }
    }

    /// Sends a request with an optional JSON body, with retries, and returns the status and
    /// body of a response whose status is in `expected`. A status in `alreadyDone` after an
    /// attempt whose answer was lost counts as success: that attempt made the change (a second
    /// DELETE finds nothing left to delete).
    func call(
        _ method: HTTPMethod, _ url: String, signing: Signing, json: String? = nil, expected: Set<UInt>,
        alreadyDone: Set<UInt> = [], what: String
    ) async throws -> (status: UInt, body: Data) {
        try await withRetries(what) { previousError in
            var headers = [("Accept", "application/json")]
            if json != nil { headers.append(("Content-Type", "application/json; charset=utf-8")) }
            let response = try await send(
                method, url, signing: signing, headers: headers, body: json.map { .bytes(ByteBuffer(string: $0)) })
            let status = response.status.code
            var answerWasLost = false
            if case .connection = previousError { answerWasLost = true }
            guard expected.contains(status) || (answerWasLost && alreadyDone.contains(status)) else {
                throw await statusFailure(response, method: method, url: url, signing: signing)
            }
            let body = try await readBody(of: response, method: method.rawValue, url: url)
            return (status, Data(body.readableBytesView))
        }
    }

    /// An answer's whole body, up to `limit` bytes, under the stall guard: a server that sends
    /// a byte now and then never lets the read timeout fire. Every body bbx reads whole (JSON,
    /// an error's message, a redirect's or an upload's answer it discards) goes through here.
    func readBody(of response: HTTPClientResponse, upTo limit: Int = 64 * 1024 * 1024, method: String, url: String)
        async throws -> ByteBuffer
    {
        let received = ReceivedBytes()
        let origin = Origin(url)!
        do {
            return try await withStallGuard(
                window: configuration.stallWindow, minimum: configuration.stallMinimumBytes, received: received
            ) {
                var body = ByteBuffer()
                for try await var chunk in response.body {
                    received.add(chunk.readableBytes)
                    guard body.readableBytes + chunk.readableBytes <= limit else {
                        throw BitbucketError.unexpectedResponse(
                            method: method, path: url.pathAndQuery.path,
                            reason: "the answer is larger than \(limit) bytes")
                    }
                    body.writeBuffer(&chunk)
                }
                return body
            }
        } catch is Stalled {
            throw stallFailure(method: method, origin: origin, path: url.pathAndQuery.path)
        } catch let error as BitbucketError {
            throw error
        } catch {
            throw connectionFailure(error, method: method, origin: origin, path: url.pathAndQuery.path, viaProxy: false)
        }
    }
}
