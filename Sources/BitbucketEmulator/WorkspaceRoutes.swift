import Foundation
import HTTPTypes
import Hummingbird

/// `GET /2.0/repositories/{workspace}`: the declared repositories of a workspace, a page at a
/// time (`pagelen` up to 100, default 10), sorted by full name, as Bitbucket pages them.
struct WorkspaceRoutes {
    let state: EmulatorState

    func list(_ exchange: Exchange, workspace rawWorkspace: String) async -> Response {
        guard exchange.request.method == .get else {
            return Reply.error(.methodNotAllowed, "Method not allowed")
        }
        if case .failure(let response) = state.authenticator.authenticate(exchange.request.headers) {
            return response
        }
        let workspace = rawWorkspace.removingPercentEncoding ?? rawWorkspace
        let found: [String]?
        do {
            found = try state.store.repositories(workspace: workspace)
        } catch {
            state.logger.error("reading the repositories failed: \(error)")
            return Reply.error(.internalServerError, "Something went wrong")
        }
        guard let repositories = found else {
            return Reply.error(.notFound, "No workspace with identifier '\(workspace)'.")
        }
        let page: Int
        let pagelen: Int
        switch exchange.pagination() {
        case .success(let asked): (page, pagelen) = asked
        case .failure(let refusal): return refusal.response
        }
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: pagelen)
        let values =
            overflow || offset >= repositories.count ? [] : Array(repositories.dropFirst(offset).prefix(pagelen))
        let listening = await state.listeners.api ?? "http://\(state.configuration.host):\(state.configuration.port)"
        let api = state.advertised(listening, for: exchange.request)
        return exchange.page(
            values.map { Self.json($0, api: api) }, total: repositories.count, page: page, pagelen: pagelen,
            linkBase: api + DownloadRoutes.withoutTrailingSlash(exchange.path))
    }

    /// A repository object with the fields bbx and most clients read.
    static func json(_ key: String, api: String) -> JSONText.Value {
        let slug = String(key.split(separator: "/")[1])
        return .object([
            ("type", .string("repository")),
            ("full_name", .string(key)),
            ("name", .string(slug)),
            ("slug", .string(slug)),
            ("uuid", .string(RepositoryIdentity.uuid(of: key))),
            ("is_private", .boolean(true)),
            ("updated_on", .string("2026-01-01T00:00:00.000000+00:00")),
            ("links", .object([("self", .object([("href", .string("\(api)/2.0/repositories/\(key)"))]))])),
        ])
    }
}
