import BBXApply
import BBXEvaluate
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation

/// `--json`: one document per run on standard output, for CI to read. `version` changes only
/// when a field changes meaning or goes away.
struct JSONDocument: Encodable {
    let version = 1
    let command: String
    var dryRun = false
    var sandbox: String?
    var output: [OutputJSON] = []
    var plan: PlanJSON?
    var report: ReportJSON?
    /// The error that stopped the run (the first, when the script had several).
    var error: ErrorJSON?
    /// Every error the script's check found (each with its place), when it had any.
    var errors: [ErrorJSON]?

    struct StepJSON: Encodable {
        let kind: String
        let repository: String?
        let name: String
        let localPath: String?
        let size: Int64?
        let reason: String?
        let source: String
        var outcome: String?
        var error: String?
        /// Why a step was skipped while applying, or what a verify found.
        var note: String?
        /// The checksum manifest the step records into, checks against or replaces.
        let manifest: String?
        /// In a plan, the hash expected (the manifest's entry; the one an unchanged file has); in
        /// a report, the hash seen (an upload's as sent, a verified artifact's as received).
        var sha256: String?
        /// A manifest replacement's entries to record and to remove.
        let entries: [String]?
        let removals: [String]?
        /// A manifest replacement's entries of artifacts already gone, dropped.
        let orphans: [String]?
        /// A verify of a manifest entry that no artifact has.
        let orphan: Bool?

        /// The fields a saved plan has (`Step.Fields`), but for what only applying reads.
        init(_ step: Step) {
            let fields = Step.Fields(step)
            (kind, repository, name) = (fields.kind.rawValue, fields.repository?.description, fields.name)
            (localPath, size, reason) = (fields.localPath, fields.size, fields.reason)
            (manifest, sha256) = (fields.manifest, fields.sha256)
            (entries, removals, orphans, orphan) = (fields.entries, fields.removals, fields.orphans, fields.orphan)
            source = "\(step.source.file):\(step.source.line):\(step.source.column)"
        }
    }

    struct PlanJSON: Encodable {
        let steps: [StepJSON]
        let totals: Plan.Totals
        let hasChanges: Bool
        /// The plan's `note:` lines (artifacts left alone, and why).
        let notes: [String]?
        /// The API requests planning made and applying needs, per repository and in total.
        let requests: RequestsJSON?

        init(_ plan: Plan) {
            steps = plan.steps.map(StepJSON.init)
            totals = plan.totals
            hasChanges = plan.hasChanges
            notes = plan.notes
            requests = plan.requests.map(RequestsJSON.init)
        }
    }

    struct RequestsJSON: Encodable {
        let planning: Int
        let applying: Int
        /// What one run may make: `--max-requests`, else Bitbucket's hourly budget (1,000).
        let budget: Int
        let maxRequests: Int?
        /// The runs the apply takes within the budget; null when planning alone exceeds it.
        let runs: Int?
        let repositories: [RequestCount.Entry]

        init(_ count: RequestCount) {
            planning = count.planning
            applying = count.applying
            budget = count.budget
            maxRequests = count.maxRequests
            runs = count.runs
            repositories = count.entries
        }
    }

    struct ReportJSON: Encodable {
        let succeeded: Bool
        let interrupted: Bool
        let done: Int
        let failed: Int
        let notStarted: Int
        let skipped: Int
        let steps: [StepJSON]
        /// Where the remote, listed after applying, differs from the plan.
        let differences: [String]
        /// The HTTP requests the run made (planning and applying, API and storage).
        let requests: Int?
        /// The API requests the run made, by repository (`addon`: the Connect app).
        let apiRequests: [String: Int]?
        /// Why the run stopped between steps (`max-requests`, `rate-limited`): run it again.
        let outOfRequests: String?

        init(_ report: Report) {
            requests = report.requests
            apiRequests = report.apiRequests
            outOfRequests = report.outOfRequests.map {
                if case .maxRequests = $0 { "max-requests" } else { "rate-limited" }
            }
            differences = report.differences
            succeeded = report.succeeded
            interrupted = report.wasInterrupted
            done = report.count(.done)
            failed = report.failures.count + report.count(.interrupted)
            notStarted = report.count(.notStarted)
            skipped = report.count(.skipped)
            steps = report.entries.map { entry in
                var step = StepJSON(entry.step)
                step.outcome = entry.outcome.label
                if case .failed(let message) = entry.outcome { step.error = message }
                step.note = entry.note
                step.sha256 = entry.sha256 ?? step.sha256
                return step
            }
        }
    }

    struct ArtifactJSON: Encodable {
        let name: String
        let size: Int64
        let created: String
        let downloads: Int
    }

    struct OutputJSON: Encodable {
        var line: String?
        var repository: String?
        var artifacts: [ArtifactJSON]?
        /// Connect reads, as data: `linkers`, `linker`, or `linker_key` with `values`/`value`.
        var linkers: [Linker]?
        var linker: Linker?
        var linkerKey: String?
        var values: [LinkerValue]?
        var value: LinkerValue?

        enum CodingKeys: String, CodingKey {
            case line, repository, artifacts, linkers, linker, values, value
            case linkerKey = "linker_key"
        }

        init(_ output: PlanOutput) {
            switch output {
            case .connect(let result):
                switch result {
                case .linkers(let list): linkers = list
                case .linker(let info): linker = info
                case .values(let key, let list):
                    linkerKey = key
                    values = list
                case .value(let key, let item):
                    linkerKey = key
                    value = item
                }
            case .line(let text): line = text
            case .artifacts(let name, let list):
                repository = name.description
                artifacts = list.map {
                    ArtifactJSON(
                        name: $0.name, size: $0.size, created: $0.created.ISO8601Format(), downloads: $0.downloads)
                }
            }
        }
    }

    struct ErrorJSON: Encodable {
        let message: String
        var file: String?
        var line: Int?
        var column: Int?
        let exitCode: Int32
    }

    mutating func fail(_ message: String, exitCode: Int32, at range: SourceRange? = nil, in source: SourceFile? = nil) {
        var error = ErrorJSON(message: message, exitCode: exitCode)
        if let range, let source {
            let location = source.location(of: range.start)
            error.file = source.name
            error.line = location.line
            error.column = location.column
        }
        self.error = error
    }

    /// A script that does not check: every error, the first also as `error`.
    mutating func fail(_ diagnostics: [Diagnostic], exitCode: Int32, in source: SourceFile) {
        let errors = diagnostics.filter(\.isError)
        guard let first = errors.first else { return }
        fail(first.message, exitCode: exitCode, at: first.range, in: source)
        self.errors = errors.map { diagnostic in
            let location = source.location(of: diagnostic.range.start)
            var error = ErrorJSON(message: diagnostic.message, exitCode: exitCode)
            error.file = source.name
            error.line = location.line
            error.column = location.column
            return error
        }
    }

    func write() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return }
        Console.out(String(decoding: data, as: UTF8.self) + "\n")
    }
}
