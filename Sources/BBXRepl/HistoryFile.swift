import Foundation
import SafeFiles

/// The REPL's history on disk, shared by every session of the user.
///
/// One entry per line after a header line; a newline inside an entry is written `\n` and a
/// backslash `\\`. Each new entry is added under an exclusive lock (a `.lock` file beside it):
/// the file is read again, the entry appended, the oldest entries beyond `limit` dropped, and
/// the result written to a temporary file that is renamed over the old one. Two sessions at
/// once therefore both keep their entries, and a crash leaves the old file or the new one,
/// never a half-written or empty one.
public struct HistoryFile: Sendable {
    public static let header = "# bbx repl history v1"
    public let path: String
    public let limit: Int

    public init(path: String, limit: Int = 1000) {
        self.path = path
        self.limit = limit
    }

    /// `$BBX_HISTORY`, else `$XDG_STATE_HOME/bbx/history`, else `~/.local/state/bbx/history`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["BBX_HISTORY"], !path.isEmpty { return path }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/bbx/history" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/bbx/history"
    }

    /// The file the entries are kept in: `path`, or the file a link there points to (dotfile
    /// managers link such files). Nil when that is not a regular file: `BBX_HISTORY=/dev/null`
    /// keeps no history (replacing it would put a regular file in place of /dev/null).
    var target: String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return path }
        if info.st_mode & S_IFMT == S_IFREG { return path }
        guard info.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        let target = String(cString: resolved)
        guard stat(target, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return target
    }

    /// The entries, oldest first; none when the file does not exist or cannot be read.
    public func load() -> [String] {
        target.map(Self.load) ?? []
    }

    private static func load(from file: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        return decode(String(decoding: data, as: UTF8.self))
    }

    /// Adds an entry (see the type's comment for why this is safe with concurrent sessions).
    public func append(_ entry: String) throws {
        guard let path = target else { return }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let lock = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lock >= 0 else { throw HistoryError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(lock, LOCK_UN) }
        var entries = Self.load(from: path)
        entries.append(entry)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        // Through an exclusive temporary file (random name, never through a link), as every
        // file bbx replaces.
        do {
            try ExclusiveFile.replaceContents(of: path, with: Array(Self.encode(entries).utf8), newFileMode: 0o600)
        } catch {
            throw HistoryError(path: path, reason: "\(error)")
        }
    }

    static func encode(_ entries: [String]) -> String {
        ([header]
            + entries.map {
                $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            })
            .joined(separator: "\n") + "\n"
    }

    static func decode(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { line -> String? in
            if line.hasPrefix("# bbx repl history") { return nil }
            var entry = ""
            var escaped = false
            for character in line {
                if escaped {
                    entry.append(character == "n" ? "\n" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    entry.append(character)
                }
            }
            return entry
        }
    }
}

public struct HistoryError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write the history to \(path): \(reason)" }
}
