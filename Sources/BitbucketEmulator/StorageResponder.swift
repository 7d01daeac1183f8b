import Foundation
import HTTPTypes
import Hummingbird

/// The storage listener, standing for the S3 host that Bitbucket's downloads redirect to.
/// Links are `/{blob}/{name}?expires=…&signature=…`.
struct StorageResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let state: EmulatorState
    static let chunkSize = 256 * 1024

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let path = request.uri.path
        var cut = false
        var response: Response?
        let fault = await state.fault(for: request)
        if let fault {
            cut = fault.cut == true
            if let status = fault.status {
                response = Self.xml(status: status, code: "InternalError", message: "Injected fault")
            }
        }
        let exchange = Exchange(request: request, path: path, query: request.uri.query ?? "", cut: cut)
        if response == nil { response = await serve(exchange) }
        try await state.delay(for: fault)
        await state.record(host: "storage", exchange: exchange, status: response!.status.code, started: started)
        return response!
    }

    func serve(_ exchange: Exchange) async -> Response {
        // S3 refuses a second way of authenticating next to the signed query string.
        if exchange.request.headers[.authorization] != nil {
            return Self.xml(
                status: 400, code: "InvalidArgument",
                message:
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
            )
        }
        guard exchange.request.method == .get || exchange.request.method == .head else {
            return Self.xml(
                status: 405, code: "MethodNotAllowed",
                message: "The specified method is not allowed against this resource.")
        }
        let segments = exchange.path.split(separator: "/").map(String.init)
        guard segments.count == 2, let name = segments[1].removingPercentEncoding,
            let expiresText = exchange.queryValue("expires"), let expires = Int(expiresText),
            let signature = exchange.queryValue("signature")
        else {
            return Self.xml(
                status: 403, code: "AccessDenied",
                message: "Query-string authentication requires the signature and expires parameters")
        }
        let blob = segments[0]
        let expected = StorageSignature.sign(
            blob: blob, name: name, expires: expires, key: await state.store.storageKey)
        guard expected == signature else {
            return Self.xml(
                status: 403, code: "SignatureDoesNotMatch",
                message: "The request signature we calculated does not match the signature you provided.")
        }
        guard Int(Date().timeIntervalSince1970) <= expires else {
            return Self.xml(status: 403, code: "AccessDenied", message: "Request has expired")
        }
        guard let url = await state.store.blobURL(blob),
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let size = (attributes[.size] as? NSNumber)?.int64Value
        else {
            return Self.xml(status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
        }
        var headers: HTTPFields = [
            .contentType: "application/octet-stream",
            .contentDisposition: Self.contentDisposition(name),
            .acceptRanges: "bytes",
            .eTag: "\"\(blob)\"",
        ]
        var range: ClosedRange<Int64> = 0...max(0, size - 1)
        var status = HTTPResponse.Status.ok
        if let header = exchange.request.headers[.range] {
            guard let requested = Self.byteRange(header, size: size) else {
                return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"])
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
        }
        let length = size == 0 ? 0 : range.upperBound - range.lowerBound + 1
        headers[.contentLength] = String(length)
        if exchange.request.method == .head || length == 0 {
            return Response(status: status, headers: headers)
        }
        let cut = exchange.cut
        let start = range.lowerBound
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: Int(length)) { writer in
                try await Self.stream(url.path, from: start, length: cut ? length / 2 : length, to: &writer)
                if cut { throw ConnectionCut() }
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

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n`; nil when it cannot be satisfied.
    static func byteRange(_ header: String, size: Int64) -> ClosedRange<Int64>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6).split(separator: ",").first.map(String.init) ?? ""
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int64(parts[0]), start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : min(Int64(parts[1]) ?? -1, size - 1)
        guard end >= start else { return nil }
        return start...end
    }

    /// `attachment; filename="…"`, with `filename*` for names that are not plain ASCII.
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" }
        )
        if ascii == name { return "attachment; filename=\"\(name)\"" }
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(percentEncodeSegment(name))"
    }

    static func xml(status: Int, code: String, message: String) -> Response {
        let body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>\(UUID().uuidString.prefix(16))</RequestId></Error>"
        return Reply.text(body, status: HTTPResponse.Status(code: status), contentType: "application/xml")
    }
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
}
