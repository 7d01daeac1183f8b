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
    /// otherwise a cut fault cuts the body of the answer (the storage host cuts a download).
    var cutsUploads: Bool { get }
    func route(_ exchange: Exchange) async -> Response
}

/// Both listeners' cross-cutting steps, once around every route (the routes never see a
/// fault): a fault's status answers instead of the routes; `cut` cuts the answer's body halfway,
/// or loses a bodiless answer (204, 302) whole by closing the connection after the change was
/// made; then the fault's delay and the request log.
///
/// Not Hummingbird's `Router` and middleware: Bitbucket judges the credential, then whether the
/// repository exists (anonymous callers get the private repository's 404 whatever the method),
/// the scopes, and only then the method (its JSON 405), while a router picks a handler by path
/// and method first and answers other methods with its own 405. So the routes dispatch by
/// segments (`APIRoutes.answer`), each family authenticating as Bitbucket does for it (tokens
/// for Downloads and workspaces, a Connect JWT for `/2.0/addon`), and this plays middleware.
struct Listener<Routes: ListenerRoutes>: HTTPResponder {
    typealias Context = EmulatorContext
    let state: EmulatorState
    let routes: Routes

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let path = request.uri.path
        if let answer = try await routes.answerFirst(request, path: path) { return answer }
        let exchange = Exchange(request: request, path: path, query: request.uri.query ?? "")
        let fault = await state.fault(for: request)
        let cut = fault?.cut == true
        var response: Response
        if let status = fault?.status {
            response = routes.faultResponse(status: status)
        } else if cut, routes.cutsUploads, request.method == .post || request.method == .put {
            // Read about half of what the client sends, then close: the request is cut short.
            try? await Self.readHalf(of: request)
            response = Reply.cutHalfway(Reply.error(.internalServerError, "cut"))
        } else {
            response = await routes.route(exchange)
            if cut { response = Reply.cutHalfway(response) }
        }
        try await state.delay(for: fault)
        await state.record(host: routes.host, exchange: exchange, status: response.status.code, started: started)
        if cut, response.status == .noContent || response.status.code == 302 {
            // No body to cut: the answer is lost whole, after the change was made.
            try? await context.channel.close()
            throw ConnectionCut()
        }
        return response
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
