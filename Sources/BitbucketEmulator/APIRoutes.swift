import Foundation
import HTTPTypes
import Hummingbird

/// The API's routes: admin endpoints (before any fault), then Bitbucket's `/2.0/…`.
struct APIRoutes: ListenerRoutes {
    let state: EmulatorState
    var host: String { "api" }
    var cutsUploads: Bool { true }

    func answerFirst(_ request: Request, path: String) async throws -> Response? {
        guard path == "/_emulator" || path.hasPrefix("/_emulator/") else { return nil }
        return try await AdminRoutes(state: state).respond(request, path: path)
    }

    func faultResponse(status: Int) -> Response { Self.faultResponse(status: status) }

    func route(_ exchange: Exchange) async -> Response {
        let segments = exchange.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(
            String.init)
        guard segments.first == "2.0" else {
            return Reply.error(.notFound, "Resource not found")
        }
        // Bitbucket's budget covers every API request of a credential, whatever it asks.
        guard let limiter = state.rateLimiter, let credential = rateKey(exchange.request.headers) else {
            return await answer(exchange, segments: segments)
        }
        let count = limiter.count(credential)
        var response =
            count.over
            ? Reply.text("Rate limit for this resource has been exceeded", status: .tooManyRequests)
            : await answer(exchange, segments: segments)
        // Told to access tokens (Bearer) only, as Bitbucket does.
        if credential.hasPrefix("bearer:") {
            response.headers[.rateLimitLimit] = String(count.limit)
            response.headers[.rateLimitResource] = "api"
            if count.near { response.headers[.rateLimitNearLimit] = "true" }
        }
        return response
    }

    /// Whose hour a request counts against: an accepted access token or API token, or the
    /// Connect app (each of its JWTs differs, so the header itself would be a new key per
    /// request). Requests without an accepted credential are not counted: their keys would be
    /// whatever a caller sends, and the counts could grow without bound.
    func rateKey(_ headers: HTTPFields) -> String? {
        guard let header = headers[.authorization] else { return nil }
        if header.lowercased().hasPrefix("jwt ") { return "connect" }
        guard case .success(let caller) = state.authenticator.authenticate(headers) else { return nil }
        switch caller {
        case .accessToken(let token): return "bearer:" + token.token
        case .apiToken(let credential): return "basic:" + credential.email.lowercased()
        }
    }

    func answer(_ exchange: Exchange, segments: [String]) async -> Response {
        if segments.count >= 2, segments[1] == "addon" {
            return await ConnectRoutes(state: state).respond(exchange, segments: Array(segments.dropFirst(2)))
        }
        if segments.count >= 5, segments[1] == "repositories", segments[4] == "downloads", segments.count <= 6 {
            // A trailing slash (`…/downloads/`) names the collection, not an artifact called "".
            let name = segments.count == 6 && !segments[5].isEmpty ? segments[5] : nil
            return await DownloadRoutes(state: state).respond(
                exchange, workspace: segments[2], slug: segments[3], encodedName: name)
        }
        if segments.count == 3 || (segments.count == 4 && segments[3].isEmpty), segments[1] == "repositories" {
            return await WorkspaceRoutes(state: state).list(exchange, workspace: segments[2])
        }
        return Reply.error(.notFound, "Resource not found")
    }

    /// 429 as plain text without `Retry-After` (as Bitbucket sends it); anything else as JSON.
    static func faultResponse(status: Int) -> Response {
        let code = HTTPResponse.Status(code: status)
        if status == 429 {
            return Reply.text("Rate limit for this resource has been exceeded", status: code)
        }
        return Reply.error(code, status >= 500 ? "Something went wrong" : "Injected fault \(status)")
    }
}
