import BBXTestSupport
import Foundation
import Testing

@testable import BitbucketAPI

/// A storage host that lies about ranges, written in Python so that it shares nothing with the
/// emulator: it cuts the first answer halfway, then ignores `If-Range` and sends the rest of
/// another version. Each request is one line on its standard output.
@Suite("Client: resuming against a storage host that ignores If-Range")
struct ResumeTests {
    static let script = #"""
        import http.server, socket, sys
        A = bytes([65]) * 1000
        B = bytes([66]) * 1000
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                n = self.server.count
                self.server.count += 1
                print("%s accept=%s range=%s if-range=%s auth=%s" % (self.path.split("?")[0], self.headers.get("Accept"),
                      self.headers.get("Range"), self.headers.get("If-Range"), self.headers.get("Authorization") is not None), flush=True)
                if self.path.startswith("/2.0/"):
                    self.send_response(302)
                    self.send_header("Location", "/storage/v.bin?Signature=x")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                storage = self.server.storage
                self.server.storage += 1
                if storage == 0:
                    self.send_response(200)
                    self.send_header("ETag", '"A"')
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(A[:500])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                elif self.headers.get("Range"):
                    self.send_response(206)
                    self.send_header("ETag", '"B"')
                    self.send_header("Content-Range", "bytes 500-999/1000")
                    self.send_header("Content-Length", "500")
                    self.end_headers()
                    self.wfile.write(B[500:])
                else:
                    self.send_response(200)
                    self.send_header("ETag", '"B"')
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(B)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        server.count = 0
        server.storage = 0
        print("port", server.server_port, flush=True)
        server.serve_forever()
        """#

    @Test func theRestOfAnotherVersionIsNeverJoined() async throws {
        let server = try await ScriptedServer.program(Self.script)
        defer { server.stop() }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = try client(of: server, token: "t0ken-resume", retry: Harness.quickRetries)
        let destination = folder.appendingPathComponent("v.bin").path
        let size = try await client.download(
            "v.bin", from: Harness.repository, to: destination, expectedSize: 1000)
        try await client.shutdown()
        #expect(size == 1000)
        // All of version B: the 206 of another version was dropped and the download began again.
        // No JSON Accept on the request that answers 302, and the signed link gets no credential.
        #expect(FileManager.default.contents(atPath: destination) == Data(repeating: 66, count: 1000))
        let lines = server.requests
        #expect(
            lines == [
                "/2.0/repositories/acme/app/downloads/v.bin accept=*/* range=None if-range=None auth=True",
                "/storage/v.bin accept=*/* range=None if-range=None auth=False",
                "/2.0/repositories/acme/app/downloads/v.bin accept=*/* range=None if-range=None auth=True",
                "/storage/v.bin accept=*/* range=bytes=500- if-range=\"A\" auth=False",
                "/2.0/repositories/acme/app/downloads/v.bin accept=*/* range=None if-range=None auth=True",
                "/storage/v.bin accept=*/* range=None if-range=None auth=False",
            ], "\(lines)")
    }
}
