import BitbucketModel
import Foundation
import SafeText

/// The human form of a plan: grouped by repository, one line per step with its mark
/// (`+` upload, `~` replace, `-` delete, `=` skip or unchanged, `↓` download, `*` Connect call,
/// `✓` verify, `#` checksum manifest), what it does,
/// its size or reason, and where the statement is; then the totals line.
public struct PlanText: Sendable {
    public var colored: Bool

    public init(colored: Bool = false) { self.colored = colored }

    public func render(_ plan: Plan) -> String {
        var text = ""
        write(plan) { text += $0 }
        return text
    }

    /// The same, a repository's group at a time (with its line breaks), so that a plan of tens
    /// of thousands of steps is never held as text whole.
    public func write(_ plan: Plan, to out: (String) -> Void) {
        // Steps by index, not copied: a workspace's cleanup plans tens of thousands.
        var groups: [(title: String, steps: [Int])] = []
        var groupOf: [String: Int] = [:]
        for (index, step) in plan.steps.enumerated() {
            let title = step.repository?.description ?? "Connect app"
            if let group = groupOf[title] {
                groups[group].steps.append(index)
            } else {
                groupOf[title] = groups.count
                groups.append((title, [index]))
            }
        }
        var lines: [String] = []
        for group in groups {
            if !lines.isEmpty {
                out(lines.joined(separator: "\n") + "\n")
                lines = []
            }
            lines.append(paint(group.title.terminalSafe, .bold))
            let rows = group.steps.map { Row(plan.steps[$0]) }
            // Columns by display width: names may hold wide or combining characters.
            let whatWidth = rows.map(\.what.displayWidth).max() ?? 0
            let detailWidth = rows.map(\.detail.displayWidth).max() ?? 0
            for (row, step) in zip(rows, group.steps.lazy.map { plan.steps[$0] }) {
                let mark = paint("\(row.mark) \(row.verb.padded(toWidth: 8))", step.kind)
                let what = row.what.padded(toWidth: whatWidth)
                let detail = row.detail.padded(toWidth: detailWidth)
                lines.append("  \(mark) \(what)  \(detail)  \(step.source.description.terminalSafe)")
            }
        }
        for note in plan.notes ?? [] { lines.append("note: \(note.terminalSafe)") }
        lines.append(Self.totals(plan))
        lines += plan.requests?.lines ?? []
        out(lines.joined(separator: "\n") + "\n")
    }

    /// `Plan: 1 to upload, 1 to replace, 1 to delete (20.4 MiB to send).`
    public static func totals(_ plan: Plan) -> String {
        let totals = plan.totals
        var parts: [String] = []
        if totals.uploads > 0 { parts.append("\(totals.uploads) to upload") }
        if totals.replacements > 0 { parts.append("\(totals.replacements) to replace") }
        if totals.deletions > 0 { parts.append("\(totals.deletions) to delete") }
        if totals.downloads > 0 { parts.append("\(totals.downloads) to download") }
        if totals.verifications > 0 { parts.append("\(totals.verifications) to verify") }
        if totals.manifestUpdates > 0 {
            parts.append(
                "\(totals.manifestUpdates) checksum manifest\(totals.manifestUpdates == 1 ? "" : "s") to update")
        }
        if totals.connectCalls > 0 {
            parts.append("\(totals.connectCalls) Connect call\(totals.connectCalls == 1 ? "" : "s")")
        }
        var bytes: [String] = []
        if totals.bytesToSend > 0 { bytes.append("\(formatBytes(totals.bytesToSend)) to send") }
        if totals.bytesToReceive > 0 { bytes.append("\(formatBytes(totals.bytesToReceive)) to receive") }
        var line = "Plan: " + (parts.isEmpty ? "no changes" : parts.joined(separator: ", "))
        if !bytes.isEmpty { line += " (\(bytes.joined(separator: ", ")))" }
        if totals.skipped > 0 { line += "; \(totals.skipped) skipped" }
        return line + "."
    }

    /// One step's columns, with names and reasons made safe for a terminal (they come from
    /// servers and file systems).
    public struct Row: Sendable {
        public let mark: String
        public let verb: String
        public private(set) var what: String
        public private(set) var detail: String

        /// `namingRepository`: `what` starts with the repository (a report or progress line of a
        /// run that touches several, where no heading groups them).
        public init(_ step: Step, namingRepository: Bool = false) {
            self.init(unescaped: step)
            what = what.terminalSafe
            detail = detail.terminalSafe
            if namingRepository, let repository = step.repository { what = "\(repository): \(what)" }
        }

        private init(unescaped step: Step) {
            let size = step.size.map(formatBytes) ?? ""
            let because = step.reason.map { " (\($0))" } ?? ""
            mark = step.kind.mark
            if case .skip(.unchanged) = step.action { verb = "unchanged" } else { verb = step.kind.rawValue }
            switch step.action {
            case .upload(let upload), .replace(let upload):
                what = Self.arrow(upload.localPath, upload.name)
                detail = size + because
            case .skip(.unchanged(let upload, let sha256)):
                // `on conflict update`: the file is what the manifest says is there.
                what = Self.arrow(upload.localPath, upload.name)
                detail = "(sha256 \(sha256))"
            case .skip(let skipped):
                // A skipped transfer points the way it would have gone.
                switch skipped {
                case .upload(let upload), .unchanged(let upload, _): what = Self.arrow(upload.localPath, upload.name)
                case .download(let download): what = Self.arrow(download.name, download.localPath)
                case .delete, .connect: what = step.name
                }
                detail = "(\(step.reason ?? "nothing to do"))"
            case .delete:
                what = step.name
                detail = step.reason.map { "(\($0))" } ?? size
            case .download(let download):
                what = Self.arrow(download.name, download.localPath)
                detail = size + because
            case .connect, .checksums:
                what = step.name
                detail = step.reason.map { "(\($0))" } ?? ""
            case .verify(let verify):
                what = step.name
                if verify.orphan {
                    detail = "(listed in \(verify.manifest), but no artifact has that name)"
                } else if step.reason != nil {
                    detail = size + because
                } else {
                    detail = size + (verify.sha256 == nil ? " (not in \(verify.manifest))" : "")
                }
            }
        }

        static func arrow(_ from: String, _ to: String) -> String { from == to ? from : "\(from) → \(to)" }
    }

    // MARK: - Colour

    enum Style { case bold }

    func paint(_ text: String, _ style: Style) -> String {
        colored ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }

    func paint(_ text: String, _ kind: Step.Kind) -> String {
        guard colored else { return text }
        let code: String
        switch kind {
        case .upload: code = "32"
        case .replace: code = "33"
        case .delete: code = "31"
        case .skip: code = "2"
        case .download: code = "36"
        case .connect: code = "35"
        case .verify: code = "36"
        case .checksums: code = "33"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

/// `list`: the matching artifacts as a table (name, size, created, downloads).
public func artifactTable(_ artifacts: [Artifact], repository: RepositoryName) -> String {
    guard !artifacts.isEmpty else { return "\(repository): no artifacts\n" }
    let header = ["NAME", "SIZE", "CREATED", "DOWNLOADS"]
    // Newest first, to the second, as `prune keep N` ranks them: the user sees which it keeps.
    let rows = newestFirst(artifacts).map { artifact in
        [
            artifact.name.terminalSafe, formatBytes(artifact.size),
            artifact.isCreationKnown ? formatTime(artifact.created, seconds: true) : "unknown",
            String(artifact.downloads),
        ]
    }
    var widths = header.map(\.displayWidth)
    for row in rows {
        for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.displayWidth) }
    }
    func line(_ cells: [String]) -> String {
        let padded = cells.enumerated().map { column, cell in
            // Sizes and counts align right, as numbers do.
            column == 1 || column == 3 ? cell.padded(leftToWidth: widths[column]) : cell.padded(toWidth: widths[column])
        }
        return "  " + padded.joined(separator: "  ")
    }
    let count =
        "\(artifacts.count) artifact\(artifacts.count == 1 ? "" : "s")\(artifacts.count > 1 ? ", newest first" : "")"
    return (["\(repository): \(count)", line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
}

/// `2026-11-25 06:00 UTC` (with `seconds`, `06:00:07`): UTC is unambiguous.
public func formatTime(_ date: Date, seconds: Bool = false) -> String {
    let iso = date.ISO8601Format()  // 2026-11-25T06:00:00Z
    return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(seconds ? 8 : 5)) + " UTC"
}

/// Newest first by creation time, as `prune keep N` and Bitbucket's listing order them; the
/// same time: the name that sorts later (naturally: `app-10` after `app-9`) first; artifacts
/// whose time is unknown last.
public func newestFirst(_ artifacts: [Artifact]) -> [Artifact] {
    artifacts.sorted { a, b in
        if a.isCreationKnown != b.isCreationKnown { return a.isCreationKnown }
        return a.created != b.created ? a.created > b.created : naturallyBefore(b.name, a.name)
    }
}
