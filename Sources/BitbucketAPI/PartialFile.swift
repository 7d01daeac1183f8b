import Foundation
import NIOCore

/// A download in progress: a hidden file beside its destination (so the final rename stays on
/// one file system and is atomic), renamed into place only once complete, removed otherwise.
/// Bytes are written with `write(2)` as they arrive: no buffering beyond one network chunk.
final class PartialFile: @unchecked Sendable {
    let path: String
    private var descriptor: CInt
    private(set) var size: Int64 = 0

    init(beside destination: String) throws {
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw BitbucketError.file(
                path: directory.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        let random = (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        path = directory.appendingPathComponent(".\(url.lastPathComponent).bbx-\(random).partial").path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw BitbucketError.file(
                path: destination, reason: "cannot write beside it (\(String(cString: strerror(errno))))")
        }
    }

    deinit { discard() }

    func write(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw BitbucketError.file(path: path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
        size += Int64(buffer.readableBytes)
    }

    /// Starts over (the server sent the whole file instead of the rest).
    func truncate() throws {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw BitbucketError.file(path: path, reason: String(cString: strerror(errno)))
        }
        size = 0
    }

    /// Closes the file and renames it over the destination.
    func commit(to destination: String) throws {
        close(descriptor)
        descriptor = -1
        guard rename(path, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw BitbucketError.file(path: destination, reason: "cannot move the download into place (\(reason))")
        }
    }

    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(path)
    }
}
