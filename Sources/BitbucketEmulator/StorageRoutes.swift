import Foundation
import HTTPTypes
import Hummingbird

/// The storage listener, standing for the S3 host that Bitbucket's downloads redirect to.
/// Links are S3-shaped (see `StorageLink`).
struct StorageRoutes: ListenerRoutes {
    let state: EmulatorState
    static let chunkSize = 256 * 1024
    var host: String { "storage" }
    var cutsUploads: Bool { false }

    func answerFirst(_ request: Request, path: String) async throws -> Response? { nil }

    func faultResponse(status: Int) -> Response {
        Self.xml(status: status, code: "InternalError", message: "Injected fault")
    }

    func route(_ exchange: Exchange) async -> Response { await serve(exchange) }

    func serve(_ exchange: Exchange) async -> Response {
        // S3 refuses a second way of authenticating next to the signed query string, and
        // names the header (with its value) in the error.
        if let authorization = exchange.request.headers[.authorization] {
            return Self.xml(
                status: 400, code: "InvalidArgument",
                message:
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
                extra:
                    "<ArgumentName>Authorization</ArgumentName><ArgumentValue>\(Self.escapeXML(authorization))</ArgumentValue>"
            )
        }
        guard exchange.request.method == .get || exchange.request.method == .head else {
            return Self.xml(
                status: 405, code: "MethodNotAllowed",
                message: "The specified method is not allowed against this resource.")
        }
        let segments = exchange.path.split(separator: "/").map(String.init)
        guard segments.count == 4, segments[1] == "downloads", let name = segments[3].removingPercentEncoding,
            let expiresText = exchange.queryValue("Expires"), let expires = Int(expiresText),
            let signature = exchange.queryValue("Signature"), let versionID = exchange.queryValue("versionId"),
            let disposition = exchange.queryValue("response-content-disposition")
        else {
            return Self.xml(
                status: 403, code: "AccessDenied",
                message: "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
        }
        let blob = segments[2]
        let expected = StorageLink.signature(
            path: exchange.path, expires: expires, versionID: versionID, disposition: disposition,
            key: state.store.storageKey)
        guard expected == signature, versionID == StorageLink.versionID(of: blob) else {
            return Self.xml(
                status: 403, code: "SignatureDoesNotMatch",
                message:
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
            )
        }
        guard Int(Date().timeIntervalSince1970) <= expires else {
            return Self.xml(status: 403, code: "AccessDenied", message: "Request has expired")
        }
        guard let url = state.store.blobURL(blob),
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let size = (attributes[.size] as? NSNumber)?.int64Value
        else {
            return Self.xml(status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
        }
        _ = name
        let etag = "\"\(blob)\""
        var headers: HTTPFields = [
            .contentType: "application/octet-stream",
            .contentDisposition: disposition,
            .acceptRanges: "bytes",
            .eTag: etag,
        ]
        var range: ClosedRange<Int64> = 0...max(0, size - 1)
        var status = HTTPResponse.Status.ok
        // If-Range: the range only if the client still has this version; otherwise the whole
        // (new) object, so a resumed download never joins two versions.
        let sameVersion = exchange.request.headers[.ifRange].map { $0 == etag } ?? true
        if let header = exchange.request.headers[.range], sameVersion {
            switch Self.byteRange(header, size: size) {
            case .whole: break
            case .unsatisfiable:
                return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)", .eTag: etag])
            case .range(let requested):
                range = requested
                status = .partialContent
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            }
        }
        let length = size == 0 ? 0 : range.upperBound - range.lowerBound + 1
        headers[.contentLength] = String(length)
        if exchange.request.method == .head || length == 0 {
            return Response(status: status, headers: headers)
        }
        let start = range.lowerBound
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: Int(length)) { writer in
                try await Self.stream(url.path, from: start, length: length, to: &writer)
                try await writer.finish(nil)
            })
    }

    /// Reads the file in chunks and writes each as it comes: memory stays flat for any size.
    static func stream(_ path: String, from offset: Int64, length: Int64, to writer: inout any ResponseBodyWriter)
        async throws
    {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
        defer { close(descriptor) }
        var position = offset
        var remaining = length
        var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
        while remaining > 0 {
            buffer.clear()
            let wanted = Int(min(Int64(chunkSize), remaining))
            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { pointer in
                max(0, pread(descriptor, pointer.baseAddress!, wanted, off_t(position)))
            }
            guard read > 0 else { throw CocoaError(.fileReadCorruptFile) }
            position += Int64(read)
            remaining -= Int64(read)
            try await writer.write(buffer)
        }
    }

    enum RangeAnswer: Equatable {
        case whole
        case range(ClosedRange<Int64>)
        case unsatisfiable
    }

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n`. Like S3: another unit, several ranges or a
    /// header that does not parse get the whole object; a single range outside it gets 416.
    static func byteRange(_ header: String, size: Int64) -> RangeAnswer {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else { return .whole }
        let parts = trimmed.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 2 else { return .whole }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix >= 0 else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .range(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int64(parts[0]) else { return .whole }
        let end: Int64
        if parts[1].isEmpty {
            end = size - 1
        } else {
            guard let last = Int64(parts[1]) else { return .whole }
            guard last >= start else { return .whole }
            end = min(last, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .range(start...end)
    }

    /// `attachment; filename="…"`, with `filename*` for names that are not plain ASCII.
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" }
        )
        if ascii == name { return "attachment; filename=\"\(name)\"" }
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(percentEncodeSegment(name))"
    }

    static func xml(status: Int, code: String, message: String, extra: String = "") -> Response {
        let body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message>\(extra)<RequestId>\(UUID().uuidString.prefix(16))</RequestId></Error>"
        return Reply.text(body, status: HTTPResponse.Status(code: status), contentType: "application/xml")
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
    static let ifRange = HTTPField.Name("If-Range")!
}
