import Foundation

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
        try await getJSON(Page<Linker>.self, url("/2.0/addon/linkers"), signing: .connect, what: "listing linkers")
            .values
    }

    public func linker(_ key: String) async throws -> Linker {
        try await getJSON(Linker.self, url(linkerPath(key)), signing: .connect, what: "reading linker \(key)")
    }

    public func linkerValues(_ key: String) async throws -> [LinkerValue] {
        try await getJSON(
            Page<LinkerValue>.self, url(linkerPath(key) + "/values"), signing: .connect,
            what: "listing the values of linker \(key)"
        ).values
    }

    public func linkerValue(_ key: String, id: Int) async throws -> LinkerValue {
        try await getJSON(
            LinkerValue.self, url(linkerPath(key) + "/values/\(id)"), signing: .connect,
            what: "reading value \(id) of linker \(key)")
    }

    /// Adds a value; returns it with its id when the server says it.
    @discardableResult
    public func addLinkerValue(_ key: String, value: String) async throws -> LinkerValue? {
        let (_, body) = try await call(
            .POST, url(linkerPath(key) + "/values"), signing: .connect, json: Self.json(["value": value]),
            expected: [200, 201], what: "adding \(value) to linker \(key)")
        return try? JSONDecoder().decode(LinkerValue.self, from: body)
    }

    /// Replaces all values of a linker.
    public func replaceLinkerValues(_ key: String, with values: [String]) async throws {
        let body = String(
            decoding: try JSONSerialization.data(withJSONObject: values.map { ["value": $0] }), as: UTF8.self)
        _ = try await call(
            .PUT, url(linkerPath(key) + "/values"), signing: .connect, json: body, expected: [200, 204],
            what: "setting the values of linker \(key)")
    }

    public func deleteLinkerValues(_ key: String) async throws {
        _ = try await call(
            .DELETE, url(linkerPath(key) + "/values"), signing: .connect, expected: [200, 204],
            what: "clearing the values of linker \(key)")
    }

    public func deleteLinkerValue(_ key: String, id: Int) async throws {
        _ = try await call(
            .DELETE, url(linkerPath(key) + "/values/\(id)"), signing: .connect, expected: [200, 204],
            alreadyDone: [404], what: "deleting value \(id) of linker \(key)")
    }

    private func linkerPath(_ key: String) -> String { "/2.0/addon/linkers/" + PathSegment.encode(key) }

    private static func json(_ object: [String: String]) -> String {
        String(
            decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(),
            as: UTF8.self)
    }
}
