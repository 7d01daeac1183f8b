import ConnectJWT
import Foundation
import HTTPTypes
import Hummingbird

/// `/2.0/addon` and its linkers, answered only to a Connect app's JWT.
struct ConnectRoutes {
    let state: EmulatorState

    func respond(_ exchange: Exchange, segments: [String]) async -> Response {
        // `--linkers-removed`: the paths no longer exist, whoever asks (Bitbucket's answer for
        // an unknown path).
        if state.configuration.linkersRemoved, segments.first == "linkers" {
            return Reply.error(.notFound, "Resource not found")
        }
        // Connect sends the token as `Authorization: JWT …`, or as a `jwt` query parameter.
        let header = exchange.request.headers[.authorization] ?? ""
        let token: String
        if header.lowercased().hasPrefix("jwt ") {
            token = String(header.dropFirst(4)).trimmingCharacters(in: .whitespaces)
        } else if header.isEmpty, let parameter = exchange.queryValue("jwt"), !parameter.isEmpty {
            token = parameter
        } else {
            return Reply.error(
                .forbidden, "This API is only accessible with the following authentication types: jwt")
        }
        guard let installation = state.configuration.connect, (try? state.store.appInstalled) == true else {
            return Reply.error(.unauthorized, "Invalid JWT: no app is installed")
        }
        let request = CanonicalRequest(method: exchange.method, path: exchange.path, rawQuery: exchange.query)
        do {
            let claims = try ConnectJWT.verify(token, request: request) { clientKey in
                clientKey == installation.clientKey ? installation.sharedSecret : nil
            }
            guard claims.issuer == installation.appKey else {
                return Reply.error(.unauthorized, "Invalid JWT: the issuer is not the installed app")
            }
        } catch {
            return Reply.error(.unauthorized, "Invalid JWT: \(error)")
        }
        do {
            return try await route(exchange, segments.map { $0.removingPercentEncoding ?? $0 })
        } catch {
            state.logger.error("request failed: \(error)")
            return Reply.error(.internalServerError, "Something went wrong")
        }
    }

    func route(_ exchange: Exchange, _ segments: [String]) async throws -> Response {
        let method = exchange.request.method
        switch (method, segments.count) {
        case (.put, 0): return try await updateApp(exchange)
        case (.delete, 0):
            try state.store.setAppInstalled(false)
            return Reply.empty(.noContent)
        case (_, 0): return Reply.error(.methodNotAllowed, "Method not allowed")
        default: break
        }
        guard segments[0] == "linkers" else { return Reply.error(.notFound, "Resource not found") }
        if segments.count == 1 {
            guard method == .get else { return Reply.error(.methodNotAllowed, "Method not allowed") }
            return Reply.json(page(try state.store.linkers().map(json)))
        }
        let key = segments[1]
        guard let linker = try state.store.linker(key) else {
            return Reply.error(.notFound, "The linker does not exist.")
        }
        if segments.count == 2 {
            guard method == .get else { return Reply.error(.methodNotAllowed, "Method not allowed") }
            return Reply.json(json(linker))
        }
        guard segments[2] == "values", segments.count <= 4 else {
            return Reply.error(.notFound, "Resource not found")
        }
        if segments.count == 4 {
            guard let id = Int(segments[3]), let value = linker.values.first(where: { $0.id == id }) else {
                return Reply.error(.notFound, "The linker value does not exist.")
            }
            switch method {
            case .get: return Reply.json(json(value))
            case .delete:
                try state.store.removeLinkerValues(of: key, id: id)
                return Reply.empty(.noContent)
            default: return Reply.error(.methodNotAllowed, "Method not allowed")
            }
        }
        switch method {
        case .get:
            return Reply.json(page(linker.values.map(json)))
        case .post:
            guard let body = try await jsonBody(exchange) as? [String: Any], let value = body["value"] as? String,
                Self.isValidValue(value)
            else { return Reply.error(.badRequest, "Invalid input.") }
            do {
                let added = try state.store.addLinkerValue(value, to: key)
                return Reply.json(json(added), status: .created)
            } catch ArtifactStore.LinkerChange.duplicate {
                return Reply.error(.conflict, "The linker already has the value being added.")
            }
        case .put:
            guard let values = Self.values(from: try await jsonBody(exchange)), values.allSatisfy(Self.isValidValue)
            else {
                return Reply.error(.badRequest, "Invalid input.")
            }
            try state.store.setLinkerValues(values, of: key)
            return Reply.empty(.noContent)
        case .delete:
            try state.store.removeLinkerValues(of: key)
            return Reply.empty(.noContent)
        default:
            return Reply.error(.methodNotAllowed, "Method not allowed")
        }
    }

    /// `{}`, `{"descriptor": {...}}` or `{"descriptor_url": "..."}`, each alone.
    func updateApp(_ exchange: Exchange) async throws -> Response {
        guard let body = try await jsonBody(exchange) as? [String: Any] else {
            return Reply.error(.badRequest, "Invalid input.")
        }
        guard Set(body.keys).isSubset(of: ["descriptor", "descriptor_url"]), body.count <= 1 else {
            return Reply.error(.badRequest, "Invalid input.")
        }
        if let url = body["descriptor_url"] {
            guard let text = url as? String, text.hasPrefix("https://") || text.hasPrefix("http://") else {
                return Reply.error(.badRequest, "Invalid input.")
            }
        }
        if let value = body["descriptor"] {
            guard let descriptor = value as? [String: Any] else {
                return Reply.error(.badRequest, "Invalid input.")
            }
            if let scopes = descriptor["scopes"] as? [Any], scopes.isEmpty {
                return Reply.error(.badRequest, "Scopes have increased or decreased to none.")
            }
            let modules = descriptor["modules"] as? [String: Any]
            let linkers = (modules?["linkers"] as? [[String: Any]] ?? []).compactMap { entry -> Linker? in
                guard let key = entry["key"] as? String else { return nil }
                return Linker(
                    key: key, regex: entry["regex"] as? String ?? "", url: entry["url"] as? String ?? "",
                    linkType: entry["type"] as? String ?? "href", values: [])
            }
            try state.store.defineLinkers(linkers)
        }
        return Reply.empty(.noContent)
    }

    func jsonBody(_ exchange: Exchange) async throws -> Any? {
        let buffer = try await exchange.request.body.collect(upTo: 1 << 20)
        let data = Data(buffer.readableBytesView)
        if data.isEmpty { return nil }
        return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// A PUT body: a list of strings, or of `{"value": …}`.
    static func values(from body: Any?) -> [String]? {
        guard let list = body as? [Any] else { return nil }
        var values: [String] = []
        for item in list {
            if let text = item as? String {
                values.append(text)
            } else if let object = item as? [String: Any], let text = object["value"] as? String {
                values.append(text)
            } else {
                return nil
            }
        }
        return values
    }

    /// `[\w\-]+`
    static func isValidValue(_ value: String) -> Bool {
        !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || $0.properties.numericType == .decimal
            }
    }

    func page(_ values: [[String: Any]]) -> [String: Any] {
        ["pagelen": max(values.count, 10), "page": 1, "size": values.count, "values": values]
    }

    func json(_ linker: Linker) -> [String: Any] {
        [
            "type": "addon_linker", "key": linker.key, "regex": linker.regex, "url": linker.url,
            "link_type": linker.linkType, "values": linker.values.map(json),
        ]
    }

    func json(_ value: LinkerValue) -> [String: Any] {
        ["type": "addon_linker_value", "id": value.id, "value": value.value]
    }
}
