import BBXTestSupport
import BitbucketAPI
import Foundation
import Testing

/// A server that lies about pagination, written in Python so that it shares nothing with the
/// emulator. Each request it answers is one line on its standard output.
@Suite("Client: a listing that does not end")
struct LyingServerTests {
    static let answer = #"""
        n = getattr(server, "count", 0)
        server.count = n + 1
        base = "http://127.0.0.1:%d/2.0/repositories/acme/app/downloads" % server.port
        if args[0] == "loop":
            return {"values": [{"name": "a.zip", "size": 1}], "next": base + "?page=2"}
        if args[0] == "empty":
            return {"values": [], "next": base + "?page=%d" % (n + 2)}
        return {"values": [{"name": "a%d.zip" % n, "size": 1}], "next": base + "?page=%d" % (n + 2)}
        """#

    struct Case: Sendable, CustomTestStringConvertible {
        let mode: String
        let reason: String
        let requests: Int
        var testDescription: String { mode }
    }

    static let cases = [
        Case(mode: "loop", reason: "a page links to a page already read", requests: 2),
        Case(mode: "empty", reason: "a page without artifacts links to another", requests: 1),
        Case(
            mode: "endless", reason: "more than \(BitbucketClient.maximumListingPages) pages",
            requests: BitbucketClient.maximumListingPages),
    ]

    @Test(arguments: cases)
    func stopsAndSaysWhy(_ example: Case) async throws {
        let server = try await ScriptedServer.start(Self.answer, arguments: [example.mode])
        defer { server.stop() }
        var configuration = ClientConfiguration()
        configuration.baseURL = server.url
        configuration.credential = .accessToken(Secret("t0ken-lying"))
        let client = try BitbucketClient(configuration: configuration)
        let error = await bitbucketError { _ = try await client.artifacts(in: Harness.repository) }
        try await client.shutdown()
        #expect(
            error?.description.contains("the listing does not end: \(example.reason)") == true,
            "\(String(describing: error))")
        #expect(server.requests.count == example.requests)
    }
}

/// A workspace's listing that names a repository of another workspace, or none, or does not
/// end: refused as the server's mistake, since a cleanup is not planned on half a listing.
@Suite("Client: a workspace listing that lies")
struct LyingWorkspaceTests {
    static let answer = #"""
        base = "http://127.0.0.1:%d/2.0/repositories/acme" % server.port
        if args[0] == "foreign":
            return {"values": [{"full_name": "acme/app"}, {"full_name": "evil/app"}]}
        if args[0] == "none":
            return {"values": [{"slug": "app"}]}
        if args[0] == "hostile":
            return {"values": [{"full_name": "acme/my app \u001b[2J%2F.."}]}
        return {"values": [{"full_name": "acme/app"}], "next": base + "?page=2"}
        """#

    @Test(arguments: [
        ("foreign", "a repository of acme is listed with 'evil/app', not acme/SLUG"),
        ("none", "a repository of acme is listed with no full_name, not acme/SLUG"),
        ("hostile", "a repository of acme is listed with 'acme/my app \u{1B}[2J%2F..', not acme/SLUG"),
        ("loop", "the listing does not end: a page links to a page already read"),
    ])
    func refusedAsTheServersMistake(_ mode: String, _ reason: String) async throws {
        let server = try await ScriptedServer.start(Self.answer, arguments: [mode])
        defer { server.stop() }
        var configuration = ClientConfiguration()
        configuration.baseURL = server.url
        configuration.credential = .accessToken(Secret("t0ken-lying"))
        let client = try BitbucketClient(configuration: configuration)
        let error = await bitbucketError { _ = try await client.repositories(in: "acme") }
        try await client.shutdown()
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.cause == .unavailable)
    }
}

/// A listing read while another job writes: pages are numbered, so a delete between two page
/// reads shifts an artifact onto a page already read (it would be missed, and a plan could
/// overwrite it under `fail`), and an upload shifts one onto the next page (listed twice).
/// Python again, sharing nothing with the emulator; pages of two.
@Suite("Client: a listing that changes while it is read")
struct ShiftingListingTests {
    static let answer = #"""
        page = int(query.get("page", "1"))
        if page == 1:
            server.reads = getattr(server, "reads", 0) + 1
        first = server.reads == 1
        if args[0] == "delete":
            # x2 is deleted once page 1 of the first reading has been served.
            names = ["x3", "x2", "x1", "x0"] if first and page == 1 else ["x3", "x1", "x0"]
        elif args[0] == "always":
            names = ["x3", "x2", "x1", "x0"] if page == 1 else ["x3", "x1", "x0"]
        else:
            # "upload", and no `size`: y is uploaded once page 1 of the first reading was served.
            names = ["x3", "x2", "x1", "x0"] if first and page == 1 else ["y", "x3", "x2", "x1", "x0"]
        values = [{"name": n, "size": 1, "created_on": "2026-11-20T08:19:49.123456+00:00"}
                  for n in names[(page - 1) * 2:page * 2]]
        body = {"values": values, "pagelen": 2, "page": page}
        if args[0] != "upload":
            body["size"] = len(names)
        if page * 2 < len(names):
            body["next"] = "http://127.0.0.1:%d%s?pagelen=2&page=%d" % (server.port, path, page + 1)
        return body
        """#

    struct Case: Sendable, CustomTestStringConvertible {
        let mode: String
        /// The names listed in the end; nil when the listing is refused.
        let names: [String]?
        let requests: Int
        var testDescription: String { mode }
    }

    static let cases = [
        // Read once more, from the start: x1 (skipped the first time) is there, x2 is not.
        Case(mode: "delete", names: ["x3", "x1", "x0"], requests: 4),
        Case(mode: "upload", names: ["y", "x3", "x2", "x1", "x0"], requests: 6),
        // Never settles: refused after three readings rather than planned on.
        Case(mode: "always", names: nil, requests: 6),
    ]

    @Test(arguments: cases)
    func isReadAgainUntilItHoldsStill(_ example: Case) async throws {
        let server = try await ScriptedServer.start(Self.answer, arguments: [example.mode])
        defer { server.stop() }
        var configuration = ClientConfiguration()
        configuration.baseURL = server.url
        configuration.credential = .accessToken(Secret("t0ken-shifting"))
        let client = try BitbucketClient(configuration: configuration)
        var names: [String]?
        var error: (any Error)?
        do {
            names = try await client.artifacts(in: Harness.repository).map(\.name)
        } catch let failure {
            error = failure
        }
        try await client.shutdown()
        #expect(names == example.names, "\(String(describing: error))")
        if example.names == nil {
            #expect(
                "\(String(describing: error))".contains("kept changing while they were listed"),
                "\(String(describing: error))")
        }
        #expect(server.requests.count == example.requests, "\(server.requests)")
    }
}

/// The start of a Python server's handler: each request's path is printed, and with
/// "redirect" as the first argument the API's download of app.zip answers 302 to a storage path
/// on the same server (as Bitbucket does); the rest of `do_GET` is the storage host's answer.
let redirectingHandler = #"""
    import http.server, sys, time
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            print(self.path, flush=True)
            if self.path.endswith("/downloads/app.zip") and sys.argv[1] == "redirect":
                self.send_response(302)
                self.send_header("Location", "/storage/app.zip?Signature=x")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
    """#

/// A download that does not end: the listing says 10 bytes, the server (or the storage host it
/// redirects to) streams without end, chunked. bbx stops at the listed size instead of filling
/// the disk, keeps nothing, and says why. Python, sharing nothing with the emulator; it stops
/// after 256 MiB and prints how much it could send.
@Suite("Client: a download longer than listed")
struct EndlessDownloadTests {
    /// argv: "redirect" or "direct"; "chunked" (no size said) or "announced" (Content-Length
    /// of 256 MiB, said before the body).
    static let script = #"""
        \#(redirectingHandler)
                chunked = sys.argv[2] == "chunked"
                total = 256 * 1024 * 1024
                self.send_response(200)
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(total))
                self.end_headers()
                chunk = b"x" * 65536
                sent = 0
                try:
                    while sent < total:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                        sent += len(chunk)
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    print("sent all", flush=True)
                except OSError:
                    print("stopped", flush=True)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print("port", server.server_port, flush=True)
        server.serve_forever()
        """#

    /// Chunked, bbx stops at the listed size; with the size announced, before reading any.
    @Test(arguments: ["redirect", "direct"], ["chunked", "announced"])
    func stopsAtTheListedSize(_ mode: String, _ framing: String) async throws {
        let server = try await ScriptedServer.program(Self.script, arguments: [mode, framing])
        defer { server.stop() }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = try client(of: server, token: "t0ken-endless")
        let destination = folder.appendingPathComponent("app.zip").path
        let error = await bitbucketError {
            _ = try await client.download("app.zip", from: Harness.repository, to: destination, expectedSize: 10)
        }
        try await client.shutdown()
        switch (framing, error) {
        case ("chunked", .oversizedDownload(let name, let listed)?):
            #expect(name == "app.zip" && listed == 10)
            #expect(error?.description.contains("went on past the 10 bytes listed") == true)
        case ("announced", .sizeMismatch(let name, let listed, let served)?):
            #expect(name == "app.zip" && listed == 10 && served == 256 * 1024 * 1024)
            #expect(
                error?.description
                    == "app.zip is listed with 10 bytes but is served with 268435456; it may have been replaced meanwhile (nothing kept)"
            )
        default:
            Issue.record("expected the download to stop at the listed size, got \(String(describing: error))")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(await server.waitForLine("stopped"))
        #expect(!server.requests.contains("sent all"))
    }
}

/// An answer of the wrong shape says where: "the JSON did not have the expected shape" alone
/// left a user to guess between a proxy's page, an API that changed and a broken server.
@Suite("Client: a listing of the wrong shape")
struct WrongShapeTests {
    @Test(arguments: [
        (#"return {"values": [{"size": 1}]}"#, "the JSON did not have the expected shape: values[0].name is missing"),
        (
            #"return {"values": [{"name": "a.zip", "size": "10"}]}"#,
            "the JSON did not have the expected shape: values[0].size: Expected to decode Int64 but found a string instead."
        ),
        (#"return "maintenance""#, "the JSON did not have the expected shape: "),
    ])
    func saysWhichField(_ answer: String, _ reason: String) async throws {
        let server = try await ScriptedServer.start(answer)
        defer { server.stop() }
        let client = try client(of: server, token: "t0ken-shape")
        let error = await bitbucketError { _ = try await client.artifacts(in: Harness.repository) }
        try await client.shutdown()
        #expect(
            error?.description.hasPrefix("GET /2.0/repositories/acme/app/downloads: unexpected response: \(reason)")
                == true, "\(String(describing: error))")
    }
}

/// A storage host that sends a few bytes now and then never lets the read timeout fire: the
/// download (or a listing) would hold a release job forever. Python, 10 bytes every 0.1 s.
@Suite("Client: an answer that trickles")
struct TricklingDownloadTests {
    static let script = #"""
        \#(redirectingHandler)
                listing = sys.argv[1] in ("listing", "error")
                body = b'{"values": []}' + b" " * 20000 if listing else b"x" * 100000
                self.send_response(503 if sys.argv[1] == "error" else 200)
                self.send_header("Content-Type", "application/json" if listing else "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for i in range(0, len(body), 10):
                        self.wfile.write(body[i:i + 10])
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print("port", server.server_port, flush=True)
        server.serve_forever()
        """#

    /// The trickling server in `mode`, and a client of it with a 0.7 s stall window.
    func trickling(_ mode: String) async throws -> (ScriptedServer, BitbucketClient) {
        let server = try await ScriptedServer.program(Self.script, arguments: [mode])
        var configuration = ClientConfiguration()
        configuration.baseURL = server.url
        configuration.credential = .accessToken(Secret("t0ken-trickle"))
        configuration.retry = Harness.quickRetries
        configuration.readTimeout = .seconds(30)
        configuration.stallWindow = .milliseconds(700)
        return (server, try BitbucketClient(configuration: configuration))
    }

    /// Runs `call` against the trickling server in `mode`, with a 0.7 s window: it must end
    /// as a silent server does, retried and then given up. Returns what the server was asked.
    func expectEnded(_ mode: String, _ call: @escaping (BitbucketClient) async throws -> Void) async throws
        -> [String]
    {
        let (server, client) = try await trickling(mode)
        defer { server.stop() }
        let error = await bitbucketError { try await call(client) }
        try await client.shutdown()
        guard case .connection(let failure)? = error else {
            Issue.record("expected the trickle to be ended, got \(String(describing: error))")
            return server.requests
        }
        #expect(failure.kind == .silent)
        #expect(failure.description.contains("the server sent under 1024 bytes in 0.7 s"), "\(failure)")
        #expect(failure.attempts == Harness.quickRetries.maxAttempts)
        return server.requests
    }

    /// From the storage host (the usual way) and from an API that answers itself; nothing kept.
    @Test(arguments: ["redirect", "direct"])
    func endsWhenUnderTheLeastPerWindow(_ mode: String) async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let requests = try await expectEnded(mode) { client in
            _ = try await client.download(
                "app.zip", from: Harness.repository, to: folder.appendingPathComponent("app.zip").path,
                expectedSize: 100_000)
        }
        #expect(requests.count == Harness.quickRetries.maxAttempts * (mode == "redirect" ? 2 : 1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// A listing page trickled the same way: the API's JSON answers are guarded too.
    @Test func aListingThatTricklesIsEnded() async throws {
        let requests = try await expectEnded("listing") { client in
            _ = try await client.artifacts(in: Harness.repository)
        }
        #expect(requests.count == Harness.quickRetries.maxAttempts)
    }

    /// An error whose message trickles: bbx reads at most 64 KiB of it for Bitbucket's words,
    /// and that read is guarded too, so the 503 is reported instead of waited on.
    @Test func anErrorMessageThatTricklesIsNotWaitedFor() async throws {
        let (server, client) = try await trickling("error")
        defer { server.stop() }
        let error = await bitbucketError { _ = try await client.artifacts(in: Harness.repository) }
        try await client.shutdown()
        guard case .status(let failure)? = error else {
            Issue.record("expected the 503, got \(String(describing: error))")
            return
        }
        #expect(failure.status == 503)
        #expect(server.requests.count == Harness.quickRetries.maxAttempts)
    }
}
