import Foundation
import Synchronization

/// Bitbucket's hourly budget of API requests (`--rate-limit N[:USED]`): each credential's
/// requests in the last hour are counted (a rolling hour, as Bitbucket's is), and past N they
/// are answered 429. The caller names the credential (`APIRoutes.rateKey`).
final class RateLimiter: Sendable {
    let limit: Int
    /// Counted as made just before the emulator started, for every credential (`:USED`), so a
    /// test reaches "near the limit" in a few requests. A reset forgets them too.
    private let initiallyUsed: Int
    private struct State {
        var requests: [String: [ContinuousClock.Instant]] = [:]
        var applyInitial = true
        let started = ContinuousClock.now
    }
    private let state = Mutex(State())

    static let window: Duration = .seconds(3600)

    init(limit: Int, used: Int) {
        self.limit = limit
        self.initiallyUsed = used
    }

    /// What one request counts for.
    struct Count {
        let limit: Int
        /// Four fifths of the hour's budget are spent (Bitbucket's `X-RateLimit-NearLimit`).
        let near: Bool
        let over: Bool
    }

    /// Counts a request of `credential` now.
    func count(_ credential: String) -> Count {
        state.withLock { state in
            let now = ContinuousClock.now
            var times =
                state.requests[credential]
                ?? (state.applyInitial
                    ? Array(repeating: state.started, count: initiallyUsed) : [])
            // Requests older than an hour no longer count.
            let expired = times.prefix { now - $0 >= Self.window }.count
            if expired > 0 { times.removeFirst(expired) }
            let over = times.count >= limit
            // A refused request is not served, and does not use the budget up further.
            if !over { times.append(now) }
            state.requests[credential] = times
            return Count(limit: limit, near: times.count * 5 >= limit * 4, over: over)
        }
    }

    /// `DELETE /_emulator/rate-limits`: every count starts afresh.
    func reset() {
        state.withLock {
            $0.requests = [:]
            $0.applyInitial = false
        }
    }
}
