import ConnectJWT
import Foundation
import HTTPTypes
import Hummingbird

/// What a handler knows of the request it answers.
struct Exchange: Sendable {
    let request: Request
    /// The path as received, still percent-encoded.
    let path: String
    let query: String

    var method: String { request.method.rawValue }

    /// The first value of a query parameter, decoded.
    func queryValue(_ name: String) -> String? {
        CanonicalRequest.decodeQuery(query).first { $0.name == name }?.value
    }
}

extension Exchange {
    /// A listing's answer that is not a page: Bitbucket's 400.
    struct BadPage: Error {
        let response: Response
    }

    /// `page` (from 1) and `pagelen` (1 to 100, default 10), as every paginated listing reads them.
    func pagination() -> Result<(page: Int, pagelen: Int), BadPage> {
        var pagelen = 10
        var page = 1
        if let text = queryValue("pagelen") {
            guard let value = Int(text), (1...100).contains(value) else {
                return .failure(BadPage(response: Reply.error(.badRequest, "Invalid pagelen")))
            }
            pagelen = value
        }
        if let text = queryValue("page") {
            guard let value = Int(text), value >= 1 else {
                return .failure(BadPage(response: Reply.error(.badRequest, "Invalid page")))
            }
            page = value
        }
        return .success((page, pagelen))
    }

    /// A page of a listing, as Bitbucket sends one: `values` with `pagelen`, `page` and `size`,
    /// and real `next` and `previous` links under `linkBase` (the listing's URL).
    func page(_ values: [JSONText.Value], total: Int, page: Int, pagelen: Int, linkBase: String) -> Response {
        var envelope: [(String, JSONText.Value)] = [
            ("pagelen", .integer(Int64(pagelen))), ("page", .integer(Int64(page))), ("size", .integer(Int64(total))),
            ("values", .array(values)),
        ]
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: pagelen)
        if !overflow, offset + values.count < total, !values.isEmpty {
            envelope.append(("next", .string("\(linkBase)?page=\(page + 1)&pagelen=\(pagelen)")))
        }
        if page > 1 { envelope.append(("previous", .string("\(linkBase)?page=\(page - 1)&pagelen=\(pagelen)"))) }
        return Reply.json(text: JSONText.Value.object(envelope).text)
    }
}

/// The error that closes a connection on purpose, for `cut` faults.
struct ConnectionCut: Error {}

/// Building responses in Bitbucket's shapes.
enum Reply {
    static func json(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return bytes(Array(data), status: status, headers: fields)
    }

    /// JSON already written as text (`JSONText`).
    static func json(text: String, status: HTTPResponse.Status = .ok) -> Response {
        bytes(Array(text.utf8), status: status, headers: [.contentType: "application/json; charset=utf-8"])
    }

    /// `{"type": "error", "error": {"message": …, "detail": …}}`.
    static func error(
        _ status: HTTPResponse.Status, _ message: String, detail: Any? = nil, headers: HTTPFields = [:]
    ) -> Response {
        var error: [String: Any] = ["message": message]
        if let detail { error["detail"] = detail }
        return json(["type": "error", "error": error], status: status, headers: headers)
    }

    static func text(_ text: String, status: HTTPResponse.Status, contentType: String = "text/plain") -> Response {
        bytes(Array(text.utf8), status: status, headers: [.contentType: contentType])
    }

    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers)
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A `cut` fault on an answer with a body: the whole body is promised (at least a few
    /// bytes), half of it is sent, and the connection closes.
    static func cutHalfway(_ response: Response) -> Response {
        guard let length = response.body.contentLength, length > 0 else { return response }
        var cut = response
        let body = response.body
        cut.body = ResponseBody(contentLength: max(length, 16)) { writer in
            try await body.write(HalfWriter(base: writer, left: length / 2))
        }
        return cut
    }

    /// Passes on bytes until `left` is spent, then fails: the client sees the body cut short.
    struct HalfWriter: ResponseBodyWriter {
        var base: any ResponseBodyWriter
        var left: Int

        mutating func write(_ buffer: ByteBuffer) async throws {
            let part = buffer.getSlice(at: buffer.readerIndex, length: min(left, buffer.readableBytes))
            if let part, part.readableBytes > 0 { try await base.write(part) }
            left -= part?.readableBytes ?? 0
            if left <= 0 { throw ConnectionCut() }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws { throw ConnectionCut() }
    }
}

extension HTTPField.Name {
    static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")!
    static let expect = HTTPField.Name("Expect")!
}
