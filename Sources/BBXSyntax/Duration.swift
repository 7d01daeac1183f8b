import Foundation

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

/// A duration as people read it: the largest units that fit, at most three of them, down to
/// seconds (`29d 15h 25m`, `90s` → `1m 30s`, `0s`). `parseDuration` reads it back.
public func describeDuration(seconds: Int) -> String {
    if seconds == 0 { return "0s" }
    var rest = abs(seconds)
    var parts: [String] = []
    for unit in [DurationUnit.days, .hours, .minutes, .seconds] where parts.count < 3 {
        let count = rest / unit.seconds
        if count > 0 || !parts.isEmpty {
            if count > 0 { parts.append("\(count)\(unit.rawValue)") }
            rest -= count * unit.seconds
        }
        if rest == 0 { break }
    }
    return (seconds < 0 ? "-" : "") + parts.joined(separator: " ")
}

/// `30d`, `2w`, `90s`, and what `describeDuration` writes (`29d 15h 25m`, `1w2d`): whole numbers
/// each followed by a unit, spaces between allowed. nil for anything else (`14 days`, `5`).
public func parseDuration(_ text: String) -> Int? {
    var total = 0
    var digits = ""
    var sawUnit = false
    for character in text.trimmingCharacters(in: .whitespaces) {
        if character.isASCII, character.isNumber {
            digits.append(character)
        } else if let unit = DurationUnit(rawValue: character), !digits.isEmpty {
            guard let count = Int(digits) else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: unit.seconds)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow, !overflow2 else { return nil }
            total = sum
            digits = ""
            sawUnit = true
        } else if character == " ", digits.isEmpty {
            continue
        } else {
            return nil
        }
    }
    return digits.isEmpty && sawUnit ? total : nil
}

/// A whole number written as text (`"5"`, `" 12 "`), as `env` and `--var` give numbers.
public func parseWholeNumber(_ text: String) -> Int? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(trimmed)
}
