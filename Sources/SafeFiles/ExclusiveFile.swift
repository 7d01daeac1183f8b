import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A new file with a random name in a folder, created only if nothing is there and never
/// through a symbolic link (O_CREAT|O_EXCL|O_NOFOLLOW): another user who can write to the
/// folder cannot make bbx write to a file of their choosing by planting a link at a name bbx
/// would use. Used for every temporary file bbx writes beside a destination.
public enum ExclusiveFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// 12 random hex digits.
    public static func randomTag() -> String {
        (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// Opens a new file `name()` in `directory` for writing; tries other names while one exists.
    /// Returns the descriptor and the path.
    public static func create(
        in directory: String, mode: mode_t = 0o600, name: () -> String
    ) throws -> (descriptor: CInt, path: String) {
        var lastError: CInt = EEXIST
        for _ in 0..<16 {
            let path = (directory.isEmpty ? "." : directory) + "/" + name()
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if descriptor >= 0 { return (descriptor, path) }
            lastError = errno
            if lastError != EEXIST { break }
        }
        throw Failure(description: String(cString: strerror(lastError)))
    }

    /// Replaces a file's contents all at once: a new exclusive file beside it, given the old
    /// file's permissions, written, synced and renamed over it. A crash leaves either the old
    /// file or the new one, and nothing else. Only a regular file is replaced: the rename would
    /// put a file where a device, a pipe or a link was (`bbx plan -o /dev/stdout` run as root
    /// replaced /dev/stdout), so anything else at `path` is refused, naming what it is.
    /// `newFileMode`: the permissions when there was no file yet (an existing file keeps its own).
    public static func replaceContents(
        of path: String, with bytes: [UInt8], newFileMode: mode_t = 0o644,
        temporaryName: () -> String = { ".bbx-\(ExclusiveFile.randomTag()).tmp" }
    ) throws {
        let directory = (path as NSString).deletingLastPathComponent
        var permissions = newFileMode
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else {
                let link = info.st_mode & S_IFMT == S_IFLNK
                throw Failure(
                    description: "it is \(FileKind.name(of: info.st_mode)); bbx replaces only regular files"
                        + (link
                            ? ", and neither writes through a link nor replaces one: name the file it points to" : ""))
            }
            permissions = info.st_mode & 0o7777
        }
        let (descriptor, temporary) = try create(in: directory, name: temporaryName)
        var failure: String?
        var rest = bytes[...]
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 {
                failure = String(cString: strerror(errno))
                break
            }
            rest = rest.dropFirst(written)
        }
        if failure == nil, fchmod(descriptor, permissions) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw Failure(description: failure)
        }
    }

}
