import BBXTestSupport
import Foundation
import Testing

@testable import BitbucketEmulator

/// The Downloads endpoints over real HTTP, driven by curl as Atlassian's documentation does.
@Suite("Emulator: Downloads")
struct DownloadsTests {
    static let auth = ["-H", "Authorization: Bearer token-1"]

    static func start(_ configure: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> RunningEmulator {
        try await RunningEmulator.start { configuration in
            configuration.repositories = ["acme/app"]
            configuration.tokens = [AccessToken(token: "token-1")]
            configuration.apiTokens = [APITokenCredential(email: "dev@example.com", apiToken: "api-token")]
            configure(&configuration)
        }
    }

    @Test func theDocumentedCurlCommandsWork() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "Hello, Bitbucket!\n".write(
            to: folder.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        let downloads = emulator.downloads("acme/app")

        // curl -X POST …/downloads -F files=@hello.txt
        let upload = try await Curl.run(Self.auth + ["-X", "POST", downloads, "-F", "files=@hello.txt"], in: folder)
        #expect(upload.status == 201)

        // curl -s -L …/downloads/hello.txt: curl follows the 302 and drops Authorization itself.
        let download = try await Curl.run(Self.auth + ["-s", "-L", "\(downloads)/hello.txt"])
        #expect(download.status == 200)
        #expect(download.text == "Hello, Bitbucket!\n")
        #expect(download.headers["content-disposition"] == "attachment; filename=\"hello.txt\"")
        #expect(download.headers["content-length"] == "18")

        let list = try await Curl.run(Self.auth + [downloads])
        let values = (list.json as? [String: Any])?["values"] as? [[String: Any]] ?? []
        #expect(values.count == 1)
        let slash = try await Curl.run(Self.auth + [downloads + "/"])
        #expect(((slash.json as? [String: Any])?["values"] as? [Any])?.count == 1)
        let artifact = values.first ?? [:]
        #expect(artifact["type"] as? String == "download")
        #expect(artifact["name"] as? String == "hello.txt")
        #expect(artifact["size"] as? Int == 18)
        #expect(artifact["downloads"] as? Int == 1)
        #expect((artifact["user"] as? [String: Any])?["uuid"] is String)
        #expect(
            ((artifact["links"] as? [String: Any])?["self"] as? [String: Any])?["href"] as? String
                == "\(downloads)/hello.txt")
        // created_on as Bitbucket writes it: microseconds and an offset.
        let created = artifact["created_on"] as? String ?? ""
        #expect(
            created.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$"#, options: .regularExpression) != nil)

        // The documentation's form, with the credentials in the URL (Basic; curl keeps them from
        // the storage host it is redirected to).
        let inURL = downloads.replacingOccurrences(of: "http://", with: "http://dev%40example.com:api-token@")
        #expect(try await Curl.run(["-X", "POST", inURL, "-F", "files=@hello.txt"], in: folder).status == 201)
        #expect(try await Curl.run(["-s", "-L", "\(inURL)/hello.txt"]).text == "Hello, Bitbucket!\n")

        let delete = try await Curl.run(Self.auth + ["-X", "DELETE", "\(downloads)/hello.txt"])
        #expect(delete.status == 204)
        #expect(try await Curl.run(Self.auth + ["-X", "DELETE", "\(downloads)/hello.txt"]).status == 404)
    }

    @Test func paginationIsWalkedThroughNext() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        for day in 1...25 {
            let seeded = try await Curl.admin(
                "POST", "\(emulator.api)/_emulator/artifacts",
                json:
                    #"{"repo":"acme/app","name":"build-\#(day).zip","size":\#(day),"created_on":"2026-01-\#(String(format: "%02d", day))T00:00:00+00:00"}"#
            )
            #expect(seeded.status == 201)
        }
        var names: [String] = []
        var url: String? = emulator.downloads("acme/app") + "?pagelen=10"
        var pages = 0
        var sawPrevious = false
        while let next = url {
            let page = try await Curl.run(Self.auth + [next])
            #expect(page.status == 200)
            let body = page.json as? [String: Any] ?? [:]
            names += (body["values"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            sawPrevious = sawPrevious || body["previous"] is String
            #expect(body["size"] as? Int == 25)
            url = body["next"] as? String
            pages += 1
        }
        #expect(pages == 3)
        #expect(sawPrevious)
        // Newest first.
        #expect(names == (1...25).reversed().map { "build-\($0).zip" })

        #expect(
            try await Curl.run(Self.auth + [emulator.downloads("acme/app") + "?pagelen=101"]).errorMessage
                == "Invalid pagelen")
        #expect(try await Curl.run(Self.auth + [emulator.downloads("acme/app") + "?pagelen=0"]).status == 400)
        let defaultPage = try await Curl.run(Self.auth + [emulator.downloads("acme/app")]).json as? [String: Any]
        #expect(defaultPage?["pagelen"] as? Int == 10)
    }

    @Test(arguments: ["my file #1 %.zip", "ünïcødé ✓.tar.gz", "a+b&c=d;e.bin", "100%.zip"])
    func oddNamesRoundTrip(_ name: String) async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let content = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try content.write(to: folder.appendingPathComponent("payload"))
        let quoted = name.replacingOccurrences(of: "\"", with: "\\\"")
        let upload = try await Curl.run(
            Self.auth + ["-X", "POST", emulator.downloads("acme/app"), "-F", "files=@payload;filename=\"\(quoted)\""],
            in: folder)
        #expect(upload.status == 201)
        let list = try await Curl.run(Self.auth + [emulator.downloads("acme/app")]).json as? [String: Any]
        #expect(((list?["values"] as? [[String: Any]])?.first?["name"] as? String) == name)
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        let download = try await Curl.run(Self.auth + ["-L", "\(emulator.downloads("acme/app"))/\(encoded)"])
        #expect(download.status == 200)
        #expect(download.body == content)
    }

    @Test func spacesBecomeUnderscoresWhenAsked() async throws {
        let emulator = try await Self.start { $0.underscoreSpaces = true }
        defer { Task { await emulator.stop() } }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("a b.zip"))
        _ = try await Curl.run(
            Self.auth + ["-X", "POST", emulator.downloads("acme/app"), "-F", "files=@a b.zip"], in: folder)
        let list = try await Curl.run(Self.auth + [emulator.downloads("acme/app")]).json as? [String: Any]
        #expect(((list?["values"] as? [[String: Any]])?.first?["name"] as? String) == "a_b.zip")
    }

    @Test func severalFilesInOneRequestAndReplaceByName() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in [("a.zip", "first a"), ("b.zip", "b"), ("c.zip", "c")] {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let upload = try await Curl.run(
            Self.auth + [
                "-X", "POST", emulator.downloads("acme/app"), "-F", "files=@a.zip", "-F", "files=@b.zip", "-F",
                "note=ignored", "-F", "files=@c.zip",
            ],
            in: folder)
        #expect(upload.status == 201)
        try "second a, longer".write(to: folder.appendingPathComponent("a.zip"), atomically: true, encoding: .utf8)
        _ = try await Curl.run(
            Self.auth + ["-X", "POST", emulator.downloads("acme/app"), "-F", "files=@a.zip"], in: folder)
        let values =
            (try await Curl.run(Self.auth + [emulator.downloads("acme/app")]).json as? [String: Any])?["values"]
            as? [[String: Any]] ?? []
        #expect(Set(values.compactMap { $0["name"] as? String }) == ["a.zip", "b.zip", "c.zip"])
        #expect(values.first { $0["name"] as? String == "a.zip" }?["size"] as? Int == 16)
        #expect(
            try await Curl.run(Self.auth + ["-L", "\(emulator.downloads("acme/app"))/a.zip"]).text == "second a, longer"
        )
    }

    @Test func expectContinueIsAnswered() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(count: 2 << 20).write(to: folder.appendingPathComponent("big.bin"))
        let upload = try await Curl.run(
            Self.auth + [
                "-v", "-H", "Expect: 100-continue", "-X", "POST", emulator.downloads("acme/app"), "-F",
                "files=@big.bin",
            ],
            in: folder)
        #expect(upload.status == 201)
        #expect(upload.stderr.contains("HTTP/1.1 100 Continue"))
    }

    /// Every answer to a credential says what kind it is, the scopes it holds and those the
    /// endpoint accepts, in that credential's words.
    @Test(arguments: [
        (
            ["-H", "Authorization: Bearer token-1"], "GET", "repo_access_token", "repository, repository:write",
            "repository"
        ),
        (["-H", "Authorization: Bearer reader"], "GET", "repo_access_token", "repository", "repository"),
        (["-H", "Authorization: Bearer reader"], "DELETE", "repo_access_token", "repository", "repository:write"),
        (
            ["-u", "dev@example.com:api-token"], "GET", "api_token",
            "read:repository:bitbucket, write:repository:bitbucket",
            "read:repository:bitbucket"
        ),
    ])
    func answersNameTheCredentialsScopes(
        _ credential: [String], _ method: String, _ type: String, _ held: String, _ accepted: String
    ) async throws {
        let emulator = try await Self.start {
            $0.tokens.append(AccessToken(token: "reader", scopes: .read))
        }
        defer { Task { await emulator.stop() } }
        let url = emulator.downloads("acme/app") + (method == "GET" ? "" : "/x.zip")
        let result = try await Curl.run(credential + ["-X", method, url])
        #expect(result.status == (method == "GET" ? 200 : 403))
        #expect(result.headers["x-credential-type"] == type)
        #expect(result.headers["x-oauth-scopes"] == held)
        #expect(result.headers["x-accepted-oauth-scopes"] == accepted)
    }

    @Test func storageServesRangesAndRefusesAuthorizationAndBadLinks() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        _ = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"r.bin","size":1000}"#)
        let redirect = try await Curl.run(Self.auth + ["\(emulator.downloads("acme/app"))/r.bin"])
        #expect(redirect.status == 302)
        let location = try #require(redirect.headers["location"])
        #expect(location.hasPrefix(emulator.storage + "/"))
        let expected = SeedContent.bytes(name: "r.bin", size: 1000)

        let whole = try await Curl.run([location])
        #expect(whole.body == Data(expected))
        let part = try await Curl.run(["-H", "Range: bytes=100-199", location])
        #expect(part.status == 206)
        #expect(part.headers["content-range"] == "bytes 100-199/1000")
        #expect(part.body == Data(expected[100...199]))
        let resume = try await Curl.run(["-H", "Range: bytes=990-", location])
        #expect(resume.body == Data(expected[990...]))
        #expect(try await Curl.run(["-H", "Range: bytes=5000-", location]).status == 416)

        let withAuth = try await Curl.run(Self.auth + [location])
        #expect(withAuth.status == 400)
        #expect(withAuth.text.contains("<Code>InvalidArgument</Code>"))
        #expect(withAuth.text.contains("Only one auth mechanism allowed"))

        #expect(withAuth.text.contains("<ArgumentName>Authorization</ArgumentName>"))
        #expect(withAuth.text.contains("<ArgumentValue>Bearer token-1</ArgumentValue>"))

        let tampered = location.replacingOccurrences(of: "Signature=", with: "Signature=0")
        #expect(try await Curl.run([tampered]).status == 403)
    }

    /// The link looks like S3's, and breaks like it when a client re-encodes or decodes it.
    @Test func storageLinksAreShapedLikeS3s() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        // A name whose disposition and signature need escaping.
        _ = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/artifacts",
            json: #"{"repo":"acme/app","name":"app 1.0 #2.zip","size":10}"#)
        let redirect = try await Curl.run(Self.auth + ["\(emulator.downloads("acme/app"))/app%201.0%20%232.zip"])
        let location = try #require(redirect.headers["location"])
        let pattern =
            #"^http://[^/]+/[0-9a-f-]{36}/downloads/[0-9A-F-]{36}/app%201.0%20%232.zip\?Signature=[A-Za-z0-9%]+&Expires=\d+&AWSAccessKeyId=[A-Z0-9]+&versionId=[A-Za-z0-9_-]+&response-content-disposition=attachment%3B%20filename%3D%22app%201.0%20%232.zip%22$"#
        #expect(location.range(of: pattern, options: .regularExpression) != nil, "\(location)")
        let fetched = try await Curl.run([location])
        #expect(fetched.status == 200)
        #expect(fetched.headers["content-disposition"] == "attachment; filename=\"app 1.0 #2.zip\"")

        // The base64 signature holds + / =, sent as %2B %2F %3D: a `+` sent as it is reads as a
        // space, and an escape encoded twice is another value; both fail, as on S3. Enough seeds
        // make sure some signature holds a `+`.
        var checked = 0
        for index in 0..<40 where checked < 2 {
            let name = "sig-\(index).bin"
            _ = try await Curl.admin(
                "POST", "\(emulator.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"\#(name)","size":1}"#)
            let link = try #require(
                try await Curl.run(Self.auth + ["\(emulator.downloads("acme/app"))/\(name)"]).headers["location"])
            guard link.contains("%2B") else { continue }
            let decoded = link.replacingOccurrences(of: "%2B", with: "+")
            let twice = link.replacingOccurrences(of: "%2B", with: "%252B")
            #expect(try await Curl.run([link]).status == 200)
            #expect(try await Curl.run([decoded]).status == 403, "\(link)")
            #expect(try await Curl.run([twice]).status == 403)
            checked += 1
        }
        #expect(checked > 0)
    }

    /// If-Range: the rest of the same version, or the whole of a new one; odd Range headers get
    /// the whole object, as S3 answers them.
    @Test func storageHonoursIfRangeAndAnswersOddRangesWhole() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let seed = #"{"repo":"acme/app","name":"v.bin","size":100}"#
        _ = try await Curl.admin("POST", "\(emulator.api)/_emulator/artifacts", json: seed)
        let first = try await Curl.run(Self.auth + ["-L", "\(emulator.downloads("acme/app"))/v.bin"])
        let etag = try #require(first.headers["etag"])
        let same = try await Curl.run(
            Self.auth + [
                "-L", "-H", "Range: bytes=50-", "-H", "If-Range: \(etag)", "\(emulator.downloads("acme/app"))/v.bin",
            ])
        #expect(same.status == 206)
        #expect(same.body.count == 50)

        // Replaced: same name, new bytes, new ETag; the old ETag gets the whole new version.
        _ = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"v.bin","size":120}"#)
        let replaced = try await Curl.run(
            Self.auth + [
                "-L", "-H", "Range: bytes=50-", "-H", "If-Range: \(etag)", "\(emulator.downloads("acme/app"))/v.bin",
            ])
        #expect(replaced.status == 200)
        #expect(replaced.body.count == 120)
        #expect(replaced.headers["etag"] != etag)

        for header in ["Range: bytes=0-1,5-9", "Range: items=0-5", "Range: bytes=abc"] {
            let answer = try await Curl.run(
                Self.auth + ["-L", "-H", header, "\(emulator.downloads("acme/app"))/v.bin"])
            #expect(answer.status == 200, "\(header)")
            #expect(answer.body.count == 120, "\(header)")
        }
        let beyond = try await Curl.run(
            Self.auth + ["-L", "-H", "Range: bytes=500-", "\(emulator.downloads("acme/app"))/v.bin"])
        #expect(beyond.status == 416)
    }

    @Test func expiredLinksAreRefused() async throws {
        let emulator = try await Self.start { $0.storageLinkLifetime = -5 }
        defer { Task { await emulator.stop() } }
        _ = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"old.bin","size":10}"#)
        let expired = try await Curl.run(Self.auth + ["-L", "\(emulator.downloads("acme/app"))/old.bin"])
        #expect(expired.status == 403)
        #expect(expired.text.contains("Request has expired"))
    }

    @Test func repositoriesAnswerByUUIDToo() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        _ = try await Curl.admin(
            "POST", "\(emulator.api)/_emulator/artifacts", json: #"{"repo":"acme/app","name":"u.bin","size":3}"#)
        let workspace = RepositoryIdentity.uuid(of: "acme")
        let repository = RepositoryIdentity.uuid(of: "acme/app")
        for path in ["\(workspace)/\(repository)", "acme/\(repository)", "ACME/App"] {
            let encoded = path.replacingOccurrences(of: "{", with: "%7B").replacingOccurrences(of: "}", with: "%7D")
            let list = try await Curl.run(Self.auth + [emulator.downloads(encoded)])
            #expect(list.status == 200, "\(path)")
            #expect(((list.json as? [String: Any])?["values"] as? [Any])?.count == 1, "\(path)")
        }
    }

    @Test func manyUploadsAndListsAtOnceStayConsistent() async throws {
        let emulator = try await Self.start()
        defer { Task { await emulator.stop() } }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 16
        for i in 0..<count {
            try Data(repeating: UInt8(i), count: 100_000 + i).write(to: folder.appendingPathComponent("f\(i).bin"))
        }
        let downloads = emulator.downloads("acme/app")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<count {
                group.addTask {
                    try await Curl.run(Self.auth + ["-X", "POST", downloads, "-F", "files=@f\(i).bin"], in: folder)
                        .status
                }
                group.addTask { try await Curl.run(Self.auth + [downloads + "?pagelen=100"]).status }
            }
            for try await status in group { #expect(status == 201 || status == 200) }
        }
        let values =
            (try await Curl.run(Self.auth + [downloads + "?pagelen=100"]).json as? [String: Any])?["values"]
            as? [[String: Any]] ?? []
        #expect(values.count == count)
        for value in values {
            let name = value["name"] as? String ?? ""
            let index = Int(name.dropFirst().dropLast(4)) ?? -1
            #expect(value["size"] as? Int == 100_000 + index)
        }
        // Downloads in parallel are byte-identical.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<count {
                group.addTask {
                    try await Curl.run(Self.auth + ["-L", "\(downloads)/f\(i).bin"]).body
                        == Data(repeating: UInt8(i), count: 100_000 + i)
                }
            }
            for try await same in group { #expect(same) }
        }
    }
}
