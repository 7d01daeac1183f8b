import Foundation
import Testing

@testable import BitbucketEmulator

@Suite("Multipart parser")
struct MultipartParserTests {
    /// Parses a body fed in chunks of `chunk` bytes; returns each part's headers and data.
    static func parse(_ body: [UInt8], boundary: String, chunk: Int) throws -> [([String: String], [UInt8])] {
        var parser = MultipartParser(boundary: boundary)
        var parts: [([String: String], [UInt8])] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunk)
            try body[offset..<end].withUnsafeBytes { bytes in
                try parser.feed(bytes) { event in
                    switch event {
                    case .begin(let headers): parts.append((headers, []))
                    case .data(let data): parts[parts.count - 1].1 += data
                    case .end: break
                    }
                }
            }
            offset = end
        }
        try parser.finish()
        return parts
    }

    static let body: [UInt8] = {
        var body = Array(
            "preamble to ignore\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        // Data that looks like the boundary but is not: CR LF and dashes inside the file.
        body += Array("line\r\n--XyY not it\r\n--X".utf8) + [0, 13, 10, 45, 45]
        body += Array(
            "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"b.bin\"\r\n\r\n\r\n--XyZ--\r\nepilogue"
                .utf8)
        return body
    }()

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func chunkBordersAnywhere(_ chunk: Int) throws {
        let parts = try Self.parse(Self.body, boundary: "XyZ", chunk: chunk)
        #expect(parts.count == 2)
        #expect(MultipartParser.disposition(parts[0].0["content-disposition"] ?? "").filename == "a.bin")
        #expect(parts[0].1 == Array("line\r\n--XyY not it\r\n--X".utf8) + [0, 13, 10, 45, 45])
        #expect(parts[1].1.isEmpty)
    }

    /// A part's headers over 16 KiB are refused whether they arrive byte by byte or whole; at
    /// the limit they pass.
    @Test(arguments: [1, 1000, 1_000_000])
    func theHeaderLimitHoldsHoweverTheBytesArrive(_ chunk: Int) throws {
        func body(headerBytes: Int) -> [UInt8] {
            let prefix = "Content-Disposition: form-data; name=\"files\"; filename=\"a.bin\"\r\nX-Pad: "
            let pad = String(repeating: "p", count: headerBytes - prefix.utf8.count)
            return Array("--XyZ\r\n\(prefix)\(pad)\r\n\r\ndata\r\n--XyZ--\r\n".utf8)
        }
        #expect(throws: MultipartParser.Failure.self) {
            try Self.parse(body(headerBytes: MultipartParser.maximumHeaderBytes + 1), boundary: "XyZ", chunk: chunk)
        }
        let fits = try Self.parse(body(headerBytes: MultipartParser.maximumHeaderBytes), boundary: "XyZ", chunk: chunk)
        #expect(fits.count == 1)
    }

    @Test func truncatedBodiesAreErrors() {
        let cut = Array(Self.body.prefix(150))
        #expect(throws: MultipartParser.Failure.self) { try Self.parse(cut, boundary: "XyZ", chunk: 50) }
    }

    @Test func dispositionParameters() {
        #expect(
            MultipartParser.disposition(#"form-data; name="files"; filename="a \"q\".zip""#).filename == #"a "q".zip"#)
        #expect(
            MultipartParser.disposition("form-data; name=files; filename*=UTF-8''%C3%BC.zip; filename=\"u.zip\"")
                .filename == "ü.zip")
        #expect(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartParser.boundary(fromContentType: "application/json") == nil)
    }
}
