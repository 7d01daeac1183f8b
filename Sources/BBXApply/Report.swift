import BBXPlan
import BitbucketModel

/// What applying a plan did, step by step: the last word of every run.
public struct Report: Hashable, Sendable, Codable {
    public enum Outcome: Hashable, Sendable, Codable {
        /// The change was made (for a download: the file is in place).
        case done
        /// Nothing to do (`skip` steps).
        case skipped
        case failed(String)
        /// Ctrl-C stopped it while running; nothing of it remains.
        case interrupted
        /// It never started: an earlier step failed, or the run was interrupted.
        case notStarted

        public var label: String {
            switch self {
            case .done: "done"
            case .skipped: "skipped"
            case .failed: "failed"
            case .interrupted: "interrupted"
            case .notStarted: "not started"
            }
        }
    }

    public struct Entry: Hashable, Sendable, Codable {
        public let step: Step
        public var outcome: Outcome
        /// Why the step failed (a refused credential makes the run exit 77, anything else 1).
        public var cause: FailureCause?
        /// Why a step was skipped while applying: "changed since the plan; not deleted".
        public var note: String?
        /// The SHA-256 the step saw: an upload's as sent, a verified artifact's as received.
        public var sha256: String?
    }

    /// Where the remote, listed again after applying, is not what the plan predicted.
    public var differences: [String] = []

    public var entries: [Entry]
    /// Ctrl-C arrived during the run.
    public var wasInterrupted = false
    /// The HTTP requests made while applying (API and storage); nil when unknown.
    public var requests: Int?
    /// The API requests the run made (planning and applying), by what they concern.
    public var apiRequests: [String: Int]?
    /// The run stopped between steps for want of requests: what is left is for the next run.
    public var outOfRequests: OutOfRequests?

    /// Why a run stopped short of its requests.
    public enum OutOfRequests: Hashable, Sendable, Codable {
        /// `--max-requests N` would have been passed.
        case maxRequests(Int)
        /// Bitbucket answered 429 beyond the retries.
        case rateLimited

        /// The report's first words, and what to do.
        public var headline: String {
            switch self {
            case .maxRequests(let limit):
                "Stopped at the request budget (--max-requests \(limit)); run again to continue"
            case .rateLimited: "Bitbucket's hourly limit reached; run again later"
            }
        }
    }

    public init(plan: Plan) {
        entries = plan.steps.map { Entry(step: $0, outcome: $0.kind.isApplied ? .notStarted : .skipped) }
    }

    /// Every change was made.
    public var succeeded: Bool {
        !wasInterrupted && differences.isEmpty && outOfRequests == nil
            && entries.allSatisfy { $0.outcome == .done || $0.outcome == .skipped }
    }

    /// Every failure was a refused credential.
    public var failedOnCredentials: Bool {
        !failures.isEmpty && failures.allSatisfy { $0.cause == .credentials }
    }

    public func count(_ outcome: Outcome) -> Int { entries.filter { $0.outcome == outcome }.count }

    public var failures: [Entry] {
        entries.filter { if case .failed = $0.outcome { return true } else { return false } }
    }
}
