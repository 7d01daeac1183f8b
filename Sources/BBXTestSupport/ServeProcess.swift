import BitbucketModel
import ConnectJWT
import Foundation

/// `bbx serve` in a process of its own, as end-to-end tests and users run it, with a store in a
/// temporary folder; `stop()` kills it and removes the folder.
public final class ServeProcess: Sendable {
    public let api: String
    public let storage: String
    let child: ChildProcess
    let data: URL

    /// Starts `bbx serve --port 0 --storage-port 0 --data TMP` with `arguments` and waits for its
    /// first line.
    public static func start(_ arguments: [String]) async throws -> ServeProcess {
        let data = try BBXProcess.temporaryDirectory()
        let child = try ChildProcess(
            BBXProcess.executable, ["serve", "--port", "0", "--storage-port", "0", "--data", data.path] + arguments)
        var line = ""
        _ = await child.waitUntil(seconds: 60) {
            line = child.stdout
            return line.contains("\n") || !child.isRunning
        }
        let first = line.components(separatedBy: "\n")[0]
        func field(_ name: String) -> String? {
            first.split(separator: " ").first { $0.hasPrefix("\(name)=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        guard let api = field("api"), let storage = field("storage") else {
            child.signal(SIGKILL)
            throw Failure(description: "bbx serve did not start: \(child.stderr)")
        }
        return ServeProcess(api: api, storage: storage, child: child, data: data)
    }

    private init(api: String, storage: String, child: ChildProcess, data: URL) {
        self.api = api
        self.storage = storage
        self.child = child
        self.data = data
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    public func stop() async {
        child.signal(SIGKILL)
        _ = await child.wait()
        try? FileManager.default.removeItem(at: data)
    }

    /// The request log: `[(method, path)]` of every request so far.
    public func requests() async throws -> [(method: String, path: String, status: Int)] {
        let result = try await Curl.admin("GET", "\(api)/_emulator/requests")
        let entries = result.json as? [[String: Any]] ?? []
        return entries.map {
            (
                method: $0["method"] as? String ?? "", path: $0["path"] as? String ?? "",
                status: $0["status"] as? Int ?? 0
            )
        }
    }

    public func clearRequests() async throws {
        try await Curl.admin("DELETE", "\(api)/_emulator/requests")
    }

    /// Seeds an artifact (`created` as ISO 8601).
    public func seed(_ repository: String, _ name: String, size: Int = 100, created: String? = nil) async throws {
        var fields: [String: Any] = ["repo": repository, "name": name, "size": size]
        if let created { fields["created_on"] = created }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        let result = try await Curl.admin("POST", "\(api)/_emulator/artifacts", json: json)
        guard (200..<300).contains(result.status) else {
            throw Failure(description: "seeding \(name) failed: \(result.status) \(result.text)")
        }
    }

    public func addFault(_ json: String) async throws {
        try await Curl.admin("POST", "\(api)/_emulator/faults", json: json)
    }

    public func clearFaults() async throws {
        try await Curl.admin("DELETE", "\(api)/_emulator/faults")
    }

    /// Deletes an artifact through the API (the name percent-encoded as one path segment).
    public func delete(_ name: String, in repository: String, token: String) async throws {
        let segment = CanonicalRequest.percentEncode(name)
        let result = try await Curl.run([
            "-X", "DELETE", "-H", "Authorization: Bearer \(token)",
            "\(api)/2.0/repositories/\(repository)/downloads/\(segment)",
        ])
        guard (200..<300).contains(result.status) else {
            throw Failure(description: "deleting \(name) failed: \(result.status) \(result.text)")
        }
    }

    /// The artifacts of a repository: name → size, read with curl. Names are keys by their
    /// bytes: `café` in its two Unicode spellings is two artifacts here as on Bitbucket.
    public func artifacts(_ repository: String, token: String) async throws -> [ExactName: Int] {
        let result = try await Curl.run([
            "-H", "Authorization: Bearer \(token)", "\(api)/2.0/repositories/\(repository)/downloads?pagelen=100",
        ])
        let values = (result.json as? [String: Any])?["values"] as? [[String: Any]] ?? []
        return Dictionary(
            values.map { (ExactName($0["name"] as? String ?? ""), $0["size"] as? Int ?? -1) },
            uniquingKeysWith: { a, _ in a })
    }
}
