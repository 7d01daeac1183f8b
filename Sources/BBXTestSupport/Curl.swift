import Foundation

/// Runs curl, as the documentation's examples do, and returns what came back.
public enum Curl {
    public struct Result: Sendable {
        /// curl's own exit code (0, or 18 for a body cut short, 7 for a refused connection, …).
        public let exitCode: Int32
        public let status: Int
        public let headers: [String: String]
        public let body: Data
        public let stderr: String
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: Any? { try? JSONSerialization.jsonObject(with: body) }

        /// The `error.message` of a Bitbucket error body.
        public var errorMessage: String? {
            ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
        }
    }

    /// Runs curl without blocking a thread (a `ChildProcess`): blocking here would starve an
    /// in-process emulator of the threads it needs.
    public static func run(_ arguments: [String], in directory: URL? = nil) async throws -> Result {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bodyFile = folder.appendingPathComponent("body")
        let headerFile = folder.appendingPathComponent("headers")
        let curl = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["curl", "-sS", "-o", bodyFile.path, "-D", headerFile.path, "-w", "%{http_code}"] + arguments,
            in: directory)
        let result = await curl.wait()
        var headers: [String: String] = [:]
        // With -L several responses are written; the last one's headers win.
        for line in (try? String(contentsOf: headerFile, encoding: .utf8))?.components(separatedBy: "\r\n") ?? [] {
            if line.hasPrefix("HTTP/") { headers = [:] }
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
        }
        return Result(
            exitCode: result.status, status: Int(result.stdout) ?? 0, headers: headers,
            body: (try? Data(contentsOf: bodyFile)) ?? Data(), stderr: result.stderr)
    }

    /// A JSON request to the emulator's admin endpoints.
    @discardableResult
    public static func admin(_ method: String, _ url: String, json: String? = nil) async throws -> Result {
        // -k: the emulator may run with a self-signed certificate in a TLS test.
        var arguments = ["-k", "-X", method, url]
        // The body goes through a file: a seed with a 1 MiB name is longer than a command line may be.
        var bodyFile: URL?
        if let json {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bbx-admin-\(UUID().uuidString).json")
            try Data(json.utf8).write(to: file)
            bodyFile = file
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@\(file.path)"]
        }
        defer { if let bodyFile { try? FileManager.default.removeItem(at: bodyFile) } }
        return try await run(arguments)
    }
}
