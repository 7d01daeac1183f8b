import BitbucketModel

/// Why a call failed, in words a release engineer can act on. No case carries a secret: paths
/// are shown without their query (a storage link's signature is a credential too).
public enum BitbucketError: CausedError, Sendable, CustomStringConvertible {
    /// Bitbucket (or the storage host) answered with an error status.
    case status(StatusFailure)
    /// No usable answer: the connection could not be made, was cut, or went silent.
    case connection(ConnectionFailure)
    /// Dry-run mode: the request would have changed something, so it was not sent.
    case refusedInDryRun(method: String, path: String)
    /// A download ended before its announced size.
    case incompleteDownload(name: String, expected: Int64, received: Int64)
    /// A download went on past the size the listing gave it (a server that lies, or an artifact
    /// replaced by a bigger one meanwhile): reading stopped there, so an endless answer cannot
    /// fill the disk, and nothing was kept.
    case oversizedDownload(name: String, listed: Int64)
    /// The storage host announced another size than the listing's before sending anything:
    /// nothing is read (a 1 GiB artifact replaced by a 2 GiB one fails at once, not after 1 GiB).
    case sizeMismatch(name: String, listed: Int64, served: Int64)
    /// A resumed download found another version of the artifact (replaced meanwhile): what was
    /// received is dropped and the download starts over.
    case changedDuringDownload(name: String)
    /// A local file could not be read or written.
    case file(path: String, reason: String)
    /// The bytes received do not hash to the manifest's SHA-256: nothing was kept.
    case checksumMismatch(name: String, manifest: String, expected: String, received: String)
    /// A call to `/2.0/addon*` without Connect credentials configured.
    case missingConnectCredentials
    /// A linker endpoint answered 410, or 404 without naming a linker or value: Atlassian has
    /// removed them (announced for May 2026).
    case linkersRemoved(StatusFailure)
    /// Bitbucket answered, but not in a shape bbx understands.
    case unexpectedResponse(method: String, path: String, reason: String)
    /// The run has made the API requests `--max-requests` allows: this one was not sent.
    case requestBudgetSpent(limit: Int, method: String, path: String)

    public var description: String {
        switch self {
        case .status(let failure): failure.description
        case .connection(let failure): failure.description
        case .refusedInDryRun(let method, let path): "dry run: \(method) \(path) was not sent"
        case .incompleteDownload(let name, let expected, let received):
            "the download of \(name) ended after \(received) of \(expected) bytes"
        case .sizeMismatch(let name, let listed, let served):
            "\(name) is listed with \(listed) bytes but is served with \(served); it may have been replaced meanwhile (nothing kept)"
        case .oversizedDownload(let name, let listed):
            "\(name) went on past the \(listed) bytes listed; it may have been replaced meanwhile (stopped reading, nothing kept)"
        case .changedDuringDownload(let name):
            "\(name) changed on the server during the download; starting over"
        case .file(let path, let reason): "\(path): \(reason)"
        case .checksumMismatch(let name, let manifest, let expected, let received):
            "\(name) does not match \(manifest): its SHA-256 is \(received), the manifest says \(expected); nothing was kept"
        case .missingConnectCredentials:
            "Connect calls need BITBUCKET_CONNECT_APP_KEY, BITBUCKET_CONNECT_CLIENT_KEY and BITBUCKET_CONNECT_SHARED_SECRET"
        case .unexpectedResponse(let method, let path, let reason): "\(method) \(path): unexpected response: \(reason)"
        case .requestBudgetSpent(let limit, let method, let path):
            "\(method) \(path) was not sent: this run has made the \(limit) API requests --max-requests allows"
        case .linkersRemoved(let failure):
            "Bitbucket has removed the linker endpoints (\(failure.method) \(failure.path) answered \(failure.status) \(StatusFailure.reason(failure.status))): Atlassian deprecated /2.0/addon/linkers for removal by May 2026; linkers can no longer be read or changed"
        }
    }

    /// Why, as every layer above acts on it (the exit code): decided here, from the answer.
    public var cause: FailureCause {
        switch self {
        case .status(let failure):
            // The storage host's 403 is about its signed link (expired, refused), not about the
            // credential, which never goes there; a request sent without one is refused as 401,
            // 403 or (a private repository) 404.
            if failure.withoutCredential, [401, 403, 404].contains(failure.status) { return .credentials }
            if failure.storageHost == nil, [401, 403].contains(failure.status) { return .credentials }
            if failure.storageHost == nil, failure.status == 429 { return .outOfRequests(limit: nil) }
            // 402 (a free-plan workspace) is no mistake in the script either.
            return failure.status >= 500 || failure.status == 429 || failure.status == 402 ? .unavailable : .script
        case .missingConnectCredentials: return .credentials
        case .requestBudgetSpent(let limit, _, _): return .outOfRequests(limit: limit)
        // An answer that makes no sense (a listing that does not end or will not hold still, a
        // negative size) is the server's fault, not the script's.
        case .connection, .linkersRemoved, .unexpectedResponse: return .unavailable
        case .refusedInDryRun, .incompleteDownload, .oversizedDownload, .sizeMismatch, .changedDuringDownload, .file,
            .checksumMismatch:
            return .script
        }
    }

    /// Worth another attempt: the network failed, or Bitbucket was busy or broken for a moment.
    var isRetryable: Bool {
        switch self {
        case .status(let failure): failure.isRetryable
        case .connection(let failure): failure.isRetryable
        case .incompleteDownload, .changedDuringDownload: true
        default: false
        }
    }

    var retryAfter: Duration? {
        if case .status(let failure) = self { return failure.retryAfter }
        return nil
    }

    /// The same error, saying how many attempts were made.
    func afterAttempts(_ attempts: Int) -> BitbucketError {
        guard attempts > 1 else { return self }
        switch self {
        case .status(var failure):
            failure.attempts = attempts
            return .status(failure)
        case .connection(var failure):
            failure.attempts = attempts
            return .connection(failure)
        default: return self
        }
    }
}

/// An error status with Bitbucket's own message and, for a missing scope, what was required
/// and what the credential has.
public struct StatusFailure: Sendable, Hashable, CustomStringConvertible {
    public let method: String
    public let path: String
    public let status: Int
    public let message: String
    public let detail: String?
    public let requiredScopes: [String]
    public let grantedScopes: [String]
    /// "the token", "the API token": who lacks a scope.
    let credentialNoun: String
    /// What to check on a 401, for the kind of credential that was sent.
    let credentialHint: String
    var retryAfter: Duration?
    public internal(set) var attempts = 1
    /// Set when the storage host (where a download's link leads) answered, not the API.
    public internal(set) var storageHost: String?
    /// No credential was configured: a 401, 403 or 404 then most likely means just that.
    var withoutCredential = false

    var isRetryable: Bool { [429, 500, 502, 503, 504].contains(status) }

    public var description: String {
        var text = "\(method) \(storageHost ?? "")\(path): \(status) \(Self.reason(status))"
        if !requiredScopes.isEmpty {
            text += ": \(credentialNoun) lacks \(requiredScopes.joined(separator: ", "))"
            text += " (granted: \(grantedScopes.isEmpty ? "none" : grantedScopes.joined(separator: ", ")))"
        } else {
            if !message.isEmpty { text += ": \(message)" }
            if let detail, !detail.isEmpty, detail != message { text += " (\(detail))" }
        }
        // "…not supported for this endpoint.; check…" reads badly: the hint continues the sentence.
        if [401, 402, 429].contains(status), text.hasSuffix(".") { text.removeLast() }
        switch status {
        case 401: text += "; \(credentialHint)"
        // Said once: Bitbucket's own message usually says it already.
        case 402 where !message.lowercased().contains("plan"):
            text += "; the workspace's plan does not include Downloads"
        case 429: text += "; Bitbucket's rate limit (1,000 requests an hour per credential) was reached"
        default: break
        }
        if let storageHost, [401, 403].contains(status) {
            text += "; the storage host \(storageHost) refused the download link, also a fresh one"
        }
        // Without a credential, Bitbucket hides private repositories behind a 404.
        if withoutCredential, [403, 404].contains(status) {
            if text.hasSuffix(".") { text.removeLast() }
            text += "; \(credentialHint)"
        }
        if attempts > 1 { text += " (gave up after \(attempts) attempts)" }
        return text
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 416: "Range Not Satisfiable"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "HTTP error"
        }
    }
}

/// A request that got no usable answer.
public struct ConnectionFailure: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case refused, timedOut, closed, silent, tls, proxyAuthentication, proxyRefused, other
    }
    public let kind: Kind
    public let method: String
    /// `host:port` and path, never a query.
    public let target: String
    public let reason: String
    public internal(set) var attempts = 1

    /// A certificate that fails verification or a proxy that wants other credentials will not
    /// change on a second try; everything else may.
    // A certificate or a proxy's refusal does not change by asking again.
    var isRetryable: Bool { ![.tls, .proxyAuthentication, .proxyRefused].contains(kind) }

    public var description: String {
        "\(method) \(target): \(reason)" + (attempts > 1 ? " (gave up after \(attempts) attempts)" : "")
    }
}
