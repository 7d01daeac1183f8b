import BBXApply
import BBXBridge
import BBXEvaluate
import Foundation

/// What `print`, `list` and Connect reads show while planning: kept for the JSON document, or
/// written as text through an `OutputGate` (outputs that stand after changes wait for them).
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [PlanOutput] = []
    /// Every output with the number of steps before it, for a saved plan.
    private var all: [(output: PlanOutput, afterSteps: Int)] = []
    private let gate: OutputGate?

    init(json: Bool, deferring: Bool = false) {
        gate = json ? nil : OutputGate(deferring: deferring) { Console.out($0) }
    }

    func receive(_ output: PlanOutput, afterSteps: Int) {
        lock.withLock { all.append((output, afterSteps)) }
        if let gate {
            gate.receive(output, afterSteps: afterSteps)
        } else {
            lock.withLock { kept.append(output) }
        }
    }

    /// Writes the waiting outputs that are due after `report` (all of them without one).
    func release(after report: Report?) {
        gate?.release(after: report)
    }

    var collected: [PlanOutput] { lock.withLock { kept } }
    var recorded: [(output: PlanOutput, afterSteps: Int)] { lock.withLock { all } }
}
