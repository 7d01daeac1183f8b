import BBXPlan
import BBXSyntax
import BitbucketModel
import Crypto
import Foundation
import SafeFiles

/// The local file system as planning sees it: patterns expanded, files measured, existing
/// download targets noticed. Reading only; nothing is written while planning.
public protocol LocalFiles: Sendable {
    /// The regular files matching a local pattern, sorted by path.
    func expand(_ pattern: String) throws -> [LocalFile]
    /// Whether something exists at a path (a download's target); a dangling symbolic link
    /// counts, since writing there would follow it.
    func exists(_ path: String) -> Bool
    /// Whether a directory is at a path (symbolic links followed).
    func isDirectory(_ path: String) -> Bool
    /// What stands at a path when it is neither a regular file, a folder nor a symbolic link
    /// ("a device", "a named pipe", "a socket"), nil otherwise: a download does not replace it.
    func special(_ path: String) -> String?
    /// A file's whole contents (a Connect descriptor).
    func contents(of path: String) throws -> [UInt8]
    /// A file's SHA-256 in lowercase hex, read in chunks (`on conflict update`).
    func sha256(of path: String) throws -> String
}

/// Why a local file could not be read.
public struct LocalFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The real file system, relative to the current directory.
public struct DiskFiles: LocalFiles {
    public init() {}

    public func expand(_ pattern: String) throws -> [LocalFile] {
        let glob = Glob(pattern, mode: .localPath)
        if glob.isLiteral {
            guard let file = Self.regularFile(pattern) else {
                if Self.isDirectory(pattern) { throw LocalFileError("'\(pattern)' is a directory, not a file") }
                if let kind = Self.otherKind(pattern) {
                    throw LocalFileError("'\(pattern)' is \(kind), not a regular file; bbx uploads regular files only")
                }
                return []
            }
            return [file]
        }
        // Walk from the longest leading part free of glob characters (`build/` in `build/*.zip`).
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var base: [String] = []
        for segment in segments.dropLast() {
            if GlobSyntax.hasWildcards(segment) { break }
            base.append(segment)
        }
        let rest = segments.count - base.count
        let unbounded = pattern.contains("**")
        let basePath = base.isEmpty ? "" : base.joined(separator: "/")
        let start = base.isEmpty ? "." : (basePath.isEmpty ? "/" : basePath)
        // What the pattern's walked part is matched with: `build/` + `sub/app.zip`.
        let prefix = base.isEmpty ? "" : basePath + "/"
        var found: [LocalFile] = []
        // A pattern that names hidden entries (`.env*`, `dir/.x`) may match them; others skip them.
        let wantsHidden = pattern.hasPrefix(".") || pattern.contains("/.")
        func walk(_ directory: String, relative: String, depth: Int) throws {
            guard let entries = Self.entries(of: directory) else { return }
            for (entry, unreadable) in entries.sorted(by: { $0.name.precedesBytewise($1.name) }) {
                if entry.hasPrefix("."), !wantsHidden { continue }
                let full = directory == "/" ? "/" + entry : directory + "/" + entry
                let shown = relative.isEmpty ? entry : relative + "/" + entry
                let candidate = prefix + shown
                if let unreadable {
                    // Its name cannot be an artifact's, nor even be named to the file system
                    // from here: a file the pattern matches (by the name with U+FFFD in place
                    // of the bad bytes), or a folder it would search, stops planning rather
                    // than be left out of the release unsaid.
                    let shownPath = prefix + (relative.isEmpty ? "" : relative + "/") + unreadable.escaped
                    if unreadable.isDirectory, unbounded || depth + 1 < rest {
                        throw LocalFileError(
                            "'\(shownPath)' is a folder whose name is not UTF-8, so bbx cannot search it; rename it")
                    }
                    if !unreadable.isDirectory, glob.matches(candidate) {
                        throw LocalFileError(
                            "'\(shownPath)' has a name that is not UTF-8, which no artifact name can be; rename it")
                    }
                    continue
                }
                if Self.isDirectory(full) {
                    // `**` does not follow symbolic links to folders, as git and most globbers
                    // do not: two links to `.` would otherwise make the walk endless.
                    if unbounded && Self.isSymbolicLink(full) { continue }
                    if unbounded || depth + 1 < rest { try walk(full, relative: shown, depth: depth + 1) }
                } else if glob.matches(candidate), let file = Self.regularFile(full) {
                    found.append(LocalFile(path: candidate, size: file.size, modified: file.modified))
                }
            }
        }
        try walk(start, relative: "", depth: 0)
        return found.sorted { $0.path < $1.path }
    }

    /// A name that is not UTF-8: shown with `\xHH` for its bytes beyond ASCII, and whether it
    /// is a folder (links followed).
    struct UnreadableName {
        let escaped: String
        let isDirectory: Bool
    }

    /// A folder's entries, read by their bytes: Foundation leaves out (or mangles) a name that
    /// is not UTF-8, and a glob then skipped that file without a word. Such a name comes with
    /// U+FFFD in place of its bad bytes, and what it is.
    static func entries(of directory: String) -> [(name: String, unreadable: UnreadableName?)]? {
        guard let folder = opendir(directory) else { return nil }
        defer { closedir(folder) }
        var entries: [(name: String, unreadable: UnreadableName?)] = []
        while let entry = readdir(folder) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes == Array(".".utf8) || bytes == Array("..".utf8) { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                entries.append((name, nil))
                continue
            }
            var info = stat()
            let path = (bytes + [0]).map { CChar(bitPattern: $0) }
            let isDirectory = fstatat(dirfd(folder), path, &info, 0) == 0 && info.st_mode & S_IFMT == S_IFDIR
            let escaped = bytes.map { $0 < 0x80 ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
            entries.append(
                (String(decoding: bytes, as: UTF8.self), UnreadableName(escaped: escaped, isDirectory: isDirectory)))
        }
        return entries
    }

    public func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    public func isDirectory(_ path: String) -> Bool { Self.isDirectory(path) }

    public func special(_ path: String) -> String? {
        FileKind.other(at: path, allowed: [S_IFREG, S_IFDIR, S_IFLNK], followingLinks: false)
    }

    /// A small file read whole (a Connect descriptor); a pipe works too.
    public func contents(of path: String) throws -> [UInt8] {
        if Self.isDirectory(path) { throw LocalFileError("'\(path)' is a directory, not a file") }
        do {
            return try WholeFile.read(path, limit: 1 << 20)
        } catch {
            throw LocalFileError("cannot read '\(path)': \(error)")
        }
    }

    public func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LocalFileError("cannot read '\(path)' to hash it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw LocalFileError("cannot read '\(path)' to hash it: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().hex
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    /// What is at `path` when it is neither a regular file nor a directory (a named pipe would
    /// block the upload's read until some writer came; a device never ends): nil when nothing is.
    static func otherKind(_ path: String) -> String? {
        if let kind = FileKind.other(at: path, allowed: [S_IFREG, S_IFDIR], followingLinks: true) { return kind }
        var info = stat()
        return stat(path, &info) != 0 && lstat(path, &info) == 0 ? "a symbolic link to nothing" : nil
    }

    /// A regular file (symbolic links followed) measured now, nil for anything else.
    public static func regularFile(_ path: String) -> LocalFile? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = "\(info.st_mtim.tv_sec).\(String(format: "%09ld", info.st_mtim.tv_nsec))"
        return LocalFile(path: path, size: Int64(info.st_size), modified: modified)
    }
}
