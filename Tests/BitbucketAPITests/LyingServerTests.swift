import BBXTestSupport
import BitbucketAPI
import Foundation
import Testing

/// A server that lies about pagination, written in Python so that it shares nothing with the
/// emulator. Each request it answers is one line on its standard output.
@Suite("Client: a listing that does not end")
struct LyingServerTests {
    static let script = #"""
        import http.server, json, sys
        mode = sys.argv[1]
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                n = self.server.count
                self.server.count += 1
                print(self.path, flush=True)
                base = "http://127.0.0.1:%d/2.0/repositories/acme/app/downloads" % self.server.server_port
                if mode == "loop":
                    body = {"values": [{"name": "a.zip", "size": 1}], "next": base + "?page=2"}
                elif mode == "empty":
                    body = {"values": [], "next": base + "?page=%d" % (n + 2)}
                else:
                    body = {"values": [{"name": "a%d.zip" % n, "size": 1}], "next": base + "?page=%d" % (n + 2)}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        server.count = 0
        print("port", server.server_port, flush=True)
        server.serve_forever()
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
        let server = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", Self.script, example.mode])
        defer { server.signal(SIGKILL) }
        #expect(await server.waitUntil(seconds: 30) { server.stdout.hasPrefix("port ") })
        let port = try #require(Int(server.stdout.split(separator: "\n")[0].dropFirst(5)))
        var configuration = ClientConfiguration()
        configuration.baseURL = "http://127.0.0.1:\(port)"
        configuration.credential = .accessToken(Secret("t0ken-lying"))
        let client = try BitbucketClient(configuration: configuration)
        let error = await bitbucketError { _ = try await client.artifacts(in: Harness.repository) }
        try await client.shutdown()
        #expect(
            error?.description.contains("the listing does not end: \(example.reason)") == true,
            "\(String(describing: error))")
        let served = server.stdout.split(separator: "\n").dropFirst().count
        #expect(served == example.requests)
    }
}
