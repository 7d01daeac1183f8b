import BBXTestSupport
import BitbucketAPI
import Foundation
import Testing

/// TLS verification and proxies, with real parts: `bbx serve` behind a self-signed
/// certificate, and Debian's tinyproxy between the client and the emulator.
@Suite("Client: TLS and proxies")
struct NetworkTests {
    let repo = Harness.repository

    func connectionFailure(_ call: () async throws -> Void) async -> ConnectionFailure? {
        let error = await bitbucketError(call)
        guard case .connection(let failure) = error else {
            if let error { Issue.record("not a connection failure: \(error)") }
            return nil
        }
        return failure
    }

    @Test func aSelfSignedCertificateIsRefusedUnlessVerificationIsOff() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (certificate, key) = try await Tools.selfSignedCertificate(in: folder)
        try await withHarness({
            $0.tlsCertificate = certificate
            $0.tlsKey = key
        }) { harness in
            #expect(harness.emulator.api.hasPrefix("https://127.0.0.1:"))
            // Refused when the handshake fails, not when a long connect timeout runs out.
            let started = ContinuousClock.now
            let refused = await connectionFailure {
                try await harness.withClient(.accessToken(Secret("write-token")), { $0.connectTimeout = .seconds(30) })
                {
                    _ = try await $0.artifacts(in: repo)
                }
            }
            #expect(refused?.kind == .tls)
            #expect(refused?.description.contains("--insecure turns verification off") == true)
            // Not retried: a certificate does not get better by asking again.
            #expect(refused?.attempts == 1)
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(try await harness.requests().isEmpty)

            // With verification off, everything works, and the storage host still gets no credential.
            let path = try harness.file("secure.bin", size: 100_000)
            let copy = harness.folder.appendingPathComponent("copy.bin").path
            try await harness.withClient(.accessToken(Secret("write-token")), { $0.verifiesTLS = false }) { client in
                #expect(client.configuration.warnings.first?.contains("TLS certificate verification is off") == true)
                try await client.upload([UploadFile(path: path, name: "secure.bin")], to: repo)
                #expect(try await client.artifacts(in: repo).map(\.name) == ["secure.bin"])
                try await client.download("secure.bin", from: repo, to: copy)
            }
            #expect(FileManager.default.contentsEqual(atPath: path, andPath: copy))
            let log = try await harness.requests()
            #expect(log.filter { $0.host == "storage" }.allSatisfy { !$0.authorization })
        }
    }

    @Test func throughAProxyWithAndWithoutCredentials() async throws {
        try await withHarness { harness in
            let path = try harness.file("via-proxy.bin", size: 300_000)
            // Without credentials.
            let open = try await TinyProxy.start(in: harness.folder.appendingPathComponent("open").creating())
            defer { open.stop() }
            try await harness.withClient(
                .accessToken(Secret("write-token")),
                {
                    $0.proxy = try! ProxySettings(url: open.url)
                }
            ) { client in
                try await client.upload([UploadFile(path: path, name: "via-proxy.bin")], to: repo)
                try await client.download(
                    "via-proxy.bin", from: repo, to: harness.folder.appendingPathComponent("copy1").path)
            }
            let api = try #require(URL(string: harness.emulator.api))
            let storage = try #require(URL(string: harness.emulator.storage))
            // The API's and the storage host's connections both went through the proxy.
            #expect(open.relayed.contains("CONNECT 127.0.0.1:\(api.port!) HTTP/1.1"))
            #expect(open.relayed.contains("CONNECT 127.0.0.1:\(storage.port!) HTTP/1.1"))

            // With credentials (one character percent-encoded, as URLs allow; tinyproxy's own
            // configuration accepts only letters and digits).
            let guarded = try await TinyProxy.start(
                in: harness.folder.appendingPathComponent("guarded").creating(), username: "alice",
                password: "Pr0xyPass")
            defer { guarded.stop() }
            try await harness.withClient(
                .accessToken(Secret("write-token")),
                {
                    $0.proxy = try! ProxySettings(url: "http://alice:Pr%30xyPass@127.0.0.1:\(guarded.port)")
                }
            ) { client in
                #expect(try await client.artifacts(in: repo).map(\.name) == ["via-proxy.bin"])
                try await client.download(
                    "via-proxy.bin", from: repo, to: harness.folder.appendingPathComponent("copy2").path)
            }
            #expect(guarded.relayed.count >= 2)
            #expect(
                FileManager.default.contentsEqual(
                    atPath: path, andPath: harness.folder.appendingPathComponent("copy2").path))

            // Missing credentials: a 407, said as such. Wrong ones: tinyproxy answers 401 (where
            // squid says 407), so the client can only say the tunnel was refused; either way
            // the message names the proxy without its password.
            let expectations: [(String, ConnectionFailure.Kind, String)] = [
                (guarded.url, .proxyAuthentication, "407 Proxy Authentication Required"),
                (
                    "http://alice:wrong-pass@127.0.0.1:\(guarded.port)", .proxyRefused,
                    "http://alice:<redacted>@127.0.0.1:\(guarded.port) refused to open a tunnel"
                ),
            ]
            for (proxyURL, kind, text) in expectations {
                let failure = await connectionFailure {
                    try await harness.withClient(
                        .accessToken(Secret("write-token")),
                        {
                            $0.proxy = try! ProxySettings(url: proxyURL)
                        }
                    ) { _ = try await $0.artifacts(in: repo) }
                }
                #expect(failure?.kind == kind)
                #expect(failure?.description.contains(text) == true, "\(String(describing: failure))")
                #expect(failure?.attempts == 1)
                #expect(failure?.description.contains("wrong-pass") == false)
            }
        }
    }

    @Test func noProxySendsMatchingHostsStraight() async throws {
        try await withHarness { harness in
            let proxy = try await TinyProxy.start(in: harness.folder.appendingPathComponent("proxy").creating())
            defer { proxy.stop() }
            let configuration = try ClientConfiguration(environment: [
                "BITBUCKET_URL": harness.emulator.api, "BITBUCKET_TOKEN": "write-token",
                "HTTPS_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1",
            ])
            let client = try BitbucketClient(configuration: configuration)
            _ = try await client.artifacts(in: repo)
            try await client.shutdown()
            #expect(proxy.relayed.isEmpty)
            #expect(try await harness.requests().count == 1)
        }
    }
}

extension URL {
    /// Creates this folder and returns it.
    func creating() throws -> URL {
        try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
        return self
    }
}
