import BBXEvaluate
import BBXPlan
import Foundation

/// What `print`, `list` and Connect reads show while planning: written at once as text, or
/// kept for the JSON document.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [PlanOutput] = []
    let json: Bool

    init(json: Bool) { self.json = json }

    func receive(_ output: PlanOutput) {
        if json {
            lock.withLock { kept.append(output) }
            return
        }
        switch output {
        case .line(let text): Console.out(text + "\n")
        case .artifacts(let repository, let artifacts): Console.out(artifactTable(artifacts, repository: repository))
        }
    }

    var collected: [PlanOutput] { lock.withLock { kept } }
}
