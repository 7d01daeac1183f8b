import BBXTestSupport
import Foundation
import Testing

/// `bbx doctor` against `bbx serve`: every check passes with a good setup, and each common
/// mistake fails with its own line and fix.
@Suite("bbx doctor")
struct DoctorTests {
    @Test func aGoodSetupPassesEveryCheck() async throws {
        try await EndToEnd.with { world in
            // A name as Bitbucket may hold one: the storage check must ask for it exactly.
            try await world.serve.seed("acme/app", "app 1.0 #1 %41 é.zip", size: 10, created: daysAgo(1))
            let result = try await world.bbx(["doctor", "acme/app"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            for name in ["credential", "api", "acme/app", "storage", "clock"] {
                #expect(result.stdout.contains("ok       \(name): "), "\(name): \(result.stdout)")
            }
            #expect(result.stdout.contains("repo_access_token holds repository, repository:write"))
            #expect(
                result.stdout.contains("ok       storage: a download of app 1.0 #1 %41 é.zip reaches"),
                "\(result.stdout)")
            #expect(result.stdout.contains("all 5 checks passed"))
            #expect(!result.stdout.contains(EndToEnd.token))
            // The same as data.
            let json = try await world.bbx(["doctor", "acme/app", "--json"])
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(document["ok"] as? Bool == true)
            #expect((document["checks"] as? [[String: Any]])?.count == 5)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let arguments: [String]
        let environment: [String: String]
        /// The problem's line and its fix.
        let problem: String
        let fix: String
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "a wrong token", arguments: ["acme/app"], environment: ["BITBUCKET_TOKEN": "not-the-token"],
            problem: "problem  acme/app: the credential was refused (401",
            fix: "check the credential's value and that it has not expired or been revoked"),
        Case(
            name: "an API token sent as Bearer", arguments: ["acme/app"],
            // Only the prefix matters; the rest is plainly not a token (no secret-shaped literal).
            environment: ["BITBUCKET_TOKEN": "ATATT" + "-placeholder-not-a-token"],
            problem: "problem  credential: BITBUCKET_TOKEN holds an Atlassian API token",
            fix: "set BITBUCKET_EMAIL to the Atlassian account's email and BITBUCKET_API_TOKEN"),
        Case(
            name: "a username instead of the email", arguments: ["acme/app"],
            environment: ["BITBUCKET_TOKEN": "", "BITBUCKET_EMAIL": "dev", "BITBUCKET_API_TOKEN": "x"],
            problem: "problem  credential: BITBUCKET_EMAIL is 'dev', a username", fix: "set BITBUCKET_EMAIL"),
        Case(
            name: "an app password", arguments: ["acme/app"],
            environment: ["BITBUCKET_TOKEN": "", "BITBUCKET_USERNAME": "dev", "BITBUCKET_APP_PASSWORD": "x"],
            problem: "stopped accepting app passwords on 28 July 2026", fix: "create an API token"),
        Case(
            name: "a missing repository", arguments: ["acme/nope"], environment: [:],
            problem: "problem  acme/nope: does not exist, or the credential cannot see it",
            fix: "check the name (workspace/slug)"),
        Case(
            name: "a read-only token for a script that uploads", arguments: ["release.bbx"],
            environment: ["BITBUCKET_TOKEN": "reader"],
            problem:
                "problem  acme/app: visible; repo_access_token holds repository: the script's upload, prune need repository:write",
            fix: "use a credential with repository:write"),
        Case(
            name: "Connect variables set partly", arguments: ["acme/app"],
            environment: ["BITBUCKET_CONNECT_APP_KEY": "app"],
            problem: "problem  connect: the Connect credentials are incomplete", fix: "set all three"),
    ]

    @Test(arguments: cases)
    func eachMistakeHasItsLineAndFix(_ testCase: Case) async throws {
        try await EndToEnd.with(["--token", "reader:repository"]) { world in
            try world.write("release.bbx", RunCommandTests.release)
            let result = try await world.bbx(["doctor"] + testCase.arguments, environment: testCase.environment)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains(testCase.problem), "\(result.stdout)")
            #expect(result.stdout.contains("fix: \(testCase.fix)"), "\(result.stdout)")
            #expect(result.stdout.contains("found a problem"))
        }
    }

    /// The Connect check: a JWT-signed read of the linkers, and a clear line once Bitbucket has
    /// removed the endpoints.
    @Test func connectIsCheckedWithASignedRead() async throws {
        let environment = [
            "BITBUCKET_CONNECT_APP_KEY": "bbx-app", "BITBUCKET_CONNECT_CLIENT_KEY": "connection:42",
            "BITBUCKET_CONNECT_SHARED_SECRET": "shh-secret",
        ]
        try await EndToEnd.with(ConnectFinalYearTests.installation) { world in
            let result = try await world.bbx(["doctor", "acme/app"], environment: environment)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(
                result.stdout.contains("ok       connect: a JWT-signed read of the app's linkers answered (1 linker)"))
            #expect(!result.stdout.contains("shh-secret"))
        }
        try await EndToEnd.with(ConnectFinalYearTests.installation + ["--linkers-removed"]) { world in
            let result = try await world.bbx(["doctor", "acme/app"], environment: environment)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("problem  connect: Bitbucket has removed the linker endpoints"))
        }
    }

    /// A proxy that wants other credentials, and a server whose certificate no trusted
    /// authority signed: the API check says which, with the fix.
    @Test func aRefusingProxyAndAnUnknownAuthorityEachFailTheAPICheck() async throws {
        try await EndToEnd.with { world in
            let folder = world.folder.appendingPathComponent("proxy")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let proxy = try await TinyProxy.start(in: folder, username: "alice", password: "right")
            defer { proxy.stop() }
            let refused = try await world.bbx(
                ["doctor", "acme/app"],
                environment: ["HTTPS_PROXY": "http://alice:wrong@127.0.0.1:\(proxy.port)", "NO_PROXY": ""])
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stdout.contains("problem  api: "), "\(refused.stdout)")
            #expect(refused.stdout.contains("fix: check the user and password in HTTPS_PROXY"), "\(refused.stdout)")
            #expect(!refused.stdout.contains("wrong"), "the proxy's password never shows")
        }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try await Tools.privateAuthority(in: folder)
        let server = try await ServeProcess.start([
            "--repo", "acme/app", "--token", "t", "--tls-cert", pki.certificate, "--tls-key", pki.key,
        ])
        defer { Task { await server.stop() } }
        let environment = [
            "BITBUCKET_URL": server.api, "BITBUCKET_TOKEN": "t", "SSL_CERT_FILE": "", "SSL_CERT_DIR": "",
        ]
        let unknown = try await BBXProcess.launch(["doctor", "acme/app"], environment: environment)
        #expect(unknown.status == 1, "\(unknown.stdout)\(unknown.stderr)")
        #expect(unknown.stdout.contains("is not signed by an authority bbx trusts"), "\(unknown.stdout)")
        #expect(unknown.stdout.contains("fix: if the server's certificate comes from a private authority"))
        let trusted = try await BBXProcess.launch(
            ["doctor", "acme/app", "--cacert", pki.authority], environment: environment)
        #expect(trusted.status == 0, "\(trusted.stdout)\(trusted.stderr)")
        // The doctor says which authorities it trusted: the file given, or the system's bundle.
        #expect(trusted.stdout.contains("; trusting the authorities in \(pki.authority)"), "\(trusted.stdout)")
    }
}
