import Foundation

/// A small JSON server in Python, sharing nothing with the emulator: a second opinion on how a
/// Bitbucket-like server answers, or a server that lies. `answer` is the body of a Python
/// function `answer(server, path, query)` returning the JSON object to send with 200; `server`
/// keeps state between requests (`server.port`, and any attribute set on it), `query` maps each
/// query parameter to its first value, and `args` holds `arguments`. Each request's path (with
/// its query) is one line of `requests`.
public final class ScriptedServer: Sendable {
    let process: ChildProcess
    public let port: Int

    public var url: String { "http://127.0.0.1:\(port)" }

    /// The requests answered so far, in order (for `program`, the lines it printed after the port).
    public var requests: [String] { process.stdout.split(separator: "\n").dropFirst().map(String.init) }

    public static func start(_ answer: String, arguments: [String] = []) async throws -> ScriptedServer {
        let body = answer.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            .joined(separator: "\n")
        let script = """
            import http.server, json, sys, urllib.parse
            args = sys.argv[1:]
            def answer(server, path, query):
            \(body)
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    print(self.path, flush=True)
                    url = urllib.parse.urlparse(self.path)
                    query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
                    data = json.dumps(answer(self.server, url.path, query)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                def log_message(self, *args):
                    pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            server.port = server.server_port
            print("port", server.port, flush=True)
            server.serve_forever()
            """
        return try await program(script, arguments: arguments)
    }

    /// A whole Python server, for answers `start` cannot give (redirects, ranges, endless
    /// bodies): it must print `port N` first; what it prints after is `requests`.
    public static func program(_ script: String, arguments: [String] = []) async throws -> ScriptedServer {
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments)
        guard await process.waitUntil(seconds: 30, { process.stdout.hasPrefix("port ") }),
            let port = Int(process.stdout.split(separator: "\n")[0].dropFirst(5))
        else {
            process.signal(SIGKILL)
            throw ScriptFailure(description: "the Python server did not start: \(process.stderr)")
        }
        return ScriptedServer(process: process, port: port)
    }

    init(process: ChildProcess, port: Int) {
        self.process = process
        self.port = port
    }

    /// Waits until the server has printed `line` (true) or `seconds` have passed (false).
    public func waitForLine(_ line: String, seconds: Double = 30) async -> Bool {
        await process.waitUntil(seconds: seconds) { requests.contains(line) }
    }

    public func stop() { process.signal(SIGKILL) }

    struct ScriptFailure: Error, CustomStringConvertible {
        let description: String
    }
}
