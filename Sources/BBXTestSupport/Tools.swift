import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Other programs the tests run: openssl for a certificate, tinyproxy as a real HTTP proxy.
/// Each waits for its process without blocking a thread.
public enum Tools {
    /// Runs a program to its end; its output goes to `log` (or nowhere).
    @discardableResult
    public static func run(_ arguments: [String], log: URL? = nil) async throws -> Int32 {
        let result = try await ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments).wait()
        if let log { try Data((result.stdout + result.stderr).utf8).write(to: log) }
        return result.status
    }

    /// A self-signed certificate for 127.0.0.1, valid one day: `(certificate, key)` PEM paths.
    public static func selfSignedCertificate(in folder: URL) async throws -> (certificate: String, key: String) {
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let status = try await run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ])
        guard status == 0 else { throw CocoaError(.fileWriteUnknown) }
        return (certificate, key)
    }

    /// A private certificate authority (`ca.pem`, as a company's TLS-inspecting proxy has) and a
    /// server certificate for 127.0.0.1 signed by it (`server.pem`, `server-key.pem`).
    public static func privateAuthority(in folder: URL) async throws -> (
        authority: String, certificate: String, key: String
    ) {
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        let steps: [[String]] = [
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=bbx test CA",
                "-keyout", path("ca-key.pem"), "-out", path("ca.pem"),
            ],
            [
                "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
                path("server-key.pem"), "-out", path("server.csr"),
            ],
            [
                "openssl", "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey",
                path("ca-key.pem"), "-CAcreateserial", "-days", "1", "-out", path("server.pem"), "-extfile",
                path("san.cnf"),
            ],
        ]
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: folder.appendingPathComponent("san.cnf"))
        for step in steps {
            guard try await run(step) == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
        return (path("ca.pem"), path("server.pem"), path("server-key.pem"))
    }

    /// A TCP port on 127.0.0.1 that nothing listens on, ever: below the ephemeral range that
    /// servers started by other tests bind from, so a refused connection stays refused.
    public static let closedPort = 1

    /// A TCP port on 127.0.0.1 that nothing listens on right now, to bind a server to (others
    /// may take it once it is free again: to be refused, use `closedPort`).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// tinyproxy (Debian's) on a loopback port, optionally asking for Basic credentials. Its log
/// shows each request it relayed.
public final class TinyProxy: Sendable {
    public let port: Int
    public let url: String
    private let child: ChildProcess

    private init(port: Int, url: String, child: ChildProcess) {
        self.port = port
        self.url = url
        self.child = child
    }

    public static func start(in folder: URL, username: String? = nil, password: String? = nil) async throws
        -> TinyProxy
    {
        let port = try Tools.freePort()
        var config = [
            "Port \(port)", "Listen 127.0.0.1", "Timeout 60", "MaxClients 50", "LogLevel Connect",
        ]
        if let username, let password { config.append("BasicAuth \(username) \(password)") }
        let configFile = folder.appendingPathComponent("tinyproxy.conf")
        try (config.joined(separator: "\n") + "\n").write(to: configFile, atomically: true, encoding: .utf8)
        // A ChildProcess, which keeps no other descriptor open in this long-lived child.
        let child = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["tinyproxy", "-d", "-c", configFile.path])
        let proxy = TinyProxy(port: port, url: "http://127.0.0.1:\(port)", child: child)
        // Ready when it answers (a 400 or 407 to a bare request).
        for _ in 0..<250 {
            guard child.isRunning else { break }
            let probe = try await Curl.run(["-m", "2", "-x", "http://127.0.0.1:\(port)", "http://127.0.0.1:1/"])
            if probe.status != 0 { return proxy }
            try await Task.sleep(for: .milliseconds(20))
        }
        proxy.stop()
        throw CocoaError(
            .featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "tinyproxy did not start: \(proxy.log)"])
    }

    /// What tinyproxy logged so far.
    public var log: String { child.stdout + child.stderr }

    /// The `CONNECT host:port` and plain requests it relayed, in order.
    public var relayed: [String] {
        log.components(separatedBy: "\n").compactMap { line in
            // Not the probe that saw it start.
            if line.contains("http://127.0.0.1:1/") { return nil }
            guard let range = line.range(of: "]: Request (file descriptor ") else { return nil }
            let rest = line[range.upperBound...]
            guard let close = rest.range(of: "): ") else { return nil }
            return String(rest[close.upperBound...])
        }
    }

    /// Kills it, without waiting (its end is reaped by the thread that waits for it).
    public func stop() {
        child.signal(SIGKILL)
    }
}
