import BBXTestSupport
import BitbucketModel
import Foundation
import Testing

/// A release job's world: `bbx serve` in its own process with acme/app (and acme/web), and a
/// working folder with build outputs and scripts. `bbx` runs in the folder with
/// BITBUCKET_URL and BITBUCKET_TOKEN set, as in CI.
final class EndToEnd: Sendable {
    static let token = "e2e-test-token"
    let serve: ServeProcess
    let folder: URL

    init(serve: ServeProcess, folder: URL) {
        self.serve = serve
        self.folder = folder
    }

    var environment: [String: String] { ["BITBUCKET_URL": serve.api, "BITBUCKET_TOKEN": Self.token] }

    /// Runs `bbx` in the folder; `environment` adds to (or overrides) the connection settings.
    func bbx(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> BBXProcess.Result {
        try await BBXProcess.launch(arguments, environment: environment.merging(extra) { $1 }, in: folder)
    }

    /// Writes a file under the folder, creating directories.
    func write(_ path: String, _ text: String) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func contents(_ path: String) -> Data? {
        FileManager.default.contents(atPath: folder.appendingPathComponent(path).path)
    }

    /// The remote Downloads of a repository: name → size.
    func remote(_ repository: String = "acme/app") async throws -> [ExactName: Int] {
        try await serve.artifacts(repository, token: Self.token)
    }

    /// The methods of the API requests since the log was last cleared (admin calls aside).
    func writes() async throws -> [String] {
        try await serve.requests().filter { $0.method != "GET" && $0.method != "HEAD" }.map {
            "\($0.method) \($0.path)"
        }
    }

    /// Runs `body` with a fresh emulator and folder, then stops and removes both.
    static func with(
        _ serveArguments: [String] = [], _ body: (EndToEnd) async throws -> Void
    ) async throws {
        let serve = try await ServeProcess.start(
            ["--repo", "acme/app", "--repo", "acme/web", "--token", token] + serveArguments)
        let folder = try BBXProcess.temporaryDirectory()
        let world = EndToEnd(serve: serve, folder: folder)
        do {
            try world.write("build/app-1.4.0-linux.zip", String(repeating: "L", count: 3000))
            try world.write("build/app-1.4.0-macos.zip", String(repeating: "M", count: 2000))
            try world.write("dist/app.tar.gz", String(repeating: "T", count: 1500))
            try await body(world)
        } catch {
            await serve.stop()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        await serve.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// An ISO 8601 time `days` ago.
/// An ISO 8601 time `days` ago, written as Bitbucket writes `created_on`: with microseconds and
/// an offset (`2026-11-20T08:19:49.123456+00:00`), never whole seconds.
func daysAgo(_ days: Double) -> String {
    let date = Date().addingTimeInterval(-days * 86_400)
    let micros = Int(date.timeIntervalSince1970 * 1_000_000) % 1_000_000
    return String(date.ISO8601Format().dropLast()) + "." + String(format: "%06d", micros) + "+00:00"
}
