/// Units of a duration literal (`90s`, `15m`, `12h`, `30d`, `2w`).
public enum DurationUnit: Character, CaseIterable, Sendable {
    case seconds = "s", minutes = "m", hours = "h", days = "d", weeks = "w"

    public var seconds: Int {
        switch self {
        case .seconds: return 1
        case .minutes: return 60
        case .hours: return 3600
        case .days: return 86_400
        case .weeks: return 604_800
        }
    }
}

/// Writes a number of seconds the way a script would (`30d`, `90s`, `1w`): the largest unit
/// that divides it exactly.
public func formatDuration(seconds: Int) -> String {
    for unit in [DurationUnit.weeks, .days, .hours, .minutes] where seconds != 0 && seconds % unit.seconds == 0 {
        return "\(seconds / unit.seconds)\(unit.rawValue)"
    }
    return "\(seconds)s"
}
