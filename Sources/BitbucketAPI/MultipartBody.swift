import AsyncHTTPClient
import BitbucketModel
import Crypto
import Foundation
import NIOCore
import NIOPosix
import SafeFiles
import Synchronization

/// A `multipart/form-data` body of files, one `files` part each, laid out in advance so that
/// its length is known before the first byte is sent, and streamed from disk in fixed chunks
/// so that memory does not grow with the files' size.
struct MultipartBody: Sendable {
    struct Part: Sendable {
        let header: [UInt8]
        let path: String
        let name: String
        let size: Int64
    }

    /// A SHA-256 that the reading tasks update in turn.
    final class Hasher: Sendable {
        let state = Mutex(SHA256())
        func update(_ chunk: ByteBuffer) {
            chunk.withUnsafeReadableBytes { bytes in state.withLock { $0.update(bufferPointer: bytes) } }
        }
    }

    /// The SHA-256 of each file as it was sent (name → hex), filled in as each part's last byte
    /// leaves: the hash costs no second read of the file.
    final class Digests: Sendable {
        let byName = Mutex<[ExactName: String]>([:])
    }

    let boundary: String
    let parts: [Part]
    let trailer: [UInt8]

    init(files: [(path: String, name: String, size: Int64)], boundary: String = Self.makeBoundary()) {
        self.boundary = boundary
        parts = files.enumerated().map { index, file in
            let header =
                (index == 0 ? "" : "\r\n") + "--\(boundary)\r\n"
                + "Content-Disposition: form-data; name=\"files\"; filename=\"\(Self.quoted(file.name))\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"
            return Part(header: Array(header.utf8), path: file.path, name: file.name, size: file.size)
        }
        trailer = Array("\r\n--\(boundary)--\r\n".utf8)
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    var length: Int64 {
        parts.reduce(Int64(trailer.count)) { $0.clampedAdding(Int64($1.header.count)).clampedAdding($1.size) }
    }

    /// A boundary that cannot plausibly occur in a file: 32 random hex digits.
    static func makeBoundary() -> String {
        "bbx-" + (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// A file name inside the quoted `filename` parameter: UTF-8 as it is, as browsers and curl
    /// send it; `"` and `\` escaped; line breaks (which would end the header) as spaces.
    static func quoted(_ name: String) -> String {
        var out = ""
        for character in name {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\r", "\n", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    func stream(chunkSize: Int, digests: Digests? = nil, progress: (@Sendable (Int64) -> Void)?) -> Stream {
        Stream(body: self, chunkSize: chunkSize, digests: digests, progress: progress)
    }

    /// The body's bytes: each part's header, then its file read chunk by chunk on NIO's
    /// blocking-I/O thread pool (not on a Swift concurrency thread), then the trailer.
    struct Stream: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let body: MultipartBody
        let chunkSize: Int
        let digests: Digests?
        let progress: (@Sendable (Int64) -> Void)?

        func makeAsyncIterator() -> Iterator {
            Iterator(body: body, chunkSize: chunkSize, digests: digests, progress: progress)
        }

        struct Iterator: AsyncIteratorProtocol {
            let body: MultipartBody
            let chunkSize: Int
            let digests: Digests?
            let progress: (@Sendable (Int64) -> Void)?
            /// The current file's hash, updated by each read as it completes (reads run one at a
            /// time, in order), so hashing overlaps sending like the reads do.
            var hasher = Hasher()
            var partIndex = 0
            var file: ReadableFile?
            var sentOfFile: Int64 = 0
            var sentFileBytes: Int64 = 0
            var finished = false
            /// The next chunk of the current file, being read while this one is sent: the disk
            /// and the network work at once (one chunk ahead, so memory stays bounded).
            var readAhead: Task<ByteBuffer, any Error>?
            var chunksSinceDrain = 0
            static let drainEvery = 2 * 1024 * 1024

            init(body: MultipartBody, chunkSize: Int, digests: Digests?, progress: (@Sendable (Int64) -> Void)?) {
                self.body = body
                self.chunkSize = chunkSize
                self.digests = digests
                self.progress = progress
            }

            mutating func next() async throws -> ByteBuffer? {
                if finished { return nil }
                if let file {
                    let part = body.parts[partIndex]
                    let wanted = Int(Swift.min(Int64(chunkSize), part.size - sentOfFile))
                    if wanted > 0 {
                        let pending = readAhead ?? read(file, wanted)
                        readAhead = nil
                        let chunk = try await withTaskCancellationHandler {
                            try await pending.value
                        } onCancel: {
                            pending.cancel()
                        }
                        guard chunk.readableBytes > 0 else {
                            throw BitbucketError.file(
                                path: part.path, reason: "the file became shorter while it was being uploaded")
                        }
                        sentOfFile += Int64(chunk.readableBytes)
                        sentFileBytes += Int64(chunk.readableBytes)
                        // async-http-client learns that the socket is full on the connection's
                        // event loop, and until it has, it keeps taking chunks: a starved loop (a
                        // busy machine) let a 1 GiB upload hold 100 MiB of them. Every 2 MiB the
                        // reader waits until every loop has run what was queued before, so the
                        // pause reaches it within that much (each wait costs a hop per loop).
                        chunksSinceDrain += 1
                        if chunksSinceDrain * chunkSize >= Self.drainEvery {
                            chunksSinceDrain = 0
                            await Self.drainEventLoops()
                        }
                        let following = Int(Swift.min(Int64(chunkSize), part.size - sentOfFile))
                        if following > 0 { readAhead = read(file, following) }
                        progress?(sentFileBytes)
                        return chunk
                    }
                    // The planned size is sent; a file that grew meanwhile (a build still writing
                    // it) would be released cut short, so the request is abandoned instead.
                    if let now = file.currentSize, now != part.size {
                        throw BitbucketError.file(path: part.path, reason: Self.sizeChange(part.size, now))
                    }
                    if let digests {
                        let hex = hasher.state.withLock { $0.finalize() }.hex
                        digests.byName.withLock { $0[ExactName(part.name)] = hex }
                    }
                    self.file = nil
                    partIndex += 1
                }
                if partIndex < body.parts.count {
                    let part = body.parts[partIndex]
                    let opened = try ReadableFile(path: part.path)
                    if let now = opened.currentSize, now != part.size {
                        throw BitbucketError.file(path: part.path, reason: Self.sizeChange(part.size, now))
                    }
                    file = opened
                    sentOfFile = 0
                    hasher = Hasher()
                    return ByteBuffer(bytes: part.header)
                }
                finished = true
                return ByteBuffer(bytes: body.trailer)
            }

            static func sizeChange(_ planned: Int64, _ now: Int64) -> String {
                "it had \(planned) bytes when planned and has \(now) now; is something still writing it? (not uploaded)"
            }

            /// Waits until each event loop of the client's group has run the work queued on it.
            static func drainEventLoops() async {
                for loop in HTTPClient.defaultEventLoopGroup.makeIterator() {
                    try? await loop.submit {}.get()
                }
            }

            /// Reads the next chunk (and hashes it, when hashing) in a task of its own.
            func read(_ file: ReadableFile, _ count: Int) -> Task<ByteBuffer, any Error> {
                let hasher = digests == nil ? nil : hasher
                return Task {
                    let chunk = try await file.read(upTo: count)
                    hasher?.update(chunk)
                    return chunk
                }
            }
        }
    }
}

/// A file open for reading; closed when the last reference goes, so a cancelled upload leaks
/// no descriptor. Reads run one at a time (the body's writer awaits each).
final class ReadableFile: Sendable {
    let path: String
    private let descriptor: CInt

    init(path: String) throws {
        self.path = path
        // O_NONBLOCK: a named pipe put where the planned file was must not block the open until
        // a writer comes; it is refused below (regular files ignore the flag).
        descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw BitbucketError.file(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw BitbucketError.file(
                path: path, reason: "it is \(FileKind.name(of: info.st_mode)) now, not a regular file (not uploaded)")
        }
    }

    deinit { close(descriptor) }

    /// The file's size now (nil if it cannot be read).
    var currentSize: Int64? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int64(info.st_size) : nil
    }

    func read(upTo count: Int) async throws -> ByteBuffer {
        let descriptor = self.descriptor
        let path = self.path
        return try await NIOThreadPool.singleton.runIfActive {
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            var failure: CInt = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                var result: Int
                repeat {
                    result = Foundation.read(descriptor, pointer.baseAddress, count)
                } while result < 0 && errno == EINTR
                if result < 0 { failure = errno }
                return max(result, 0)
            }
            if failure != 0 { throw BitbucketError.file(path: path, reason: String(cString: strerror(failure))) }
            return buffer
        }
    }
}
