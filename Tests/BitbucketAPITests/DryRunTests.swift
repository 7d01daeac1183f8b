import BBXTestSupport
import BitbucketAPI
import BitbucketModel
import Foundation
import Testing

/// In dry-run mode the client reads but refuses every change before it is sent: the one place
/// that makes "dry-run changes nothing" true.
@Suite("Client: dry-run refuses writes")
struct DryRunTests {
    @Test func readsWorkAndEveryWriteIsRefusedUnsent() async throws {
        try await withHarness { harness in
            try await harness.seed("app-1.zip", size: 2048)
            try await harness.clearRequests()
            let path = try harness.file("new.zip", size: 10)
            let repo = Harness.repository
            try await harness.withClient(.accessToken(Secret("write-token")), { $0.dryRun = true }) { client in
                #expect(try await client.artifacts(in: repo).map(\.name) == ["app-1.zip"])
                let copy = harness.folder.appendingPathComponent("copy.zip").path
                #expect(try await client.download("app-1.zip", from: repo, to: copy) == 2048)
                #expect(try await client.linkerValues("jira-keys").isEmpty)

                let writes: [(String, () async throws -> Void)] = [
                    (
                        "POST /2.0/repositories/acme/app/downloads",
                        { _ = try await client.upload([UploadFile(path: path, name: "new.zip")], to: repo) }
                    ),
                    (
                        "DELETE /2.0/repositories/acme/app/downloads/app-1.zip",
                        { try await client.delete("app-1.zip", from: repo) }
                    ),
                    ("PUT /2.0/addon", { try await client.updateApp(.refresh) }),
                    ("DELETE /2.0/addon", { try await client.deleteApp() }),
                    (
                        "POST /2.0/addon/linkers/jira-keys/values",
                        { try await client.addLinkerValue("jira-keys", value: "X") }
                    ),
                    (
                        "PUT /2.0/addon/linkers/jira-keys/values",
                        { try await client.replaceLinkerValues("jira-keys", with: ["X"]) }
                    ),
                    (
                        "DELETE /2.0/addon/linkers/jira-keys/values",
                        { try await client.deleteLinkerValues("jira-keys") }
                    ),
                    (
                        "DELETE /2.0/addon/linkers/jira-keys/values/1",
                        { try await client.deleteLinkerValue("jira-keys", id: 1) }
                    ),
                ]
                for (request, write) in writes {
                    do {
                        try await write()
                        Issue.record("\(request) was not refused")
                    } catch let error as BitbucketError {
                        #expect(error.description == "dry run: \(request) was not sent")
                    }
                }
            }
            // Nothing but reads reached the server, and the remote is as it was.
            let log = try await harness.requests()
            #expect(log.map(\.method).allSatisfy { $0 == "GET" })
            #expect(log.count == 4)
            #expect(try await harness.remote() == ["app-1.zip": 2048])
        }
    }
}
