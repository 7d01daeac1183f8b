import BBXApply
import BBXEvaluate
import Synchronization

/// Where `print`, `list` and Connect reads go when a plan is about to be applied. An output that
/// stands after changes in the script speaks for them: it waits until they are done and is
/// dropped if any of them failed (`print "released"` at the end of a release shows only if the
/// release went through). The others are written at once; without `deferring` (a dry run),
/// everything is.
public final class OutputGate: Sendable {
    let write: @Sendable (String) -> Void
    let deferring: Bool
    let waiting = Mutex<[(output: PlanOutput, afterSteps: Int)]>([])

    public init(deferring: Bool, write: @escaping @Sendable (String) -> Void) {
        self.deferring = deferring
        self.write = write
    }

    /// An output of planning, with the number of steps planned before it.
    public func receive(_ output: PlanOutput, afterSteps: Int) {
        if deferring && afterSteps > 0 {
            waiting.withLock { $0.append((output, afterSteps)) }
        } else {
            write(output.text)
        }
    }

    /// Writes what waited and is due after `report`, in order, up to the first output whose
    /// earlier steps did not all succeed; with no report (nothing was applied), all of it.
    public func release(after report: Report?) {
        let items = waiting.withLock { items in
            defer { items = [] }
            return items
        }
        for (output, afterSteps) in items {
            if let report,
                !report.entries.prefix(afterSteps).allSatisfy({ $0.outcome == .done || $0.outcome == .skipped })
            {
                break
            }
            write(output.text)
        }
    }
}
