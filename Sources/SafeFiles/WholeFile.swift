import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a whole small file a user names: a script, a saved plan, a token file, a Connect
/// descriptor. Whatever can be read to its end is accepted, so a pipe works
/// (`bbx run <(envsubst < release.tmpl)`, `--token-file <(vault read …)`, `/dev/stdin`); a
/// folder is said to be one, and more bytes than `limit` are refused as they arrive, so
/// `bbx check /dev/zero` cannot fill memory.
public enum WholeFile {
    /// Why the file could not be read, as the end of a sentence naming it
    /// ("cannot read 'x': <description>").
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: reason(errno)) }
        defer { close(descriptor) }
        return try read(descriptor: descriptor, limit: limit)
    }

    /// Reads `descriptor` to its end (it stays open).
    public static func read(descriptor: CInt, limit: Int) throws(Failure) -> [UInt8] {
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw Failure(description: "it is a directory")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { readSome(descriptor, $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: reason(errno))
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else {
                throw Failure(description: "it is larger than \(size(limit)), more than bbx reads from such a file")
            }
            bytes += chunk[..<count]
        }
    }

    static func reason(_ code: CInt) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        case EISDIR: "it is a directory"
        default: String(cString: strerror(code))
        }
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}

/// `read(2)` under another name: inside `WholeFile`, `read` names its own methods.
private func readSome(_ descriptor: CInt, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}
