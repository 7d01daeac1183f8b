import Foundation

/// Times as Bitbucket writes them: `2023-10-25T08:19:49.123456+00:00`.
enum BitbucketTime {
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = Int(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    /// Between the years 1 and 9999: what `format` writes as valid ISO 8601.
    static func isWritable(_ date: Date) -> Bool {
        let interval = date.timeIntervalSince1970
        return interval >= -62_135_596_800 && interval < 253_402_300_800
    }

    /// ISO-8601 with an offset or `Z`, with or without a fraction of a second.
    static func parse(_ text: String) -> Date? {
        let scalars = Array(text)
        guard scalars.count >= 20 else { return nil }
        var base = String(scalars[0..<19])
        var index = 19
        var fraction = 0.0
        if scalars[index] == "." {
            index += 1
            var digits = ""
            while index < scalars.count, scalars[index].isNumber {
                digits.append(scalars[index])
                index += 1
            }
            guard !digits.isEmpty else { return nil }
            fraction = Double("0." + digits) ?? 0
        }
        base += String(scalars[index...])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: base) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
