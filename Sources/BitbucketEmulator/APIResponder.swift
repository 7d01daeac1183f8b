import Foundation
import HTTPTypes
import Hummingbird

/// The API listener: admin endpoints, fault injection, then Bitbucket's routes.
struct APIResponder: HTTPResponder {
    typealias Context = EmulatorContext
    let state: EmulatorState

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let path = request.uri.path
        let query = request.uri.query ?? ""
        if path == "/_emulator" || path.hasPrefix("/_emulator/") {
            return try await AdminRoutes(state: state).respond(request, path: path)
        }
        var cut = false
        var response: Response?
        let fault = await state.fault(for: request)
        if let fault {
            cut = fault.cut == true
            if let status = fault.status { response = Self.faultResponse(status: status) }
            if cut, response == nil, request.method == .post || request.method == .put {
                // Read about half of what the client sends, then close: the request is cut short.
                try? await Self.readHalf(of: request)
                response = Reply.error(.internalServerError, "cut", cut: true)
            }
        }
        let exchange = Exchange(request: request, path: path, query: query, cut: cut)
        if response == nil { response = await route(exchange) }
        try await state.delay(for: fault)
        await state.record(host: "api", exchange: exchange, status: response!.status.code, started: started)
        if cut, response!.status == .noContent || response!.status.code == 302 {
            // No body to cut: the answer is lost whole, after the change was made.
            try? await context.channel.close()
            throw ConnectionCut()
        }
        return response!
    }

    func route(_ exchange: Exchange) async -> Response {
        let segments = exchange.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(
            String.init)
        guard segments.first == "2.0" else {
            return Reply.error(.notFound, "Resource not found", cut: exchange.cut)
        }
        if segments.count >= 2, segments[1] == "addon" {
            return await ConnectRoutes(state: state).respond(exchange, segments: Array(segments.dropFirst(2)))
        }
        if segments.count >= 5, segments[1] == "repositories", segments[4] == "downloads", segments.count <= 6 {
            // A trailing slash (`…/downloads/`) names the collection, not an artifact called "".
            let name = segments.count == 6 && !segments[5].isEmpty ? segments[5] : nil
            return await DownloadRoutes(state: state).respond(
                exchange, workspace: segments[2], slug: segments[3], encodedName: name)
        }
        return Reply.error(.notFound, "Resource not found", cut: exchange.cut)
    }

    /// 429 as plain text without `Retry-After` (as Bitbucket sends it); anything else as JSON.
    static func faultResponse(status: Int) -> Response {
        let code = HTTPResponse.Status(code: status)
        if status == 429 {
            return Reply.text("Rate limit for this resource has been exceeded", status: code)
        }
        return Reply.error(code, status >= 500 ? "Something went wrong" : "Injected fault \(status)")
    }

    static func readHalf(of request: Request) async throws {
        let length = request.headers[.contentLength].flatMap(Int.init) ?? 1
        var read = 0
        for try await buffer in request.body {
            read += buffer.readableBytes
            if read >= length / 2 { break }
        }
    }
}
