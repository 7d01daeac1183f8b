import BitbucketModel
import Crypto
import Foundation
import NIOCore
import SafeFiles

/// A download in progress: a hidden file beside its destination (so the final rename stays on
/// one file system and is atomic), renamed into place only once complete, removed otherwise.
/// Bytes are written with `write(2)` as they arrive: no buffering beyond one network chunk,
/// and hashed (SHA-256) in the same pass, so a manifest's checksum is checked without reading
/// the file again. A partial file made `hashingOnly` keeps nothing (`verify`).
///
/// `@unchecked Sendable`: it wraps a file descriptor and its offset, used by one download at a
/// time (async-http-client calls a delegate on one event loop, in order).
final class PartialFile: @unchecked Sendable {
    let path: String
    /// What messages name: the destination, not the hidden partial file a user never saw
    /// (a full disk said ".app.zip.bbx-3f9c….partial: No space left on device").
    let shown: String
    private var descriptor: CInt
    private(set) var size: Int64 = 0
    /// What identifies the version of the bytes written so far (the first response's strong
    /// ETag, else its Last-Modified): a resume asks for the rest only of that version.
    var validator: String?
    /// The artifact's name and the most bytes it may have (its listed size): more is refused as
    /// it arrives.
    var ceiling: (artifact: String, bytes: Int64)?
    /// The SHA-256 of the bytes written so far.
    private var hasher = SHA256()
    /// False for a sink made `hashingOnly` or `inMemory`: nothing goes to disk.
    let keepsBytes: Bool
    /// For a sink made `inMemory`: the bytes, and the most it may hold.
    private(set) var memory: ByteBuffer?
    private let memoryLimit: Int

    /// A sink that only counts and hashes (`verify` keeps nothing on disk).
    init(hashingOnly name: String) {
        path = name
        shown = name
        descriptor = -1
        keepsBytes = false
        memoryLimit = 0
    }

    /// A sink that keeps up to `limit` bytes in memory (a checksum manifest); more is an error.
    init(inMemory name: String, limit: Int) {
        path = name
        shown = name
        descriptor = -1
        keepsBytes = false
        memory = ByteBuffer()
        memoryLimit = limit
    }

    /// The SHA-256 of everything written, in lowercase hex.
    var sha256: String { hasher.finalize().hex }

    init(beside destination: String) throws {
        shown = destination
        keepsBytes = true
        memoryLimit = 0
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw BitbucketError.file(
                path: directory.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        // A random name, created only if nothing is there, never through a symbolic link: another
        // user of the folder cannot make bbx write where they chose.
        do {
            (descriptor, path) = try ExclusiveFile.create(in: directory.path, mode: 0o644) {
                Self.hiddenName(for: url.lastPathComponent)
            }
        } catch {
            throw BitbucketError.file(path: destination, reason: "cannot write beside it (\(error))")
        }
        var parent = stat()
        if stat(directory.path, &parent) == 0 { folder = (parent.st_dev, parent.st_ino) }
    }

    /// The folder the partial file was made in, to check before the rename that the destination
    /// is still there (not swapped for a link elsewhere during the transfer).
    private var folder: (dev_t, ino_t) = (0, 0)

    /// `.NAME.bbx-RANDOM.partial`, with NAME shortened so that the whole stays within 255
    /// bytes (a destination of 255 bytes must still be downloadable).
    static func hiddenName(for name: String) -> String {
        let suffix = ".bbx-\(ExclusiveFile.randomTag()).partial"
        let room = 255 - 1 - suffix.utf8.count
        var kept = ""
        var bytes = 0
        for scalar in name.unicodeScalars {
            let size = String(scalar).utf8.count
            if bytes + size > room { break }
            kept.unicodeScalars.append(scalar)
            bytes += size
        }
        return "." + kept + suffix
    }

    deinit { discard() }

    /// An answer that announces its whole size must announce the listed one, before any byte
    /// is read: a 1 GiB artifact replaced by a 2 GiB one fails at once, not after 1 GiB.
    func checkAnnounced(_ total: Int64?) throws {
        guard let ceiling, let total, total != ceiling.bytes else { return }
        throw BitbucketError.sizeMismatch(name: ceiling.artifact, listed: ceiling.bytes, served: total)
    }

    func write(_ buffer: ByteBuffer) throws {
        if let ceiling, size.clampedAdding(Int64(buffer.readableBytes)) > ceiling.bytes {
            throw BitbucketError.oversizedDownload(name: ceiling.artifact, listed: ceiling.bytes)
        }
        try buffer.withUnsafeReadableBytes { bytes in
            hasher.update(bufferPointer: bytes)
            if memory != nil {
                guard (memory?.readableBytes ?? 0) + bytes.count <= memoryLimit else {
                    throw BitbucketError.file(path: shown, reason: "is larger than \(memoryLimit) bytes; not read")
                }
                memory?.writeBytes(bytes)
            }
            guard keepsBytes else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw BitbucketError.file(
                        path: shown, reason: "\(String(cString: strerror(errno))) (while writing it; nothing kept)")
                }
                offset += written
            }
        }
        size += Int64(buffer.readableBytes)
    }

    /// Starts over (the server sent the whole file instead of the rest).
    func truncate() throws {
        hasher = SHA256()
        size = 0
        validator = nil
        if memory != nil { memory = ByteBuffer() }
        guard keepsBytes else { return }
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw BitbucketError.file(path: shown, reason: String(cString: strerror(errno)))
        }
    }

    /// Closes the file and moves it to the destination: over what is there when `replacing`,
    /// else only if nothing is there (not even a dangling link), atomically: a file that
    /// appeared since the plan is not overwritten under `on conflict fail`.
    func commit(to destination: String, replacing: Bool = true) throws {
        close(descriptor)
        descriptor = -1
        var parent = stat()
        let directory = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        guard stat(directory, &parent) == 0, parent.st_dev == folder.0, parent.st_ino == folder.1 else {
            unlink(path)
            throw BitbucketError.file(
                path: destination, reason: "its folder changed during the download; nothing was written there")
        }
        if !replacing {
            // link(2) fails with EEXIST when anything is at the destination; rename(2) would replace it.
            guard link(path, destination) == 0 else {
                let reason =
                    errno == EEXIST
                    ? "it exists now and was not there when planned; not overwritten (on conflict fail)"
                    : String(cString: strerror(errno))
                unlink(path)
                throw BitbucketError.file(path: destination, reason: reason)
            }
            unlink(path)
            return
        }
        // rename(2) puts the file in place of whatever is there: a file or a link, not a device
        // or a pipe (as root, a download named `null` into /dev would replace /dev/null).
        if let kind = FileKind.other(at: destination, allowed: [S_IFREG, S_IFLNK], followingLinks: false) {
            unlink(path)
            throw BitbucketError.file(
                path: destination, reason: "it is \(kind); bbx replaces only files and links, so nothing was written")
        }
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
