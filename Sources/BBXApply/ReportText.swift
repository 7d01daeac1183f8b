import BBXPlan
import BitbucketModel
import SafeText

/// The human form of a report: one line when everything went, else every step with what
/// happened to it, so the reader knows exactly what changed.
public struct ReportText: Sendable {
    public init() {}

    public func render(_ report: Report, seconds: Double? = nil) -> String {
        let took = seconds.map { " in \(Self.formatSeconds($0))" } ?? ""
        let naming = Set(report.entries.compactMap(\.step.repository)).count > 1
        // Steps skipped while applying say why, whatever the outcome; verified artifacts say
        // what they were found to be.
        let noted = report.entries.compactMap { entry -> String? in
            guard let note = entry.note else { return nil }
            let row = PlanText.Row(entry.step, namingRepository: naming)
            let hash = entry.step.kind == .verify ? entry.sha256.map { ", sha256 \($0)" } ?? "" : ""
            return "  \(entry.outcome.label)  \(row.mark) \(row.verb) \(row.what): \(note.terminalSafe)\(hash)"
        }
        let requests = report.requests.map { ["\($0) HTTP request\($0 == 1 ? "" : "s")."] } ?? []
        if report.succeeded {
            return (["Applied: \(summary(report))\(took)."] + noted + requests).joined(separator: "\n") + "\n"
        }
        if !report.differences.isEmpty && report.entries.allSatisfy({ $0.outcome == .done || $0.outcome == .skipped }) {
            let lines =
                ["Applied, but the remote is not what the plan predicted: \(summary(report))\(took)."] + noted
                + report.differences.map { "  \($0.terminalSafe)" } + requests
            return lines.joined(separator: "\n") + "\n"
        }
        if let why = report.outOfRequests, report.failures.isEmpty, !report.wasInterrupted {
            return (outOfRequests(report, why, took: took) + noted + requests).joined(separator: "\n") + "\n"
        }
        let failed = report.failures.count
        let interrupted = report.count(.interrupted)
        var counts = ["\(report.count(.done)) done"]
        if failed > 0 { counts.append("\(failed) failed") }
        if interrupted > 0 { counts.append("\(interrupted) interrupted") }
        counts.append("\(report.count(.notStarted)) not started")
        let headline = report.wasInterrupted ? "Apply interrupted" : "Apply failed"
        var lines = ["\(headline): \(counts.joined(separator: ", "))\(took)."]
        let width = report.entries.map(\.outcome.label.count).max() ?? 0
        for entry in report.entries {
            let row = PlanText.Row(entry.step, namingRepository: naming)
            let label = entry.outcome.label.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "  \(label)  \(row.mark) \(row.verb) \(row.what)"
            if !entry.step.kind.sendsFile && !entry.step.kind.receivesFile {
                line += " \(row.detail)"
            }
            lines.append(line + "  \(entry.step.source.description.terminalSafe)")
            if case .failed(let message) = entry.outcome {
                // Bitbucket's message, or a proxy's: untrusted text.
                lines.append("  " + String(repeating: " ", count: width) + "    \(message.terminalSafe)")
            } else if let note = entry.note {
                lines.append("  " + String(repeating: " ", count: width) + "    \(note.terminalSafe)")
            }
        }
        lines += report.differences.map { "  \($0.terminalSafe)" }
        if !report.entries.contains(where: { $0.outcome == .done && $0.step.kind.isChange }) {
            lines.append("Nothing was changed.")
        }
        lines += requests
        return lines.joined(separator: "\n") + "\n"
    }

    /// A run stopped between steps for want of requests: what was done, and what is left by
    /// kind and repository (a workspace's cleanup leaves thousands of steps: not one line each).
    func outOfRequests(_ report: Report, _ why: Report.OutOfRequests, took: String) -> [String] {
        let left = report.entries.filter { $0.outcome == .notStarted }
        var lines = ["\(why.headline).", "Done: \(summary(report))\(took)."]
        var byKind: [Step.Kind: Int] = [:]
        var byRepository: [String: Int] = [:]
        for entry in left {
            byKind[entry.step.kind, default: 0] += 1
            byRepository[entry.step.repository?.description ?? "Connect app", default: 0] += 1
        }
        let kinds = Step.Kind.allCases.compactMap { kind in byKind[kind].map { "\($0) to \(kind.rawValue)" } }
        lines.append(
            "Left: \(left.count) step\(left.count == 1 ? "" : "s")"
                + (kinds.isEmpty ? "" : " (\(kinds.joined(separator: ", ")))")
                + " in \(byRepository.count) repositor\(byRepository.count == 1 ? "y" : "ies"); running the script again plans only what is left."
        )
        for (repository, count) in byRepository.sorted(by: { $0.key < $1.key }).prefix(10) {
            lines.append("  \(repository.terminalSafe): \(count) left")
        }
        if byRepository.count > 10 { lines.append("  … and \(byRepository.count - 10) more repositories") }
        return lines
    }

    /// `2 uploaded, 1 replaced, 1 deleted (20.4 MiB sent)`, or `nothing to do`.
    func summary(_ report: Report) -> String {
        var counts: [Step.Kind: Int] = [:]
        var sent: Int64 = 0
        var received: Int64 = 0
        for entry in report.entries where entry.outcome == .done {
            counts[entry.step.kind, default: 0] += 1
            switch entry.step.kind {
            case .upload, .replace: sent = sent.clampedAdding(entry.step.size ?? 0)
            case .download, .verify: received = received.clampedAdding(entry.step.size ?? 0)
            case .delete, .skip, .connect, .checksums: break
            }
        }
        // In the kinds' order: uploads, replacements, deletions, downloads, Connect calls.
        var parts = Step.Kind.allCases.compactMap { kind in counts[kind].flatMap { kind.done($0) } }
        let skipped = report.count(.skipped)
        if skipped > 0 { parts.append("\(skipped) skipped") }
        var text = parts.isEmpty ? "nothing to do" : parts.joined(separator: ", ")
        var bytes: [String] = []
        if sent > 0 { bytes.append("\(formatBytes(sent)) sent") }
        if received > 0 { bytes.append("\(formatBytes(received)) received") }
        if !bytes.isEmpty { text += " (\(bytes.joined(separator: ", ")))" }
        return text
    }

    static func formatSeconds(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
