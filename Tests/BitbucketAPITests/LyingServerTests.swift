import BBXTestSupport
import BitbucketAPI
import Foundation
import Testing

/// A server that lies about pagination, written in Python so that it shares nothing with the
/// emulator. Each request it answers is one line on its standard output.
@Suite("Client: a listing that does not end")
struct LyingServerTests {
    static let answer = #"""
        n = getattr(server, "count", 0)
        server.count = n + 1
        base = "http://127.0.0.1:%d/2.0/repositories/acme/app/downloads" % server.port
        if args[0] == "loop":
            return {"values": [{"name": "a.zip", "size": 1}], "next": base + "?page=2"}
        if args[0] == "empty":
            return {"values": [], "next": base + "?page=%d" % (n + 2)}
        return {"values": [{"name": "a%d.zip" % n, "size": 1}], "next": base + "?page=%d" % (n + 2)}
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
        let server = try await ScriptedServer.start(Self.answer, arguments: [example.mode])
        defer { server.stop() }
        var configuration = ClientConfiguration()
        configuration.baseURL = server.url
        configuration.credential = .accessToken(Secret("t0ken-lying"))
        let client = try BitbucketClient(configuration: configuration)
        let error = await bitbucketError { _ = try await client.artifacts(in: Harness.repository) }
        try await client.shutdown()
        #expect(
            error?.description.contains("the listing does not end: \(example.reason)") == true,
            "\(String(describing: error))")
        #expect(server.requests.count == example.requests)
    }
}

/// A listing read while another job writes: pages are numbered, so a delete between two page
/// reads shifts an artifact onto a page already read (it would be missed, and a plan could
/// overwrite it under `fail`), and an upload shifts one onto the next page (listed twice).
/// Python again, sharing nothing with the emulator; pages of two.
@Suite("Client: a listing that changes while it is read")
struct ShiftingListingTests {
    static let answer = #"""
        page = int(query.get("page", "1"))
        if page == 1:
            server.reads = getattr(server, "reads", 0) + 1
        first = server.reads == 1
        if args[0] == "delete":
            # x2 is deleted once page 1 of the first reading has been served.
            names = ["x3", "x2", "x1", "x0"] if first and page == 1 else ["x3", "x1", "x0"]
        elif args[0] == "always":
            names = ["x3", "x2", "x1", "x0"] if page == 1 else ["x3", "x1", "x0"]
        else:
            # "upload", and no `size`: y is uploaded once page 1 of the first reading was served.
            names = ["x3", "x2", "x1", "x0"] if first and page == 1 else ["y", "x3", "x2", "x1", "x0"]
        values = [{"name": n, "size": 1, "created_on": "2026-11-20T08:19:49.123456+00:00"}
                  for n in names[(page - 1) * 2:page * 2]]
        body = {"values": values, "pagelen": 2, "page": page}
        if args[0] != "upload":
            body["size"] = len(names)
        if page * 2 < len(names):
            body["next"] = "http://127.0.0.1:%d%s?pagelen=2&page=%d" % (server.port, path, page + 1)
        return body
        """#

    struct Case: Sendable, CustomTestStringConvertible {
        let mode: String
        /// The names listed in the end; nil when the listing is refused.
        let names: [String]?
        let requests: Int
        var testDescription: String { mode }
    }

    static let cases = [
        // Read once more, from the start: x1 (skipped the first time) is there, x2 is not.
        Case(mode: "delete", names: ["x3", "x1", "x0"], requests: 4),
        Case(mode: "upload", names: ["y", "x3", "x2", "x1", "x0"], requests: 6),
        // Never settles: refused after three readings rather than planned on.
        Case(mode: "always", names: nil, requests: 6),
    ]

    @Test(arguments: cases)
    func isReadAgainUntilItHoldsStill(_ example: Case) async throws {
        let server = try await ScriptedServer.start(Self.answer, arguments: [example.mode])
        defer { server.stop() }
        var configuration = ClientConfiguration()
        configuration.baseURL = server.url
        configuration.credential = .accessToken(Secret("t0ken-shifting"))
        let client = try BitbucketClient(configuration: configuration)
        var names: [String]?
        var error: (any Error)?
        do {
            names = try await client.artifacts(in: Harness.repository).map(\.name)
        } catch let failure {
            error = failure
        }
        try await client.shutdown()
        #expect(names == example.names, "\(String(describing: error))")
        if example.names == nil {
            #expect(
                "\(String(describing: error))".contains("kept changing while they were listed"),
                "\(String(describing: error))")
        }
        #expect(server.requests.count == example.requests, "\(server.requests)")
    }
}
