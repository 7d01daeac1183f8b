import BitbucketModel
import Foundation
import NIOCore

/// The Connect app calls (`/2.0/addon*`), each signed with a JWT made for exactly that request.
/// Legacy: no new Connect installs since 2 February 2026, and linkers are flagged for removal.
extension BitbucketClient {
    /// `PUT /2.0/addon`: refreshes the installed app from its registered descriptor (`{}`), or
    /// installs a new descriptor given inline or by URL.
    public func updateApp(_ update: AppUpdate) async throws {
        let body: String
        switch update {
        case .refresh: body = "{}"
        case .descriptor(let json):
            guard let data = json.data(using: .utf8), (try? JSONSerialization.jsonObject(with: data)) is [String: Any]
            else {
                throw BitbucketError.file(path: "descriptor", reason: "not a JSON object")
            }
            body = #"{"descriptor":\#(json)}"#
        case .descriptorURL(let location):
            body = String(
                decoding: try JSONSerialization.data(withJSONObject: ["descriptor_url": location]), as: UTF8.self)
        }
        _ = try await call(
            .PUT, url("/2.0/addon"), signing: .connect, json: body, expected: [200, 204], what: "updating the app")
    }

    /// `DELETE /2.0/addon`: uninstalls the app.
    public func deleteApp() async throws {
        _ = try await call(
            .DELETE, url("/2.0/addon"), signing: .connect, expected: [200, 204], what: "deleting the app")
    }

    public func linkers() async throws -> [Linker] {
        try await linkerCall {
            try await getJSON(Page<Linker>.self, url("/2.0/addon/linkers"), signing: .connect, what: "listing linkers")
                .values
        }
    }

    public func linker(_ key: String) async throws -> Linker {
        try await linkerCall {
            try await getJSON(Linker.self, url(linkerPath(key)), signing: .connect, what: "reading linker \(key)")
        }
    }

    public func linkerValues(_ key: String) async throws -> [LinkerValue] {
        try await linkerCall {
            try await getJSON(
                Page<LinkerValue>.self, url(linkerPath(key) + "/values"), signing: .connect,
                what: "listing the values of linker \(key)"
            ).values
        }
    }

    public func linkerValue(_ key: String, id: Int) async throws -> LinkerValue {
        try await linkerCall {
            try await getJSON(
                LinkerValue.self, url(linkerPath(key) + "/values/\(id)"), signing: .connect,
                what: "reading value \(id) of linker \(key)")
        }
    }

    /// Bitbucket's own 404s name the linker or the value; a 410, or a 404 without those words,
    /// means the endpoints themselves are gone (Atlassian announced their removal).
    static let linkerMessages = ["the linker does not exist", "the linker value does not exist"]

    static func isRemoval(_ failure: StatusFailure) -> Bool {
        failure.status == 410
            || (failure.status == 404 && !linkerMessages.contains { failure.message.lowercased().hasPrefix($0) })
    }

    private func linkerCall<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch BitbucketError.status(let failure) where Self.isRemoval(failure) {
            throw BitbucketError.linkersRemoved(failure)
        }
    }

    /// Adds a value; returns it with its id when the server says it.
    /// A 409 (the value is there already, added since the plan) is the goal met.
    @discardableResult
    public func addLinkerValue(_ key: String, value: String) async throws -> LinkerValue? {
        try await linkerCall {
            let (status, body) = try await call(
                .POST, url(linkerPath(key) + "/values"), signing: .connect, json: Self.json(["value": value]),
                expected: [200, 201, 409], what: "adding \(value) to linker \(key)")
            return status == 409 ? nil : try? JSONDecoder().decode(LinkerValue.self, from: body)
        }
    }

    /// Replaces all values of a linker.
    public func replaceLinkerValues(_ key: String, with values: [String]) async throws {
        let body = String(
            decoding: try JSONSerialization.data(withJSONObject: values.map { ["value": $0] }), as: UTF8.self)
        _ = try await linkerCall {
            try await call(
                .PUT, url(linkerPath(key) + "/values"), signing: .connect, json: body, expected: [200, 204],
                what: "setting the values of linker \(key)")
        }
    }

    public func deleteLinkerValues(_ key: String) async throws {
        _ = try await linkerCall {
            try await call(
                .DELETE, url(linkerPath(key) + "/values"), signing: .connect, expected: [200, 204],
                what: "clearing the values of linker \(key)")
        }
    }

    public func deleteLinkerValue(_ key: String, id: Int) async throws {
        // Gone already (an earlier attempt, or someone else): the goal is met. A 404 that is
        // not about the value is the endpoints' removal.
        _ = try await linkerCall {
            let target = url(linkerPath(key) + "/values/\(id)")
            let (status, body) = try await call(
                .DELETE, target, signing: .connect, expected: [200, 204, 404],
                what: "deleting value \(id) of linker \(key)")
            if status == 404,
                !ErrorBody(parsing: body).message.lowercased().hasPrefix("the linker value does not exist")
            {
                throw statusFailure(
                    status: .notFound, headers: [:], body: ByteBuffer(bytes: body), method: .DELETE, url: target,
                    signing: .connect)
            }
        }
    }

    private func linkerPath(_ key: String) -> String { "/2.0/addon/linkers/" + PathSegment.encode(key) }

    private static func json(_ object: [String: String]) -> String {
        String(
            decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(),
            as: UTF8.self)
    }
}
