import Foundation
import HTTPTypes
import Hummingbird

/// What one of the emulator's two listeners (the API, the storage host) does with a request
/// that no fault answers. `Listener` wraps it in the steps both share.
protocol ListenerRoutes: Sendable {
    /// `api` or `storage`, as the request log names the host.
    var host: String { get }
    /// Requests answered before faults apply (the API's `/_emulator/*`), else nil.
    func answerFirst(_ request: Request, path: String) async throws -> Response?
    /// A fault's status, in the words this host uses (JSON for the API, XML for S3).
    func faultResponse(status: Int) -> Response
    /// Whether a `cut` fault reads about half an upload, then answers 500 and closes (the API);
    /// otherwise the routes cut a body they send (the storage host cuts a download).
    var cutsUploads: Bool { get }
    func route(_ exchange: Exchange) async -> Response
}

/// Both listeners' steps, in one place: the faults that match (a status answers instead of the
/// routes; `cut` loses the answer), the routes, the fault's delay, the request log; and a cut
/// answer without a body (204 to a DELETE, 302 to a download) lost whole by closing the
/// connection after the change was made.
///
/// Why not Hummingbird's `Router` with middleware: Bitbucket judges a request in its own order
/// — the credential, then whether the repository exists (an anonymous request gets the private
/// repository's 404 whatever its method), then the scopes, then the method (a known path with
/// another method gets Bitbucket's JSON 405) — while a router picks its handler by path and
/// method first and answers the rest with its own 404 or 405 before any of that. (The raw
/// path is not the reason: Hummingbird's router matches `uri.path` undecoded, so a `%2F` inside
/// an artifact's name would stay in its segment.) The routes therefore dispatch by segments
/// after those checks (`APIRoutes.route`, `DownloadRoutes.respond`, `StorageRoutes.serve`), and
/// what middleware would share between the two listeners is shared here.
struct Listener<Routes: ListenerRoutes>: HTTPResponder {
    typealias Context = EmulatorContext
    let state: EmulatorState
    let routes: Routes

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let path = request.uri.path
        if let answer = try await routes.answerFirst(request, path: path) { return answer }
        var cut = false
        var response: Response?
        let fault = await state.fault(for: request)
        if let fault {
            cut = fault.cut == true
            if let status = fault.status { response = routes.faultResponse(status: status) }
            if cut, response == nil, routes.cutsUploads, request.method == .post || request.method == .put {
                // Read about half of what the client sends, then close: the request is cut short.
                try? await Self.readHalf(of: request)
                response = Reply.error(.internalServerError, "cut", cut: true)
            }
        }
        let exchange = Exchange(request: request, path: path, query: request.uri.query ?? "", cut: cut)
        if response == nil { response = await routes.route(exchange) }
        try await state.delay(for: fault)
        await state.record(host: routes.host, exchange: exchange, status: response!.status.code, started: started)
        if cut, response!.status == .noContent || response!.status.code == 302 {
            // No body to cut: the answer is lost whole, after the change was made.
            try? await context.channel.close()
            throw ConnectionCut()
        }
        return response!
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
