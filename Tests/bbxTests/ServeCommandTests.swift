import BBXTestSupport
import Foundation
import Testing

/// `bbx serve` as a user starts it: a separate process, read through its output.
@Suite("bbx serve")
struct ServeCommandTests {
    final class Server {
        let process = Process()
        let stderrFile: URL
        var firstLine = ""

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log")
            FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
            process.executableURL = BBXProcess.executable
            process.arguments = ["serve", "--port", "0"] + arguments
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = try FileHandle(forWritingTo: stderrFile)
            try process.run()
            var bytes = Data()
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                bytes += chunk
            }
            firstLine = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")[0]
        }

        var api: String { field("api") }
        var storage: String { field("storage") }

        func field(_ name: String) -> String {
            firstLine.split(separator: " ").first { $0.hasPrefix("\(name)=") }.map {
                String($0.dropFirst(name.count + 1))
            } ?? ""
        }

        func terminate() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }

        var log: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }
    }

    @Test func firstLineLogsAndCleanStop() async throws {
        let server = try Server(["--repo", "acme/app", "--token", "s3cr3t-token-value:repository,repository:write"])
        #expect(
            server.firstLine.range(
                of: #"^bbx serve listening api=http://127\.0\.0\.1:\d+ storage=http://127\.0\.0\.1:\d+$"#,
                options: .regularExpression) != nil, "\(server.firstLine)")
        let list = try await Curl.run([
            "-H", "Authorization: Bearer s3cr3t-token-value", "\(server.api)/2.0/repositories/acme/app/downloads",
        ])
        #expect(list.status == 200)
        #expect(
            try await Curl.run([
                "-H", "Authorization: Bearer wrong-token", "\(server.api)/2.0/repositories/acme/app/downloads",
            ]).status == 401)
        // SIGTERM: a clean stop, exit 0.
        #expect(server.terminate() == 0)
        let log = server.log
        #expect(log.contains("api GET /2.0/repositories/acme/app/downloads 200"))
        #expect(!log.contains("s3cr3t-token-value"))
        #expect(!log.contains("wrong-token"))
    }

    @Test func badOptionsAreRefused() throws {
        #expect(try BBXProcess.run(["serve", "--token", ""]).status == 64)
        #expect(try BBXProcess.run(["serve", "--connect", "only-one-part"]).status == 64)
        #expect(try BBXProcess.run(["serve", "--fault", "count=2"]).status == 64)
        #expect(try BBXProcess.run(["serve", "--repo", "noslash"]).status == 64)
    }

    @Test func httpsWithASelfSignedCertificate() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await Tools.selfSignedCertificate(in: folder)
        let server = try Server([
            "--repo", "acme/app", "--token", "t", "--tls-cert", folder.appendingPathComponent("cert.pem").path,
            "--tls-key", folder.appendingPathComponent("key.pem").path,
        ])
        defer { _ = server.terminate() }
        #expect(server.api.hasPrefix("https://"))
        let url = "\(server.api)/2.0/repositories/acme/app/downloads"
        // Refused by default: the certificate is signed by no one curl trusts.
        let refused = try await Curl.run(["-H", "Authorization: Bearer t", url])
        #expect(refused.exitCode == 60)
        let trusted = try await Curl.run([
            "--cacert", folder.appendingPathComponent("cert.pem").path, "-H", "Authorization: Bearer t", url,
        ])
        #expect(trusted.status == 200)
        #expect(try await Curl.run(["-k", "-H", "Authorization: Bearer t", url]).status == 200)
    }

    /// A company's private authority: bbx refuses the server in a plain sentence, and trusts it
    /// with --cacert, SSL_CERT_FILE or SSL_CERT_DIR.
    @Test func aPrivateAuthorityIsTrustedWhenGiven() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try await Tools.privateAuthority(in: folder)
        let server = try Server([
            "--repo", "acme/app", "--token", "t", "--tls-cert", pki.certificate, "--tls-key", pki.key,
        ])
        defer { _ = server.terminate() }
        // Empty counts as unset: the machine's own SSL_CERT_FILE/SSL_CERT_DIR do not count here.
        let environment = [
            "BITBUCKET_URL": server.api, "BITBUCKET_TOKEN": "t", "SSL_CERT_FILE": "", "SSL_CERT_DIR": "",
        ]
        let refused = try await BBXProcess.launch(["run", "-e", "list in acme/app"], environment: environment)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("is not signed by an authority bbx trusts"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--cacert FILE or SSL_CERT_FILE"))
        // No build paths or library internals.
        #expect(!refused.stderr.contains(".cc"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("BoringSSL"), "\(refused.stderr)")

        let flag = try await BBXProcess.launch(
            ["run", "--cacert", pki.authority, "-e", "list in acme/app"], environment: environment)
        #expect(flag.status == 0, "\(flag.stderr)")
        let file = try await BBXProcess.launch(
            ["run", "-e", "list in acme/app"], environment: environment.merging(["SSL_CERT_FILE": pki.authority]) { $1 }
        )
        #expect(file.status == 0, "\(file.stderr)")
        let directory = folder.appendingPathComponent("authorities")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pki.authority, toPath: directory.appendingPathComponent("ca.pem").path)
        #expect(try await Tools.run(["openssl", "rehash", directory.path]) == 0)
        let folderOfAuthorities = try await BBXProcess.launch(
            ["run", "-e", "list in acme/app"], environment: environment.merging(["SSL_CERT_DIR": directory.path]) { $1 }
        )
        #expect(folderOfAuthorities.status == 0, "\(folderOfAuthorities.stderr)")
        let missing = try await BBXProcess.launch(
            ["run", "--cacert", "/no/such/ca.pem", "-e", "list in acme/app"], environment: environment)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("the CA certificates '/no/such/ca.pem' cannot be read"), "\(missing.stderr)")
    }

    /// A port in use: one plain line, none of the server library's.
    @Test func aPortInUseIsOnePlainLine() async throws {
        let first = try Server(["--repo", "acme/app"])
        defer { _ = first.terminate() }
        let port = try #require(URL(string: first.api)?.port)
        let second = try await BBXProcess.launch(["serve", "--port", String(port)])
        #expect(second.status == 1)
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(second.stderr)")
        #expect(
            second.stderr.contains("bbx serve cannot listen on 127.0.0.1 port \(port): the address is already in use"))
    }

    @Test func withoutDataTheTemporaryStoreIsRemoved() async throws {
        // A temporary folder of its own, so emulators of other tests running at the same time
        // cannot be mistaken for this one's.
        let temporary = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temporary) }
        func stores() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter { $0.hasPrefix("bbx-serve-") }
        }
        let server = try Server(["--repo", "acme/app"], environment: ["TMPDIR": temporary.path])
        #expect(try stores().count == 1)
        #expect(server.terminate() == 0)
        #expect(try stores().isEmpty)
    }
}

extension ServeCommandTests {
    @Test func aStopDuringAnUploadLeavesNoTrace() async throws {
        let data = try BBXProcess.temporaryDirectory()
        let folder = try BBXProcess.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: folder)
        }
        try Data(count: 8 << 20).write(to: folder.appendingPathComponent("slow.bin"))
        let server = try Server(["--repo", "acme/app", "--token", "t", "--data", data.path])
        // An upload slowed to 1 MiB/s is still running when the server is told to stop.
        let url = "\(server.api)/2.0/repositories/acme/app/downloads"
        async let upload = Curl.run(
            ["--limit-rate", "1M", "-H", "Authorization: Bearer t", "-F", "files=@slow.bin", url], in: folder)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(server.terminate() == 0)
        let result = try await upload
        #expect(result.status != 201)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("blobs").path).isEmpty)
        // The metadata (SQLite and its write-ahead log) never heard of it.
        for file in ["state.sqlite", "state.sqlite-wal"] {
            let bytes = FileManager.default.contents(atPath: data.appendingPathComponent(file).path) ?? Data()
            #expect(bytes.range(of: Data("slow.bin".utf8)) == nil, "\(file)")
        }
    }

    /// `--data` naming a file is one plain line, not a Foundation error.
    @Test func dataNamingAFileIsRefusedPlainly() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("state")
        try Data("x".utf8).write(to: file)
        let result = try await BBXProcess.launch(["serve", "--data", file.path, "--port", "0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--data '\(file.path)' is a file; it must name a folder"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
    }

    /// A `--data` folder whose state.sqlite is some other file: the path and what to do, not
    /// "SQLite error 26 … while executing `PRAGMA synchronous = NORMAL`". The file is left alone.
    @Test func dataWithAForeignStateFileIsRefusedPlainly() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("state.sqlite")
        let foreign = Data(String(repeating: "not a database; ", count: 64).utf8)
        try foreign.write(to: file)
        let result = try await BBXProcess.launch(["serve", "--data", folder.path, "--port", "0"])
        // A folder that is not bbx's is a command-line mistake (issue 33): 64, as for any other.
        #expect(result.status == 64)
        #expect(
            result.stderr.contains(
                "\(file.path) is not a database bbx serve made (SQLite: file is not a database); move it away, or give --data a new or empty folder"
            ), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: file.path) == foreign)
    }
}
