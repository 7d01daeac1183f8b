import BBXApply
import BBXBridge
import BBXEvaluate
import Foundation
import Synchronization

/// What `print`, `list` and Connect reads show while planning: kept for the JSON document, or
/// written as text through an `OutputGate` (outputs that stand after changes wait for them).
final class OutputCollector: Sendable {
    private struct Collected {
        var kept: [PlanOutput] = []
        /// Every output with the number of steps before it, for a saved plan.
        var all: [(output: PlanOutput, afterSteps: Int)] = []
    }

    private let collected_ = Mutex(Collected())
    private let gate: OutputGate?

    init(json: Bool, deferring: Bool = false) {
        gate = json ? nil : OutputGate(deferring: deferring) { Console.out($0) }
    }

    func receive(_ output: PlanOutput, afterSteps: Int) {
        collected_.withLock { $0.all.append((output, afterSteps)) }
        if let gate {
            gate.receive(output, afterSteps: afterSteps)
        } else {
            collected_.withLock { $0.kept.append(output) }
        }
    }

    /// Writes the waiting outputs that are due after `report` (all of them without one).
    func release(after report: Report?) {
        gate?.release(after: report)
    }

    var collected: [PlanOutput] { collected_.withLock { $0.kept } }
    var recorded: [(output: PlanOutput, afterSteps: Int)] { collected_.withLock { $0.all } }
}
