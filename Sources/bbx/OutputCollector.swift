import BBXApply
import BBXEvaluate
import Foundation

/// What `print`, `list` and Connect reads show while planning: kept for the JSON document, or
/// written as text. When the plan is going to be applied, an output that stands after changes
/// in the script waits for them (`WaitingOutput`); the others are written at once.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [PlanOutput] = []
    private var waiting = WaitingOutput()
    let json: Bool
    let deferring: Bool

    init(json: Bool, deferring: Bool = false) {
        self.json = json
        self.deferring = deferring
    }

    func receive(_ output: PlanOutput, afterSteps: Int) {
        if json {
            lock.withLock { kept.append(output) }
        } else if deferring && afterSteps > 0 {
            lock.withLock { waiting.add(output, afterSteps: afterSteps) }
        } else {
            Console.out(output.text)
        }
    }

    /// Writes the waiting outputs that are due after `report` (all of them without one).
    func release(after report: Report?) {
        let due = lock.withLock { () -> [PlanOutput] in
            defer { waiting = WaitingOutput() }
            return waiting.due(after: report)
        }
        for output in due { Console.out(output.text) }
    }

    var collected: [PlanOutput] { lock.withLock { kept } }
}
