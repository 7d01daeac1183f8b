import BBXTestSupport
import Foundation
import Testing

@testable import BitbucketAPI

/// An upload sends the size planned: a file that a build is still writing must not be released
/// cut at that size, as it was (the body read the planned bytes and ended there).
@Suite("Client: a file that changes while it is uploaded")
struct MultipartBodyTests {
    static let message = "it had 10 bytes when planned and has 14 now; is something still writing it? (not uploaded)"

    /// A body of one part planned at 10 bytes, from a file holding `contents`.
    func iterator(over contents: String, in folder: URL) throws -> (MultipartBody.Stream.Iterator, String) {
        let path = folder.appendingPathComponent("app.zip").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        let body = MultipartBody(files: [(path: path, name: "app.zip", size: 10)])
        return (body.stream(chunkSize: 1 << 20, progress: nil).makeAsyncIterator(), path)
    }

    @Test func aFileThatGrowsWhileSentIsAbandoned() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var (iterator, path) = try iterator(over: "0123456789", in: folder)
        _ = try await iterator.next()  // the part's header
        #expect(try await iterator.next()?.readableBytes == 10)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("more".utf8))
        try handle.close()
        do {
            _ = try await iterator.next()
            Issue.record("the body ended as if the file were whole")
        } catch {
            #expect("\(error)" == "\(path): \(Self.message)")
        }
    }

    @Test func aFileOfAnotherSizeThanPlannedIsNotStarted() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var (iterator, path) = try iterator(over: "0123456789more", in: folder)
        do {
            _ = try await iterator.next()
            Issue.record("the upload started")
        } catch {
            #expect("\(error)" == "\(path): \(Self.message)")
        }
    }
}
