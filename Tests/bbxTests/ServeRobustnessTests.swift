import BBXTestSupport
import Foundation
import Testing

/// `bbx serve` facing the mistakes and abuse a shared machine sees: typos in credentials, an
/// address beyond loopback, hostile seeds, a log that would grow forever, a stop mid-delay.
@Suite("bbx serve: robustness")
struct ServeRobustnessTests {
    struct Refusal: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        let message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let refusals: [Refusal] = [
        .init(arguments: ["--token", "t:repostory"], message: "unknown scope 'repostory'"),
        .init(arguments: ["--token", "t:repostory"], message: "the known scopes are repository, repository:write"),
        .init(arguments: ["--basic", "dev@example.com:tok:write"], message: "unknown scope 'write'"),
        .init(arguments: ["--basic", "no-email-here"], message: "--basic takes EMAIL:API_TOKEN[:SCOPES]"),
        .init(
            arguments: ["--linker", "jira"], message: "--linker declares a linker of the Connect app: give --connect"),
        .init(arguments: ["--host", "0.0.0.0"], message: "give --admin-token TOKEN"),
        .init(arguments: ["--request-log-size", "0"], message: "--request-log-size must be at least 1"),
    ]

    @Test(arguments: refusals)
    func mistakesAreRefusedWithAMessage(_ refusal: Refusal) throws {
        let result = try BBXProcess.run(["serve", "--port", "0"] + refusal.arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(refusal.message), "\(result.stderr)")
    }

    /// Beyond loopback, the admin endpoints need the admin token; links name the address the
    /// client used, never 0.0.0.0.
    @Test func anyAddressNeedsTheAdminTokenAndAdvertisesWhatClientsReach() async throws {
        let server = try ServeCommandTests.Server([
            "--host", "0.0.0.0", "--admin-token", "admin-Secret-42", "--repo", "acme/app", "--token", "tok",
        ])
        defer { _ = server.terminate() }
        #expect(server.api.hasPrefix("http://127.0.0.1:"), "\(server.firstLine)")
        #expect(try await Curl.run(["\(server.api)/_emulator/requests"]).status == 401)
        let seeded = try await Curl.run([
            "-X", "POST", "-H", "Authorization: Bearer admin-Secret-42", "-H", "Content-Type: application/json",
            "--data", #"{"repo":"acme/app","name":"a.bin","size":3}"#, "\(server.api)/_emulator/artifacts",
        ])
        #expect(seeded.status == 201)
        let port = try #require(URL(string: server.api)?.port)
        let list = try await Curl.run([
            "-H", "Authorization: Bearer tok", "http://localhost:\(port)/2.0/repositories/acme/app/downloads/",
        ])
        #expect(!list.text.contains("0.0.0.0"))
        // A trailing slash on the collection: links with one slash.
        #expect(
            list.text.contains("\"http://localhost:\(port)/2.0/repositories/acme/app/downloads/a.bin\""), "\(list.text)"
        )
        let redirect = try await Curl.run([
            "-H", "Authorization: Bearer tok", "http://localhost:\(port)/2.0/repositories/acme/app/downloads/a.bin",
        ])
        #expect(redirect.headers["location"]?.hasPrefix("http://localhost:") == true)
        #expect(!server.log.contains("admin-Secret-42"))
    }

    /// The log keeps the last N requests, and no storage signature.
    @Test func theRequestLogIsBoundedAndKeepsNoSignature() async throws {
        let server = try ServeCommandTests.Server(["--repo", "acme/app", "--token", "tok", "--request-log-size", "3"])
        defer { _ = server.terminate() }
        _ = try await Curl.admin(
            "POST", "\(server.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"a.bin","size":3}"#)
        for page in 1...4 {
            _ = try await Curl.run([
                "-H", "Authorization: Bearer tok", "\(server.api)/2.0/repositories/acme/app/downloads?page=\(page)",
            ])
        }
        _ = try await Curl.run([
            "-L", "-H", "Authorization: Bearer tok", "\(server.api)/2.0/repositories/acme/app/downloads/a.bin",
        ])
        let log = try #require(try await Curl.admin("GET", "\(server.api)/_emulator/requests").json as? [[String: Any]])
        #expect(log.count == 3)
        #expect(log.first?["query"] as? String == "page=4")
        let storage = try #require(log.last)
        #expect(storage["host"] as? String == "storage")
        let query = storage["query"] as? String ?? ""
        #expect(query.contains("Signature=REDACTED"), "\(query)")
        #expect(query.contains("Expires="))
    }

    @Test func hostileSeedsAreRefused() async throws {
        let server = try ServeCommandTests.Server(["--repo", "acme/app", "--token", "tok"])
        defer { _ = server.terminate() }
        let huge = try await Curl.admin(
            "POST", "\(server.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"a.bin","size":1e15}"#)
        #expect(huge.status == 413 || huge.status == 400, "\(huge.status) \(huge.text)")
        let big = try await Curl.admin(
            "POST", "\(server.api)/_emulator/artifacts",
            json: #"{"repo":"acme/app","name":"a.bin","size":1000000000000000}"#)
        #expect(big.status == 413, "\(big.text)")
        #expect(big.errorMessage?.contains("A seed is at most") == true)
        for date in ["0000-01-01T00:00:00+00:00", "10000-01-01T00:00:00+00:00", "2026-13-01T00:00:00+00:00"] {
            let odd = try await Curl.admin(
                "POST", "\(server.api)/_emulator/artifacts",
                json: #"{"repo":"acme/app","name":"d.bin","size":1,"created_on":"\#(date)"}"#)
            #expect(odd.status == 400, "\(date): \(odd.text)")
        }
        let list = try await Curl.run([
            "-H", "Authorization: Bearer tok", "\(server.api)/2.0/repositories/acme/app/downloads",
        ])
        #expect((list.json as? [String: Any])?["size"] as? Int == 0)
    }

    /// Names are stored as sent: a backslash is part of the name, not a folder separator.
    @Test func aBackslashStaysInTheName() async throws {
        let server = try ServeCommandTests.Server(["--repo", "acme/app", "--token", "tok"])
        defer { _ = server.terminate() }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("f.bin"))
        let upload = try await Curl.run(
            [
                // curl reads `\\` as `\`; on the wire the quoted name carries `\\` (an escaped backslash).
                "-H", "Authorization: Bearer tok", "-F", #"files=@f.bin;filename="dir\\\\name.bin""#,
                "\(server.api)/2.0/repositories/acme/app/downloads",
            ], in: folder)
        #expect(upload.status == 201, "\(upload.text)")
        let list = try await Curl.run([
            "-H", "Authorization: Bearer tok", "\(server.api)/2.0/repositories/acme/app/downloads",
        ])
        let names = ((list.json as? [String: Any])?["values"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == [#"dir\name.bin"#], "\(list.text)")
    }

    /// A client sending its headers a few bytes at a time (each under the idle timeout) is cut
    /// off by the header timeout; a normal request is not.
    @Test func aClientDribblingHeadersIsCutOff() async throws {
        let server = try ServeCommandTests.Server(["--repo", "acme/app", "--token", "tok", "--header-timeout", "2"])
        defer { _ = server.terminate() }
        let port = try #require(URL(string: server.api)?.port)
        let script = #"""
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            s.sendall(b"GET /2.0/repositories/acme/app/downloads HTTP/1.1\r\nHost: x\r\n")
            start = time.time()
            try:
                for i in range(40):
                    time.sleep(0.5)
                    s.sendall(b"X-Slow: %d\r\n" % i)
                    s.settimeout(0.01)
                    try:
                        if s.recv(1) == b"":
                            break
                    except socket.timeout:
                        pass
            except OSError:
                pass
            print("closed after %.1f" % (time.time() - start), flush=True)
            """#
        let client = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, String(port)])
        let result = await client.wait()
        let seconds =
            Double(result.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
            ?? 99
        #expect(seconds < 6, "\(result.stdout)\(result.stderr)")
        // A normal request meanwhile is answered.
        let normal = try await Curl.run([
            "-H", "Authorization: Bearer tok", "\(server.api)/2.0/repositories/acme/app/downloads",
        ])
        #expect(normal.status == 200)
    }

    /// SIGTERM while a delay fault holds a response: the server stops within moments.
    @Test func aStopDoesNotWaitOutADelay() async throws {
        let server = try ServeCommandTests.Server([
            "--repo", "acme/app", "--token", "tok", "--fault", "delay_ms=60000,count=1",
        ])
        let api = server.api
        let request = Task {
            try await Curl.run([
                "-m", "90", "-H", "Authorization: Bearer tok", "\(api)/2.0/repositories/acme/app/downloads",
            ])
        }
        try await Task.sleep(for: .milliseconds(500))
        let started = Date()
        #expect(server.terminate() == 0)
        #expect(Date().timeIntervalSince(started) < 15)
        _ = try? await request.value
    }
}
