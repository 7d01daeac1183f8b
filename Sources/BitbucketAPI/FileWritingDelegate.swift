import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Receives a storage response and writes its body straight into the partial file, on the
/// event loop that read it. Streaming the body to a task instead costs a thread hop per chunk,
/// which on loopback took longer than the writes themselves (a 1 GiB download: 2.5–2.8 s
/// against curl's 1.5 s; see benchmarks/README.md). `write(2)` into the page cache does not
/// block the loop for long.
///
/// A response that is not the artifact (a redirect, an error) is kept, up to 64 KiB, for its
/// message.
///
/// `@unchecked Sendable`: async-http-client requires it of delegates and calls one on a single
/// event loop, in order; its state is touched there only.
final class FileWritingDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    struct Result: Sendable {
        let head: HTTPResponseHead
        /// What was written, when the body was the artifact (200 or 206).
        let announced: Int64?
        let wroteBody: Bool
        let otherBody: ByteBuffer
    }

    private let file: PartialFile
    private let name: String
    private let expectedSize: Int64?
    private let progress: ProgressHandler?
    // Only touched on the request's event loop, one callback at a time.
    private var head: HTTPResponseHead?
    private var announced: Int64?
    private var writing = false
    private var otherBody = ByteBuffer()
    private var failure: (any Error)?
    /// Bytes of the answer received so far (its head counts as one), for the stall guard.
    let received = ReceivedBytes()

    init(file: PartialFile, name: String, expectedSize: Int64?, progress: ProgressHandler?) {
        self.file = file
        self.name = name
        self.expectedSize = expectedSize
        self.progress = progress
    }

    func didReceiveHead(task: HTTPClient.Task<Result>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.head = head
        received.add(1)
        do {
            switch head.status.code {
            case 200:
                try file.truncate()
                file.validator = Self.validator(of: head.headers)
                announced = head.headers.first(name: "Content-Length").flatMap { Int64($0) }
                try file.checkAnnounced(announced)
                writing = true
            case 206:
                // The rest must be of the version already half written: a 206 of another version
                // (a server that ignored If-Range) would join two files into one.
                guard let known = file.validator, Self.validator(of: head.headers) == known else {
                    try file.truncate()
                    throw BitbucketError.changedDuringDownload(name: name)
                }
                guard let range = ContentRange(head.headers.first(name: "Content-Range") ?? ""),
                    range.start == file.size
                else {
                    try file.truncate()
                    throw BitbucketError.incompleteDownload(name: name, expected: expectedSize ?? 0, received: 0)
                }
                announced = range.total
                try file.checkAnnounced(announced)
                writing = true
            default:
                writing = false
            }
        } catch {
            failure = error
            return task.eventLoop.makeFailedFuture(error)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    /// A strong ETag, else Last-Modified; nil when neither identifies the version (a weak ETag
    /// may not be used with If-Range).
    static func validator(of headers: HTTPHeaders) -> String? {
        if let tag = headers.first(name: "ETag"), !tag.hasPrefix("W/"), !tag.isEmpty { return tag }
        return headers.first(name: "Last-Modified")
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Result>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        received.add(buffer.readableBytes)
        if writing {
            do {
                try file.write(buffer)
            } catch {
                failure = error
                return task.eventLoop.makeFailedFuture(error)
            }
            progress?(TransferProgress(name: name, bytes: file.size, total: announced ?? expectedSize))
        } else if otherBody.readableBytes < 64 * 1024 {
            var buffer = buffer
            otherBody.writeBuffer(&buffer)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<Result>, _ error: any Error) {
        if failure == nil { failure = error }
    }

    func didFinishRequest(task: HTTPClient.Task<Result>) throws -> Result {
        if let failure { throw failure }
        guard let head else { throw HTTPClientError.remoteConnectionClosed }
        return Result(head: head, announced: announced, wroteBody: writing, otherBody: otherBody)
    }
}
