import Foundation
import Synchronization

/// Counts the requests a client makes (the report ends with the number: Bitbucket limits API
/// calls per hour, 1,000 on repository endpoints for most accounts, so requests rather than
/// bandwidth bound a big release) and reads what Bitbucket says of its rate limit.
///
/// Bitbucket sends `X-RateLimit-Limit` and `X-RateLimit-NearLimit` (true when less than a fifth
/// of the hour's budget is left) to access tokens. Once near the limit, API requests are paced
/// to the limit's own rate (an hour divided by the limit, 3.6 s for 1,000): slower, but a job
/// that keeps going finishes instead of running into 429s.
public final class RequestMeter: Sendable {
    private struct State {
        var apiRequests = 0
        var storageRequests = 0
        var limit: Int?
        var pacing: Duration?
        var nextSlot: ContinuousClock.Instant?
        /// After a 429, no API request starts before this (requests in flight under `--jobs`
        /// back off together rather than each hammering on its own).
        var pausedUntil: ContinuousClock.Instant?
        /// API requests by what they concern: a repository (`acme/app`), a workspace's listing
        /// (`acme`), the Connect app (`addon`).
        var byTarget: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The requests made so far, API and storage together.
    public var total: Int { state.withLock { $0.apiRequests + $0.storageRequests } }

    /// The API requests made so far.
    public var apiTotal: Int { state.withLock { $0.apiRequests } }

    /// The API requests made so far by what they concern (see `target(of:)`).
    public var apiByTarget: [String: Int] { state.withLock { $0.byTarget } }

    /// Counts a request about to be sent; false (and not counted) when it is an API request and
    /// `limit` of them were made already.
    func count(api: Bool, path: String, limit: Int?) -> Bool {
        state.withLock { state in
            guard api else {
                state.storageRequests += 1
                return true
            }
            if let limit, state.apiRequests >= limit { return false }
            state.apiRequests += 1
            state.byTarget[Self.target(of: path), default: 0] += 1
            return true
        }
    }

    /// What an API path concerns: `/2.0/repositories/acme/app/downloads` → `acme/app`,
    /// `/2.0/repositories/acme` → `acme`, `/2.0/addon/…` → `addon`.
    static func target(of path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        guard segments.count >= 2, segments[0] == "2.0" else { return path }
        if segments[1] == "repositories", segments.count >= 3 {
            return segments.count >= 4 ? "\(segments[2])/\(segments[3])" : segments[2]
        }
        return segments[1]
    }

    /// A 429 came: every API request waits `delay` from now (or longer, if already waiting).
    func backOff(_ delay: Duration) {
        state.withLock { state in
            let until = ContinuousClock.now + delay
            state.pausedUntil = max(state.pausedUntil ?? until, until)
        }
    }

    /// Reads a response's rate-limit headers. Returns the pacing when it has just begun (to say
    /// so once), else nil.
    func observe(limit: String?, nearLimit: String?) -> Duration? {
        state.withLock { state in
            if let limit = limit.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), limit > 0 {
                state.limit = limit
            }
            guard state.pacing == nil, nearLimit?.trimmingCharacters(in: .whitespaces).lowercased() == "true" else {
                return nil
            }
            let perHour = state.limit ?? 1000
            state.pacing = .milliseconds(3_600_000 / perHour)
            return state.pacing
        }
    }

    /// Waits for the next API request's slot when pacing (each caller takes the next slot, so
    /// concurrent transfers share the pace rather than each keeping it).
    func waitForSlot() async throws {
        let delay: Duration? = state.withLock { state in
            let now = ContinuousClock.now
            let paused = state.pausedUntil.map { max($0, now) } ?? now
            guard let pacing = state.pacing else { return paused - now }
            let slot = max(state.nextSlot ?? now, paused)
            state.nextSlot = slot + pacing
            return slot - now
        }
        if let delay, delay > .zero { try await Task.sleep(for: delay) }
    }
}
