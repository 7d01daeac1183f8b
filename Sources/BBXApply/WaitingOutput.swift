import BBXEvaluate

/// Outputs of a plan that is going to be applied and that stand after changes in the script:
/// each is due once every step planned before it is done (`print "released"` at the end of a
/// release shows only if the release went through).
public struct WaitingOutput: Sendable {
    var items: [(output: PlanOutput, afterSteps: Int)] = []

    public init() {}

    public mutating func add(_ output: PlanOutput, afterSteps: Int) {
        items.append((output, afterSteps))
    }

    /// The outputs due after `report`, in order, up to the first whose earlier steps did not
    /// all succeed; with no report (nothing was applied), all of them.
    public func due(after report: Report?) -> [PlanOutput] {
        var due: [PlanOutput] = []
        for (output, afterSteps) in items {
            if let report {
                let before = report.entries.prefix(afterSteps)
                guard before.allSatisfy({ $0.outcome == .done || $0.outcome == .skipped }) else { break }
            }
            due.append(output)
        }
        return due
    }
}
