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
    /// A `cut` fault applies: the response body stops halfway and the connection closes.
    let cut: Bool

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
                return .failure(BadPage(response: Reply.error(.badRequest, "Invalid pagelen", cut: cut)))
            }
            pagelen = value
        }
        if let text = queryValue("page") {
            guard let value = Int(text), value >= 1 else {
                return .failure(BadPage(response: Reply.error(.badRequest, "Invalid page", cut: cut)))
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
        return Reply.json(text: JSONText.Value.object(envelope).text, cut: cut)
    }
}

/// The error that closes a connection on purpose, for `cut` faults.
struct ConnectionCut: Error {}

/// Building responses in Bitbucket's shapes.
enum Reply {
    static func json(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], cut: Bool = false)
        -> Response
    {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return bytes(Array(data), status: status, headers: fields, cut: cut)
    }

    /// JSON already written as text (`JSONText`).
    static func json(text: String, status: HTTPResponse.Status = .ok, cut: Bool = false) -> Response {
        bytes(Array(text.utf8), status: status, headers: [.contentType: "application/json; charset=utf-8"], cut: cut)
    }

    /// `{"type": "error", "error": {"message": …, "detail": …}}`.
    static func error(
        _ status: HTTPResponse.Status, _ message: String, detail: Any? = nil, headers: HTTPFields = [:],
        cut: Bool = false
    ) -> Response {
        var error: [String: Any] = ["message": message]
        if let detail { error["detail"] = detail }
        return json(["type": "error", "error": error], status: status, headers: headers, cut: cut)
    }

    static func text(_ text: String, status: HTTPResponse.Status, contentType: String = "text/plain", cut: Bool = false)
        -> Response
    {
        bytes(Array(text.utf8), status: status, headers: [.contentType: contentType], cut: cut)
    }

    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:], cut: Bool = false) -> Response {
        if cut { return bytes([], status: status, headers: headers, cut: true) }
        return Response(status: status, headers: headers)
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status, headers: HTTPFields, cut: Bool) -> Response {
        guard cut else {
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        // Promise the whole body (at least a few bytes), send half, then close the connection.
        let promised = max(bytes.count, 16)
        let half = Array(bytes.prefix(bytes.count / 2))
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: promised) { writer in
                if !half.isEmpty { try await writer.write(ByteBuffer(bytes: half)) }
                throw ConnectionCut()
            })
    }
}

extension HTTPField.Name {
    static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")!
    static let expect = HTTPField.Name("Expect")!
}
