import BBXTestSupport
import Foundation
import Testing

@testable import BitbucketEmulator

@Suite("Emulator: faults")
struct FaultTests {
    static let auth = ["-H", "Authorization: Bearer t"]

    static func start(
        data: String? = nil, _ configure: (inout EmulatorConfiguration) -> Void = { _ in }
    ) async throws -> RunningEmulator {
        try await RunningEmulator.start { configuration in
            configuration.repositories = ["acme/app"]
            configuration.tokens = [AccessToken(token: "t")]
            configuration.dataDirectory = data
            configure(&configuration)
        }
    }

    @Test func statusFaultsCountDownAndFilter() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let downloads = emulator.downloads("acme/app")
        let added = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/faults",
            json: #"{"status": 503, "count": 2, "method": "GET", "path": "/2.0/repositories/acme/app/downloads*"}"#)
        #expect(added.status == 201)
        // A POST does not match the filter.
        #expect(try await Curl.run(Self.auth + ["-X", "POST", "-F", "x=y", downloads]).status == 400)
        let first = try await Curl.run(Self.auth + [downloads])
        #expect(first.status == 503)
        #expect(first.headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(try await Curl.run(Self.auth + [downloads]).status == 503)
        #expect(try await Curl.run(Self.auth + [downloads]).status == 200)
    }

    @Test func rateLimitIsPlainTextWithoutRetryAfter() async throws {
        let emulator = try await Self.start { $0.faults = [try! Fault(parsing: "status=429,count=1")] }
        defer { Task { await emulator.stop() } }
        let limited = try await Curl.run(Self.auth + [emulator.downloads("acme/app")])
        #expect(limited.status == 429)
        #expect(limited.text == "Rate limit for this resource has been exceeded")
        #expect(limited.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(limited.headers["retry-after"] == nil)
    }

    @Test func cutClosesTheConnectionMidBody() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        _ = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"big.bin","size":1000000}"#
        )
        try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/faults", json: #"{"cut": true, "count": 1, "path": "/2.0/**"}"#)
        let list = try await Curl.run(Self.auth + [emulator.downloads("acme/app")])
        #expect(list.exitCode == 18, "curl: \(list.stderr)")  // partial file
        #expect(try await Curl.run(Self.auth + [emulator.downloads("acme/app")]).status == 200)

        // On the storage host: half the bytes, then the connection closes.
        let location = try #require(
            try await Curl.run(Self.auth + ["\(emulator.downloads("acme/app"))/big.bin"]).headers["location"])
        try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/faults",
            json: #"{"cut": true, "count": 1, "method": "GET", "path": "/*/downloads/*/big.bin"}"#)
        let cut = try await Curl.run([location])
        #expect(cut.exitCode == 18)
        #expect(cut.body.count < 1_000_000)
        #expect(try await Curl.run([location]).body.count == 1_000_000)
    }

    @Test func pathGlobsKeepStarsWithinASegment() {
        #expect(faultMatches("/2.0/*", "/2.0/addon"))
        #expect(!faultMatches("/2.0/*", "/2.0/repositories/acme/app/downloads"))
        #expect(faultMatches("/2.0/**", "/2.0/repositories/acme/app/downloads"))
        #expect(faultMatches("/2.0/repositories/*/*/downloads/*", "/2.0/repositories/acme/app/downloads/a%20b.zip"))
        #expect(!faultMatches("/2.0/repositories/*/downloads", "/2.0/repositories/acme/app/downloads"))
        #expect(faultMatches("/*/downloads/*/big.bin", "/5f89da04/downloads/42CA/big.bin"))
        #expect(!faultMatches("/*/downloads/*/big.bin", "/2.0/repositories/acme/app/downloads/big.bin"))
        #expect(faultMatches("/2.0/??don", "/2.0/addon"))
        #expect(!faultMatches("/2.0?addon", "/2.0/addon"))
        #expect(faultMatches("**", ""))
        // No backtracking blow-up.
        #expect(!faultMatches(String(repeating: "*a", count: 200) + "b", String(repeating: "a", count: 2000)))
    }

    /// A delay and a status on the same request both apply; each fault spends one of its count.
    @Test func severalFaultsApplyToOneRequest() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/faults", json: #"{"delay_ms": 600, "count": 1, "method": "GET"}"#)
        try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/faults", json: #"{"status": 503, "count": 1, "method": "GET"}"#)
        let started = Date()
        let answer = try await Curl.run(Self.auth + [emulator.downloads("acme/app")])
        #expect(answer.status == 503)
        #expect(Date().timeIntervalSince(started) >= 0.6)
        #expect(try await Curl.run(Self.auth + [emulator.downloads("acme/app")]).status == 200)
    }

    /// A cut 204 is a lost answer: the DELETE happened, the client hears nothing.
    @Test func aCutDeleteLosesItsAnswerButDeletes() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        _ = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"gone.bin","size":5}"#)
        try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/faults", json: #"{"cut": true, "count": 1, "method": "DELETE"}"#)
        let deleted = try await Curl.run(Self.auth + ["-X", "DELETE", "\(emulator.downloads("acme/app"))/gone.bin"])
        #expect(deleted.exitCode != 0, "curl: \(deleted.status) \(deleted.stderr)")
        let list = try await Curl.run(Self.auth + [emulator.downloads("acme/app")])
        #expect(((list.json as? [String: Any])?["values"] as? [Any])?.count == 0)
    }

    @Test func delayedResponsesStillAnswer() async throws {
        let emulator = try await Self.start { $0.faults = [try! Fault(parsing: "delay_ms=200,count=1")] }
        defer { Task { await emulator.stop() } }
        #expect(try await Curl.run(Self.auth + [emulator.downloads("acme/app")]).status == 200)
        try await Curl.admin("DELETE", "\(emulator.api)/_emulator/faults")
    }

    @Test func aCutUploadLeavesThePreviousArtifactIntact() async throws {
        let data = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let emulator = try await Self.start(data: data.path)
        defer { Task { await emulator.stop() } }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let downloads = emulator.downloads("acme/app")
        try Data(repeating: 1, count: 10_000).write(to: folder.appendingPathComponent("app.zip"))
        #expect(
            try await Curl.run(Self.auth + ["-X", "POST", downloads, "-F", "files=@app.zip"], in: folder).status == 201)

        // The server cuts the second upload halfway.
        try Data(repeating: 2, count: 4_000_000).write(to: folder.appendingPathComponent("app.zip"))
        try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/faults", json: #"{"cut": true, "count": 1, "method": "POST"}"#)
        let cut = try await Curl.run(Self.auth + ["-X", "POST", downloads, "-F", "files=@app.zip"], in: folder)
        #expect(cut.status != 201)

        // The client gives up halfway through a third.
        let script = """
            import socket, sys
            host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            body_start = b'--XX\\r\\nContent-Disposition: form-data; name="files"; filename="app.zip"\\r\\n\\r\\n'
            s = socket.create_connection((host, port))
            s.sendall(b'POST ' + path.encode() + b' HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer t\\r\\n'
                      b'Content-Type: multipart/form-data; boundary=XX\\r\\nContent-Length: 5000000\\r\\n\\r\\n' + body_start + b'3' * 1000000)
            s.close()
            """
        let api = URL(string: emulator.api)!
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = [
            "python3", "-c", script, api.host!, String(api.port!), "/2.0/repositories/acme/app/downloads",
        ]
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            python.terminationHandler = { _ in continuation.resume() }
            do { try python.run() } catch { continuation.resume(throwing: error) }
        }
        try await Task.sleep(for: .milliseconds(300))

        let values =
            (try await Curl.run(Self.auth + [downloads]).json as? [String: Any])?["values"] as? [[String: Any]] ?? []
        #expect(values.count == 1)
        #expect(values.first?["size"] as? Int == 10_000)
        #expect(
            try await Curl.run(Self.auth + ["-L", "\(downloads)/app.zip"]).body == Data(repeating: 1, count: 10_000))
        // No stray file: one blob (uploads in progress write among them), the artifact's.
        let blobs = try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("blobs").path)
        #expect(blobs.count == 1, "\(blobs)")
    }

    @Test func theRequestLogKeepsNoCredential() async throws {
        let emulator = try await Self.start { $0.tokens = [AccessToken(token: "very-secret-token")] }
        defer { Task { await emulator.stop() } }
        _ = try await Curl.run([
            "-H", "Authorization: Bearer very-secret-token", emulator.downloads("acme/app") + "?pagelen=5",
        ])
        _ = try await Curl.run([emulator.downloads("acme/app")])
        let log = try await Curl.admin("GET", "\(emulator.api)/_emulator/requests")
        #expect(!log.text.contains("very-secret-token"))
        let entries = log.json as? [[String: Any]] ?? []
        #expect(entries.count == 2)
        #expect(entries.first?["authorization"] as? Bool == true)
        #expect(entries.first?["query"] as? String == "pagelen=5")
        #expect(entries.first?["host"] as? String == "api")
        #expect(entries.last?["authorization"] as? Bool == false)
        #expect(entries.last?["status"] as? Int == 404)
        try await Curl.admin("DELETE", "\(emulator.api)/_emulator/requests")
        #expect((try await Curl.admin("GET", "\(emulator.api)/_emulator/requests").json as? [Any])?.isEmpty == true)
    }

    @Test func stateSurvivesARestartWithData() async throws {
        let data = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let first = try await Self.start(data: data.path)
        _ = try await Curl.admin(
            "POST", "\(first.api)/_emulator/artifacts",
            json: #"{"repo":"acme/app","name":"kept.zip","size":2048,"created_on":"2026-03-01T10:00:00.250000+00:00"}"#)
        _ = try await Curl.run(Self.auth + ["-L", "\(first.downloads("acme/app"))/kept.zip"])
        await first.stop()

        let second = try await Self.start(data: data.path)
        defer { Task { await second.stop() } }
        let values =
            (try await Curl.run(Self.auth + [second.downloads("acme/app")]).json as? [String: Any])?["values"]
            as? [[String: Any]] ?? []
        #expect(values.count == 1)
        #expect(values.first?["created_on"] as? String == "2026-03-01T10:00:00.250000+00:00")
        #expect(values.first?["downloads"] as? Int == 1)
        #expect(
            try await Curl.run(Self.auth + ["-L", "\(second.downloads("acme/app"))/kept.zip"]).body
                == Data(SeedContent.bytes(name: "kept.zip", size: 2048)))
    }
}

/// Whether a fault with this `path` glob matches a request for `requestPath`.
func faultMatches(_ pattern: String, _ requestPath: String) -> Bool {
    Fault(status: 500, path: pattern).matches(method: "GET", path: requestPath)
}
