import BBXApply
import BBXEvaluate
import BBXPlan
import BitbucketModel

/// How a run ended, whichever command drove it (`bbx run`, `plan`, `apply`, a REPL entry): each
/// outcome has exactly one exit code, and a refusal carries the one sentence every command says.
public enum RunOutcome: Sendable {
    /// The script did not check: 65.
    case unchecked
    /// Planning stopped; the error's cause is the exit code (65, 77, 1, 75).
    case planningStopped(PlanningError)
    /// Nothing was sent: the credential is known to lack a scope the plan needs, or the signing
    /// key cannot be loaded (77); a saved plan that no longer holds (1).
    case refused(String, FailureCause)
    /// Planned and not applied (a dry run, or nothing to do): 0, or 2 with changes when asked.
    case planned(Plan)
    /// Applied; the report says how it went.
    case applied(Plan, Report)
    /// A signal stopped the run: 128 + its number.
    case interrupted(signal: Int32)

    /// `detailed`: `--detailed-exitcode`, where a plan with changes that went through ends 2.
    public func exitCode(detailed: Bool = false) -> Int32 {
        switch self {
        case .unchecked: FailureCause.script.exitCode
        case .planningStopped(let error): error.cause.exitCode
        case .refused(_, let cause): cause.exitCode
        case .planned(let plan): detailed && plan.hasChanges ? 2 : 0
        case .applied(let plan, let report):
            if report.succeeded {
                detailed && plan.hasChanges ? 2 : 0
            } else if report.outOfRequests != nil, report.failures.isEmpty, report.differences.isEmpty {
                FailureCause.outOfRequests(limit: nil).exitCode
            } else {
                (report.failedOnCredentials ? FailureCause.credentials : .unavailable).exitCode
            }
        case .interrupted(let signal): 128 + signal
        }
    }
}

/// The one way a plan is carried out, by `bbx run`, `bbx apply` and each REPL entry alike:
/// refused before anything is sent when the credential is known (from the listings' headers)
/// not to hold a scope it needs, or when its signing key cannot be loaded; otherwise applied.
/// Callers only say the outcome (text, JSON, the REPL's lines); none decides anything itself,
/// so the REPL behaves like `bbx run` by construction.
public struct RunDriver: Sendable {
    public let service: BitbucketService
    public let jobs: Int
    public let filesPerRequest: Int
    /// The key that signs a plan's `signed` manifests, loaded after planning; throws when it is
    /// set but cannot be had (the message says why).
    public let signing: @Sendable (Plan) throws -> ManifestSigning?

    public init(
        service: BitbucketService, jobs: Int, filesPerRequest: Int = Executor.groupFiles,
        signing: @escaping @Sendable (Plan) throws -> ManifestSigning?
    ) {
        self.service = service
        self.jobs = jobs
        self.filesPerRequest = filesPerRequest
        self.signing = signing
    }

    /// What the plan cost to make and costs to apply, in API requests (the plan states both and
    /// compares them with the budget).
    public func countRequests(_ plan: inout Plan) {
        plan.requests = RequestCount(
            planning: service.client.meter.apiByTarget, applying: executor(signing: nil).requestsToApply(plan),
            maxRequests: service.client.configuration.maxRequests)
    }

    /// Applies `plan`, unless it is refused first; `observer` hears each step and is finished
    /// when the run ends. Cancelling the task stops it as Ctrl-C does.
    public func apply(_ plan: Plan, observer: (any ApplyObserver)?) async -> RunOutcome {
        if let refusal = plan.credentialRefusal(service.grant(for:)) { return .refused(refusal, .credentials) }
        let signing: ManifestSigning?
        do {
            signing = try self.signing(plan)
        } catch {
            return .refused("\(error); nothing was changed", .credentials)
        }
        let report = await executor(signing: signing).apply(plan, observer: observer)
        observer?.finish()
        return .applied(plan, report)
    }

    func executor(signing: ManifestSigning?) -> Executor {
        Executor(
            service: service, jobs: jobs, filesPerRequest: filesPerRequest, signing: signing,
            maxRequests: service.client.configuration.maxRequests)
    }
}
