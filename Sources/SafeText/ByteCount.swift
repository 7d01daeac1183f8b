/// Sizes as people read them: `512 B`, `12.3 KiB`, `8.1 MiB`, `1.0 GiB` (binary units, one decimal).
public func formatBytes(_ bytes: Int64) -> String {
    if bytes < 1024 { return "\(bytes) B" }
    let units = ["KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes) / 1024
    var unit = 0
    // 1023.96 KiB would print as "1024.0 KiB": move up a unit first.
    while value >= 1023.95, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    let tenths = Int64((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
}
