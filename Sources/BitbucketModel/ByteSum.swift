extension Int64 {
    /// `self + other`, held at `Int64.max` (or `.min`) instead of trapping: sizes come from
    /// servers and from local files (a sparse file may claim exabytes), and adding them up for a
    /// total must not stop bbx with a crash.
    public func clampedAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }
}

extension Sequence where Element == Int64 {
    /// The sum, held at `Int64.max` (see `clampedAdding`).
    public func clampedSum() -> Int64 { reduce(0) { $0.clampedAdding($1) } }
}
