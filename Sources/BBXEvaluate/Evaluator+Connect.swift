import BBXPlan
import BBXSyntax
import Foundation

extension Evaluator {
    /// Connect statements: reads run now and print; changes become steps.
    mutating func planConnect(_ statement: Statement) async throws {
        guard options.hasConnectCredentials else {
            throw PlanningError(
                "Connect statements need the app's credentials: set BITBUCKET_CONNECT_APP_KEY, BITBUCKET_CONNECT_CLIENT_KEY and BITBUCKET_CONNECT_SHARED_SECRET",
                at: statement.range, id: "connect-credentials", credentials: true)
        }
        let call: ConnectCall
        switch statement.kind {
        case .addonUpdate(.registered): call = .updateRegistered
        case .addonUpdate(.descriptor(let fileExpression)):
            let file = try await string(fileExpression) ?? ""
            let bytes: [UInt8]
            do {
                bytes = try files.contents(of: file)
            } catch {
                throw PlanningError("\(error)", at: fileExpression.range, id: "local-file")
            }
            guard (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any] else {
                throw PlanningError(
                    "'\(file)' is not a JSON object; a Connect descriptor is one", at: fileExpression.range,
                    id: "invalid-descriptor")
            }
            call = .updateDescriptor(file: file, json: String(decoding: bytes, as: UTF8.self))
        case .addonUpdate(.url(let urlExpression)):
            let url = try await string(urlExpression) ?? ""
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw PlanningError(
                    "'\(url)' is not an http:// or https:// URL", at: urlExpression.range, id: "invalid-url")
            }
            call = .updateURL(url)
        case .addonDelete: call = .deleteApp
        case .linkers:
            try await read(.linkers, statement)
            return
        case .linker(let keyExpression, let action):
            let key = try await string(keyExpression) ?? ""
            switch action {
            case .show:
                try await read(.linker(key), statement)
                return
            case .values:
                try await read(.values(linker: key), statement)
                return
            case .value(let id):
                try await read(.value(linker: key, id: try await integer(id)), statement)
                return
            case .add(let value): call = .addValue(linker: key, value: try await string(value) ?? "")
            case .set(let list):
                guard case .list(let items) = try await evaluate(list) else {
                    throw PlanningError("'set' needs a list of strings", at: list.range, id: "wrong-kind")
                }
                call = .setValues(linker: key, values: items.map(\.description))
            case .remove(let id): call = .removeValue(linker: key, id: try await integer(id))
            case .clear: call = .clearValues(linker: key)
            }
        default:
            return
        }
        steps.append(
            Step(
                kind: .connect, repository: nil, name: call.request, reason: call.summary,
                source: position(statement.range), connect: call))
    }

    mutating func read(_ request: ConnectRead, _ statement: Statement) async throws {
        do {
            // The app is read as it is now, not as the plan leaves it: the lines stand before
            // every change, wherever the statement is, so nothing shows them as the result.
            for line in try await reader.connectRead(request) { output(.line(line), 0) }
        } catch {
            throw PlanningError(error, at: statement.range)
        }
    }
}
