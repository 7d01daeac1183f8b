import Foundation
import Testing

/// Golden files: expected output kept beside the tests. Set `BBX_RECORD=1` to write the actual
/// output as the new expectation (then review the diff in git).
public enum Golden {
    public static var isRecording: Bool {
        let value = ProcessInfo.processInfo.environment["BBX_RECORD"] ?? ""
        return !value.isEmpty && value != "0"
    }

    /// The expected text for `actual`. When recording, writes `actual` and records an issue, so
    /// a recording run never passes: review the diff, then run again without `BBX_RECORD`.
    public static func expected(
        _ actual: String, at url: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> String? {
        if isRecording {
            do {
                try actual.write(to: url, atomically: true, encoding: .utf8)
                Issue.record(
                    "recorded \(url.lastPathComponent) (BBX_RECORD is set): review the diff, then run the tests without it",
                    sourceLocation: sourceLocation)
            } catch {
                Issue.record("cannot record \(url.path): \(error)", sourceLocation: sourceLocation)
            }
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
