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
    }

    private let state = Mutex(State())

    public init() {}

    /// The requests made so far, API and storage together.
    public var total: Int { state.withLock { $0.apiRequests + $0.storageRequests } }

    func counted(api: Bool) {
        state.withLock {
            if api { $0.apiRequests += 1 } else { $0.storageRequests += 1 }
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
            guard let pacing = state.pacing else { return nil }
            let now = ContinuousClock.now
            let slot = max(state.nextSlot ?? now, now)
            state.nextSlot = slot + pacing
            return slot - now
        }
        if let delay, delay > .zero { try await Task.sleep(for: delay) }
    }
}
