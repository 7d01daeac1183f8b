import Foundation

/// Golden files: expected output kept beside the tests. Set `BBX_RECORD=1` to write the actual
/// output as the new expectation (then review the diff in git).
public enum Golden {
    public static var isRecording: Bool {
        let value = ProcessInfo.processInfo.environment["BBX_RECORD"] ?? ""
        return !value.isEmpty && value != "0"
    }

    /// The expected text for `actual`; when recording, writes `actual` first.
    public static func expected(_ actual: String, at url: URL) -> String? {
        if isRecording {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return actual
        }
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// A line diff of two texts, for a failure message a person can read.
    public static func diff(expected: String, actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var lines: [String] = []
        for i in 0..<max(e.count, a.count) {
            let left = i < e.count ? String(e[i]) : nil
            let right = i < a.count ? String(a[i]) : nil
            if left == right { continue }
            if let left { lines.append("line \(i + 1) expected: \(left)") }
            if let right { lines.append("line \(i + 1) actual:   \(right)") }
        }
        return lines.joined(separator: "\n")
    }
}
