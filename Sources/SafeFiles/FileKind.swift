#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What is at a path, said for messages ("it is a named pipe"): the one place bbx names file
/// kinds, for uploads that are not regular files, destinations it will not replace and
/// downloads it will not write over.
public enum FileKind {
    /// The kind of a file of this mode.
    public static func name(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a named pipe"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    /// What stands at `path` when it is none of `allowed` (`S_IFREG`, `S_IFDIR`, …); nil when
    /// it is one of them, or when nothing is there. `followingLinks` looks through a link
    /// (stat) instead of at it (lstat).
    public static func other(at path: String, allowed: [mode_t], followingLinks: Bool) -> String? {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        return allowed.contains(info.st_mode & S_IFMT) ? nil : name(of: info.st_mode)
    }
}
