import BBXRepl
import CEditLine
import Foundation

/// Lines from a terminal through libedit: editing, history (recalled with the arrow keys), Tab
/// completion, and Ctrl-C as a key that drops the line (the terminal does not turn it into a
/// signal while a line is edited).
///
/// libedit calls back through C function pointers, which cannot capture context: the one reader
/// of the process is reached through `current`.
final class EditLineReader: LineReader {
    nonisolated(unsafe) static var current: EditLineReader?

    private let editor: OpaquePointer
    private let history: OpaquePointer
    private var prompt: UnsafeMutablePointer<CChar>?
    private var interrupted = false
    let complete: (String) -> Completer.Result

    /// nil when libedit cannot start (no terminal description, for one).
    init?(history entries: [String], complete: @escaping (String) -> Completer.Result) {
        guard let editor = bbx_el_open("bbx") else { return nil }
        guard let history = bbx_history_open(1000) else {
            el_end(editor)
            return nil
        }
        self.editor = editor
        self.history = history
        self.complete = complete
        Self.current = self
        for entry in entries { bbx_history_add(history, entry) }
        bbx_el_use_history(editor, history)
        bbx_el_set_prompt(editor) { _ in EditLineReader.current?.prompt }
        bbx_el_bind(
            editor, "bbx-interrupt", "drop the line",
            { editor, _ in
                EditLineReader.current?.interrupted = true
                // Show where the line was dropped, at its end, then end it as Enter would (libedit's
                // own newline moves the terminal to a fresh line).
                guard let editor, let info = el_line(editor)?.pointee else { return UInt8(CC_ERROR) }
                el_cursor(editor, Int32(info.lastchar - info.cursor))
                el_insertstr(editor, "^C")
                el_push(editor, "\n")
                return UInt8(CC_REFRESH)
            }, "^C")
        bbx_el_bind(
            editor, "bbx-complete", "complete the word",
            { editor, _ in
                guard let editor, let reader = EditLineReader.current else { return UInt8(CC_ERROR) }
                return reader.completeWord(editor)
            }, "^I")
    }

    deinit {
        el_end(editor)
        history_end(history)
        free(prompt)
        if Self.current === self { Self.current = nil }
    }

    func read(prompt text: String) -> LineInput {
        free(prompt)
        prompt = strdup(text)
        interrupted = false
        var count: Int32 = 0
        let line = el_gets(editor, &count)
        if interrupted { return .interrupt }
        guard let line, count > 0 else {
            // Ctrl-D on an empty line: end the prompt's line before leaving.
            Console.out("\n")
            return .end
        }
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        return .line(text)
    }

    func remember(_ entry: String) {
        bbx_history_add(history, entry)
    }

    /// Tab: one candidate is inserted whole; several insert what they share, or are listed below
    /// the line when they share nothing more.
    func completeWord(_ editor: OpaquePointer) -> UInt8 {
        guard let info = el_line(editor)?.pointee else { return UInt8(CC_ERROR) }
        let length = info.cursor - info.buffer
        let before = UnsafeRawBufferPointer(start: UnsafeRawPointer(info.buffer), count: max(0, length))
        let line = String(decoding: before, as: UTF8.self)
        let result = complete(line)
        guard !result.candidates.isEmpty else { return UInt8(CC_ERROR) }
        let typed = String(decoding: Array(line.utf8)[result.start...], as: UTF8.self)
        // A candidate may spell what was typed otherwise (`lib [` completes to the pattern
        // `lib \\[1\\].zip`): then the typed text is replaced, not extended.
        func put(_ text: String) {
            if text.hasPrefix(typed) {
                el_insertstr(editor, String(text.dropFirst(typed.count)))
            } else {
                el_deletestr(editor, Int32(typed.unicodeScalars.count))
                el_insertstr(editor, text)
            }
        }
        if result.candidates.count == 1 {
            put(result.candidates[0] + result.suffix)
            return UInt8(CC_REFRESH)
        }
        let shared = commonPrefix(result.candidates)
        if shared.count > typed.count || (!shared.isEmpty && !shared.hasPrefix(typed)) {
            put(shared)
            return UInt8(CC_REFRESH)
        }
        Console.out("\n" + Self.columns(result.candidates) + "\n")
        return UInt8(CC_REDISPLAY)
    }

    /// Candidates in columns across the terminal's width.
    static func columns(_ items: [String]) -> String {
        var size = winsize()
        let width = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        let cell = (items.map(\.count).max() ?? 0) + 2
        let perLine = max(1, width / cell)
        var lines: [String] = []
        for start in stride(from: 0, to: items.count, by: perLine) {
            let row = items[start..<min(items.count, start + perLine)]
            lines.append(row.map { $0.padding(toLength: cell, withPad: " ", startingAt: 0) }.joined())
        }
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }
}
