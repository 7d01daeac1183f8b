/// Which artifact names may become local file names, and be sent as names. Names reach bbx
/// from any server it is pointed at, a proxy, or anyone with a write token: `../x` or `/etc/x`
/// joined to a download folder would write outside it, and a NUL would cut the name short.
public enum FileNameRule {
    /// The longest file name most file systems take, in bytes.
    public static let maximumBytes = 255

    /// Why `name` cannot be a plain file name, or nil when it can: empty, `.` or `..`, holding
    /// `/`, `\`, NUL or a control character, or longer than a file name may be.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name == "." || name == ".." { return "'\(name)' is not a file name" }
        if name.contains("/") { return "it holds '/'" }
        if name.contains("\\") { return "it holds '\\'" }
        if name.unicodeScalars.contains(where: { $0.value == 0 }) { return "it holds a NUL character" }
        if name.unicodeScalars.contains(where: TerminalEscape.isUnsafe) { return "it holds a control character" }
        if name.utf8.count > maximumBytes { return "it is longer than \(maximumBytes) bytes" }
        return nil
    }
}
