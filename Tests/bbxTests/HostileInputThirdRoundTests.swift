import BBXTestSupport
import Foundation
import Testing

/// Issue 33's reproductions, each as a user or attacker met it: a data folder that is not
/// bbx's, a server echoing the credential header, a script whose values double, and the
/// emulator's answers to a malformed chunk size and to names that cannot be files.
@Suite("Hostile input, third round")
struct HostileInputThirdRoundTests {
    /// A folder with someone's files in `uploads/` and `blobs/`: both `bbx serve --data` and
    /// `bbx run --sandbox-data` deleted them at start. Now both refuse (64), naming the folder.
    @Test func aDataFolderThatIsNotBbxsIsRefusedAndKeptWhole() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d")
        let thesis = data.appendingPathComponent("uploads/sub/thesis.tex")
        let photo = data.appendingPathComponent("blobs/photo.jpg")
        for (file, text) in [(thesis, "precious"), (photo, "p2")] {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        let commands = [
            ["serve", "--port", "0", "--data", data.path, "--repo", "acme/app", "--token", "tok-1234"],
            ["run", "--sandbox-data", data.path, "-e", "use acme/app\nlist"],
        ]
        for command in commands {
            let result = try await BBXProcess.launch(command, in: folder)
            #expect(result.status == 64, "\(command[0]): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains("\(data.path) is not a bbx data folder: it holds 'blobs', 'uploads'"),
                "\(result.stderr)")
            #expect(try String(contentsOf: thesis, encoding: .utf8) == "precious")
            #expect(try String(contentsOf: photo, encoding: .utf8) == "p2")
            #expect(try FileManager.default.contentsOfDirectory(atPath: data.path).sorted() == ["blobs", "uploads"])
        }
        // A new folder, and bbx's own folder again, are used as before.
        let own = folder.appendingPathComponent("own").path
        for _ in 0..<2 {
            let result = try await BBXProcess.launch(
                ["run", "--sandbox-data", own, "-e", "use acme/app\nlist"], in: folder)
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    /// A Python server that answers every API call 401 with the `Authorization` header it got
    /// echoed in Bitbucket's error shape (as a proxy or WAF may), and prints each header seen.
    static let echoingServer = #"""
        import http.server, json, sys
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def answer(self):
                seen = self.headers.get("Authorization", "")
                print(seen, flush=True)
                body = json.dumps({"type": "error", "error": {"message": "Bad credentials header: " + seen,
                                   "detail": {"header": seen}}}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = answer
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print("port", server.server_port, flush=True)
        server.serve_forever()
        """#

    /// What a header reveals: its credential part, and that part as JSON writes it.
    static func revealing(_ header: String) -> [String] {
        let credential = String(header.split(separator: " ", maxSplits: 1).last ?? "")
        return [credential, credential.replacingOccurrences(of: "/", with: #"\/"#)].filter { $0.count >= 8 }
    }

    /// Basic: the base64 of `email:api_token` decodes to the token. It was shown in stderr,
    /// `--json` and `bbx doctor`; now it is redacted everywhere.
    @Test func anEchoedBasicHeaderIsRedacted() async throws {
        let server = try await ScriptedServer.program(Self.echoingServer)
        defer { server.stop() }
        // A token whose base64 holds '/' and '+', so JSON's escaped slash is tried too.
        let environment = [
            "BITBUCKET_URL": server.url, "BITBUCKET_EMAIL": "release@example.com",
            "BITBUCKET_API_TOKEN": "test-?>?>?>~~~secret-Q7", "BITBUCKET_TOKEN": "",
        ]
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs = [
            ["run", "-e", "use acme/app\nlist"], ["run", "--json", "-e", "use acme/app\nlist"],
            ["doctor", "acme/app"], ["doctor", "--json", "acme/app"],
        ]
        for arguments in runs {
            let result = try await BBXProcess.launch(arguments, environment: environment, in: folder)
            #expect(result.status != 0)
            let output = result.stdout + result.stderr
            #expect(output.contains("<redacted>"), "\(arguments): \(output)")
            let headers = Set(server.requests.filter { $0.hasPrefix("Basic ") })
            #expect(!headers.isEmpty)
            for header in headers {
                for secret in Self.revealing(header) {
                    #expect(!output.contains(secret), "\(arguments) shows \(secret): \(output)")
                }
            }
            #expect(!output.contains("test-?>?>?>~~~secret-Q7"))
        }
    }

    /// Connect: every JWT bbx makes is redacted when a server echoes it.
    @Test func anEchoedConnectJWTIsRedacted() async throws {
        let server = try await ScriptedServer.program(Self.echoingServer)
        defer { server.stop() }
        let environment = [
            "BITBUCKET_URL": server.url, "BITBUCKET_TOKEN": "bearer-token-for-doctor",
            "BITBUCKET_CONNECT_APP_KEY": "app", "BITBUCKET_CONNECT_CLIENT_KEY": "connection:1",
            "BITBUCKET_CONNECT_SHARED_SECRET": "shared-secret-for-jwt-42",
        ]
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for arguments in [["run", "-e", "linkers"], ["run", "--json", "-e", "linkers"], ["doctor"]] {
            let result = try await BBXProcess.launch(arguments, environment: environment, in: folder)
            let output = result.stdout + result.stderr
            let headers = Set(server.requests.filter { $0.hasPrefix("JWT ") })
            #expect(output.contains("JWT <redacted>"), "\(arguments): \(output)")
            #expect(output.contains("<redacted>"), "\(arguments): \(output)")
            for header in headers {
                for secret in Self.revealing(header) {
                    #expect(!output.contains(secret), "\(arguments) shows the JWT: \(output)")
                }
            }
        }
    }

    /// 36 lines doubling a string asked for 64 GiB: bbx aborted (SIGABRT) and left its sandbox's
    /// temporary folder behind. The checker now sees it (65); a chain it cannot see (seeded
    /// from the environment) stops planning at the budget (65), with nothing left in TMPDIR.
    @Test func aDoublingScriptStopsAtTheBudgetAndLeavesNoFolder() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let temporary = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        func doubling(from seed: String) -> String {
            (["let v0 = \(seed)"] + (1...36).map { "let v\($0) = \"${v\($0 - 1)}${v\($0 - 1)}\"" } + ["print v36"])
                .joined(separator: "\n") + "\n"
        }
        try Data(doubling(from: "\"ab\"").utf8).write(to: folder.appendingPathComponent("seen.bbx"))
        try Data(doubling(from: "env(\"SEED\")").utf8).write(to: folder.appendingPathComponent("unseen.bbx"))
        let environment = ["TMPDIR": temporary.path, "SEED": "ab"]

        let check = try await BBXProcess.launch(["check", "seen.bbx"], environment: environment, in: folder)
        #expect(check.status == 65)
        #expect(
            check.stderr.contains("seen.bbx:25:11: error: this text would be 32.0 MiB, over the 16 MiB"),
            "\(check.stderr)")
        #expect(check.stderr.components(separatedBy: "error:").count == 2, "one error, not one a line: \(check.stderr)")

        let unseen = try await BBXProcess.launch(["check", "unseen.bbx"], environment: environment, in: folder)
        #expect(unseen.status == 0, "\(unseen.stderr)")
        for script in ["seen.bbx", "unseen.bbx"] {
            let run = try await BBXProcess.launch(
                ["run", "--dry-run", "--sandbox", script], environment: environment, in: folder)
            #expect(run.status == 65, "\(script): \(run.stderr.prefix(500))")
            #expect(run.stderr.contains(":25:11: error: this text would be 32.0 MiB"), "\(run.stderr.prefix(500))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
        }
    }

    /// A sandbox killed with SIGKILL leaves its folder; the next start removes it. A folder of
    /// the same shape of name that holds anything else is not bbx's, and stays.
    @Test func aKilledSandboxsFolderGoesAtTheNextStart() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let temporary = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let serve = try ChildProcess(
            BBXProcess.executable, ["serve", "--port", "0", "--repo", "acme/app", "--token", "tok-1234"],
            environment: ["TMPDIR": temporary.path])
        #expect(await serve.waitUntil(seconds: 60) { serve.stdout.contains("listening") })
        serve.signal(SIGKILL)
        _ = await serve.wait()
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary.path)
        #expect(left.count == 1 && left[0].hasPrefix("bbx-serve-"), "\(left)")
        // Someone else's folder with a name of that shape, and a dead process's number.
        let foreign = temporary.appendingPathComponent("bbx-serve-999999-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: foreign.appendingPathComponent("notes.txt"))

        let run = try await BBXProcess.launch(
            ["run", "--sandbox", "-e", "use acme/app\nlist"], environment: ["TMPDIR": temporary.path], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [foreign.lastPathComponent])
        #expect(FileManager.default.fileExists(atPath: foreign.appendingPathComponent("notes.txt").path))
    }

    /// A chunk size of 72 bits got 500; it is the client's mistake: 400.
    @Test func aChunkSizePastSixtyFourBitsIs400() async throws {
        let server = try ServeCommandTests.Server(["--repo", "acme/app", "--token", "tok"])
        defer { _ = server.terminate() }
        let port = try #require(URL(string: server.api)?.port)
        let script = #"""
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            s.sendall(b"POST /2.0/repositories/acme/app/downloads HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer tok\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\n")
            s.settimeout(10)
            data = b""
            try:
                while b"\r\n" not in data:
                    more = s.recv(4096)
                    if not more:
                        break
                    data += more
            except OSError:
                pass
            print(data.split(b"\r\n")[0].decode(errors="replace"), flush=True)
            """#
        let client = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, String(port)])
        let result = await client.wait()
        #expect(result.stdout.hasPrefix("HTTP/1.1 400"), "\(result.stdout)\(result.stderr)")
        // The server goes on serving.
        let list = try await Curl.run([
            "-H", "Authorization: Bearer tok", "\(server.api)/2.0/repositories/acme/app/downloads",
        ])
        #expect(list.status == 200)
    }

    /// `.`, `..`, an empty name and a name holding `/` are refused on upload with Bitbucket's
    /// error shape; nothing is stored.
    @Test(arguments: [".", "..", "", "dir/a.zip", "../escape.zip"])
    func namesThatCannotBeFilesAreRefusedOnUpload(_ name: String) async throws {
        let server = try ServeCommandTests.Server(["--repo", "acme/app", "--token", "tok"])
        defer { _ = server.terminate() }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("f.bin"))
        let upload = try await Curl.run(
            [
                "-H", "Authorization: Bearer tok", "-F", "files=@f.bin;filename=\"\(name)\"",
                "\(server.api)/2.0/repositories/acme/app/downloads",
            ], in: folder)
        #expect(upload.status == 400, "\(name): \(upload.text)")
        let message = ((upload.json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
        #expect(message?.contains("Invalid file name") == true, "\(upload.text)")
        let list = try await Curl.run([
            "-H", "Authorization: Bearer tok", "\(server.api)/2.0/repositories/acme/app/downloads",
        ])
        #expect((list.json as? [String: Any])?["size"] as? Int == 0)
    }
}
