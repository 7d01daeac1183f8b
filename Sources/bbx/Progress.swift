import BBXApply
import BBXPlan
import Foundation
import SafeText
import Synchronization

/// Without a terminal: one plain line per finished step, in the order they finish, so a CI log
/// shows what happened as it happened.
final class LineProgress: ApplyObserver, Sendable {
    /// One line at a time: steps finish on several tasks at once.
    private let writing = Mutex(())
    private let namingRepositories: Bool

    init(namingRepositories: Bool = false) { self.namingRepositories = namingRepositories }

    func started(_ index: Int, _ step: Step) {}
    func progress(_ index: Int, _ step: Step, bytes: Int64) {}

    func finished(_ index: Int, _ step: Step, _ outcome: Report.Outcome) {
        writing.withLock { _ in Console.out(finishedLine(step, outcome, namingRepository: namingRepositories)) }
    }
}

/// `done        + upload build/app.zip → app.zip  12.3 MiB`: a step as it ends.
func finishedLine(_ step: Step, _ outcome: Report.Outcome, namingRepository: Bool = false) -> String {
    let row = PlanText.Row(step, namingRepository: namingRepository)
    let movesBytes = step.kind.sendsFile || step.kind.receivesFile
    let detail = movesBytes ? (step.size.map(formatBytes) ?? "") : row.detail
    let label = outcome.label.padding(toLength: 11, withPad: " ", startingAt: 0)
    return "\(label) \(row.mark) \(row.verb) \(row.what)  \(detail)\n"
}

/// On a terminal: finished steps scroll up as lines; below them, a bar with rate for each
/// transfer of 1 MiB or more while it runs, redrawn at most ten times a second.
final class TerminalProgress: ApplyObserver, Sendable {
    struct Transfer {
        let label: String
        let total: Int64
        let start: Date
        var bytes: Int64 = 0
    }

    /// The bars on screen; changed and drawn under one lock, as steps report from several tasks.
    struct Screen {
        var active: [Int: Transfer] = [:]
        var drawnLines = 0
        var lastDraw = Date.distantPast
    }

    private let screen = Mutex(Screen())
    private let namingRepositories: Bool
    private let width: Int

    init(namingRepositories: Bool = false) {
        self.namingRepositories = namingRepositories
        var size = winsize()
        width = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : 80
    }

    func started(_ index: Int, _ step: Step) {
        guard let total = step.size, total >= 1 << 20, step.kind.sendsFile || step.kind.receivesFile else { return }
        let arrow = step.kind.receivesFile ? "↓" : "↑"
        screen.withLock { screen in
            screen.active[index] = Transfer(label: "\(arrow) \(step.name.terminalSafe)", total: total, start: Date())
            redraw(&screen)
        }
    }

    func progress(_ index: Int, _ step: Step, bytes: Int64) {
        screen.withLock { screen in
            guard screen.active[index] != nil else { return }
            screen.active[index]!.bytes = bytes
            // The last bytes are always drawn: the answer may take a while after them.
            if bytes >= screen.active[index]!.total || Date().timeIntervalSince(screen.lastDraw) >= 0.1 {
                redraw(&screen)
            }
        }
    }

    func finished(_ index: Int, _ step: Step, _ outcome: Report.Outcome) {
        screen.withLock { screen in
            screen.active[index] = nil
            clear(&screen)
            Console.out(finishedLine(step, outcome, namingRepository: namingRepositories))
            redraw(&screen)
        }
    }

    /// Removes the bars (before the report is printed).
    func finish() {
        screen.withLock { clear(&$0) }
    }

    private func clear(_ screen: inout Screen) {
        guard screen.drawnLines > 0 else { return }
        // Up to the first bar's line, then erase to the end of the screen.
        Console.out("\u{1B}[\(screen.drawnLines)F\u{1B}[J")
        screen.drawnLines = 0
    }

    private func redraw(_ screen: inout Screen) {
        clear(&screen)
        screen.lastDraw = Date()
        var text = ""
        for (_, transfer) in screen.active.sorted(by: { $0.key < $1.key }) {
            text += line(transfer) + "\n"
        }
        screen.drawnLines = screen.active.count
        Console.out(text)
    }

    private func line(_ transfer: Transfer) -> String {
        let fraction = transfer.total > 0 ? min(1, Double(transfer.bytes) / Double(transfer.total)) : 0
        let elapsed = Date().timeIntervalSince(transfer.start)
        // A rate over the first instants says little; once all bytes are sent it is the average.
        let measurable = elapsed > 0.2 || (transfer.bytes >= transfer.total && elapsed > 0)
        let rate = measurable ? formatBytes(Int64(Double(transfer.bytes) / elapsed)) + "/s" : ""
        let numbers = " \(Int(fraction * 100))%  \(formatBytes(transfer.bytes))/\(formatBytes(transfer.total))  \(rate)"
        let barWidth = 20
        let filled = Int(fraction * Double(barWidth))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
        let room = max(10, width - bar.count - numbers.count - 4)
        let label = transfer.label.count > room ? String(transfer.label.prefix(room - 1)) + "…" : transfer.label
        return "  " + label.padding(toLength: room, withPad: " ", startingAt: 0) + " " + bar + numbers
    }
}
