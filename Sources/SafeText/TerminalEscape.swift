/// Text from outside (artifact names, server messages, file names) made safe to write to a
/// terminal: a control character could otherwise move the cursor, erase a line and forge plan
/// lines, set the window title, or break a line in two. Each one is written visibly instead
/// (`\x1b`, `\n`, `\u{202e}`), so the reader sees that it is there. JSON output is not
/// escaped this way: it stays exact.
extension String {
    public var terminalSafe: String { terminalSafe(keeping: []) }

    /// Each line made safe on its own, the line breaks between them kept: for messages bbx
    /// words itself over several lines, each of which may quote a name.
    public var terminalSafeLines: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).terminalSafe }.joined(
            separator: "\n")
    }

    /// The lines a script prints: its own line breaks and tabs are layout and stay; every other
    /// control character (the ones that move the cursor, erase, or set the title) is escaped.
    public var printSafe: String { terminalSafe(keeping: ["\n", "\t"]) }

    func terminalSafe(keeping kept: Set<Unicode.Scalar> = []) -> String {
        func unsafe(_ scalar: Unicode.Scalar) -> Bool {
            TerminalEscape.isUnsafe(scalar) && !kept.contains(scalar)
        }
        guard unicodeScalars.contains(where: unsafe) else { return self }
        var result = ""
        result.unicodeScalars.reserveCapacity(unicodeScalars.count)
        for scalar in unicodeScalars {
            if unsafe(scalar) {
                result += TerminalEscape.visible(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

public enum TerminalEscape {
    /// C0 and C1 controls, DEL, and the bidirectional overrides and isolates, which reorder what
    /// a terminal shows (a name could read as another one).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }

    static func visible(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00...0xFF:
            let hex = String(scalar.value, radix: 16)
            return "\\x" + (hex.count == 1 ? "0" + hex : hex)
        default:
            return "\\u{" + String(scalar.value, radix: 16) + "}"
        }
    }
}
