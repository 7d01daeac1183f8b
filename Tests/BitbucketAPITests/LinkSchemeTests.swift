import BBXTestSupport
import Foundation
import Testing

@testable import BitbucketAPI

/// Links the server hands out (a download's redirect, a listing's next page) are followed only
/// over http(s), and never from an https API down to plain http, where what they serve could
/// be read and changed on the way.
@Suite("Client: where links may lead")
struct LinkSchemeTests {
    @Test(arguments: [
        ("https://api.bitbucket.org", "https://bbuseruploads.s3.amazonaws.com/x?Signature=s", nil),
        ("http://127.0.0.1:7990", "http://127.0.0.1:7991/storage/x", nil),
        ("http://127.0.0.1:7990", "https://storage.example.com/x", nil),
        // `bbx serve` with TLS: its storage listener stays on http, on this machine.
        ("https://127.0.0.1:7990", "http://127.0.0.1:7991/storage/x", nil),
        ("https://localhost:7990", "http://[::1]:7991/storage/x", nil),
        (
            "https://127.0.0.1:7990", "http://127.0.0.1.evil.example/x",
            "a redirect from https to plain http (http://127.0.0.1.evil.example/x); not followed, it would not be encrypted"
        ),
        (
            "https://api.bitbucket.org", "http://bbuseruploads.s3.amazonaws.com/x?Signature=secret",
            "a redirect from https to plain http (http://bbuseruploads.s3.amazonaws.com/x); not followed, it would not be encrypted"
        ),
        (
            "https://api.bitbucket.org", "file:///etc/passwd",
            "a redirect to file:///etc/passwd, which is not an http(s) URL; not followed"
        ),
        (
            "http://127.0.0.1:7990", "ftp://user:pw@files.example.com/x?Signature=secret",
            "a redirect to ftp://<redacted>@files.example.com/x, which is not an http(s) URL; not followed"
        ),
    ])
    func linkProblem(_ api: String, _ link: String, _ problem: String?) throws {
        let origin = try #require(Origin(api))
        #expect(BitbucketClient.linkProblem("a redirect", to: link, api: origin) == problem)
    }

    /// Before, bbx handed such a link to the HTTP client, which failed with its own words
    /// (or, for http, fetched it unencrypted).
    @Test func aRedirectToAFileURLIsNotFollowed() async throws {
        let server = try await ScriptedServer.program(Self.redirecting)
        defer { server.stop() }
        let client = try client(of: server, token: "t0ken-scheme")
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = await bitbucketError {
            _ = try await client.download(
                "app.zip", from: Harness.repository, to: folder.appendingPathComponent("app.zip").path, expectedSize: 3)
        }
        try await client.shutdown()
        #expect(
            error?.description
                == "GET /2.0/repositories/acme/app/downloads/app.zip: unexpected response: a redirect to file:///etc/passwd, which is not an http(s) URL; not followed"
        )
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func aNextPageOnAnotherSchemeIsNotFollowed() async throws {
        let server = try await ScriptedServer.start(
            #"return {"values": [{"name": "a.zip", "size": 1}], "next": "ftp://files.example.com/page2"}"#)
        defer { server.stop() }
        let client = try client(of: server, token: "t0ken-scheme")
        let error = await bitbucketError { _ = try await client.artifacts(in: Harness.repository) }
        try await client.shutdown()
        #expect(
            error?.description.contains(
                "a next page link to ftp://files.example.com/page2, which is not an http(s) URL; not followed") == true,
            "\(String(describing: error))")
        #expect(server.requests.count == 1)
    }

    static let redirecting = #"""
        import http.server
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                print(self.path, flush=True)
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print("port", server.server_port, flush=True)
        server.serve_forever()
        """#
}
