import BBXPlan
import BBXTestSupport
import BitbucketModel
import Foundation
import Testing

@Suite("Plan data")
struct PlanTests {
    let here = SourcePosition(file: "release.bbx", line: 4, column: 1)

    @Test func totalsCountEachKindAndTheBytesToMove() {
        let plan = Plan(steps: [
            Step(
                kind: .upload, repository: "acme/app", name: "a.zip", localPath: "build/a.zip", size: 100, source: here),
            Step(
                kind: .replace, repository: "acme/app", name: "b.zip", localPath: "build/b.zip", size: 50, source: here),
            Step(kind: .skip, repository: "acme/app", name: "c.zip", reason: "exists", source: here),
            Step(
                kind: .delete, repository: "acme/app", name: "old.zip", size: 70, reason: "prune keep 5", source: here),
            Step(
                kind: .download, repository: "acme/app", name: "d.zip", localPath: "out/d.zip", size: 30, source: here),
        ])
        let totals = plan.totals
        #expect(totals.uploads == 1)
        #expect(totals.replacements == 1)
        #expect(totals.skipped == 1)
        #expect(totals.deletions == 1)
        #expect(totals.downloads == 1)
        #expect(totals.bytesToSend == 150)
        #expect(totals.bytesToReceive == 30)
        #expect(plan.hasChanges)
    }

    @Test func onlySkipsIsNoChange() {
        let plan = Plan(steps: [Step(kind: .skip, repository: "acme/app", name: "c.zip", source: here)])
        #expect(!plan.hasChanges)
        #expect(!Plan().hasChanges)
    }

    /// Every kind of step, the skipped Connect call too, goes through JSON in the flat shape
    /// (`kind`, `repository`, `name`, …) and comes back as the same action.
    @Test func everyActionSurvivesTheFlatJSONShape() throws {
        let plan = Plan(steps: [
            Step(
                .upload(Step.Upload(repository: "acme/app", name: "a.zip", localPath: "b/a.zip", size: 1)),
                source: here),
            Step(
                .replace(Step.Upload(repository: "acme/app", name: "b.zip", localPath: "b/b.zip", size: 2)),
                source: here),
            Step(.delete(Step.Delete(repository: "acme/app", name: "c.zip", size: 3)), source: here),
            Step(
                .download(
                    Step.Download(
                        repository: "acme/app", name: "d.zip", localPath: "out/d.zip", size: 4, localConflict: .skip)),
                source: here),
            Step(
                .skip(.delete(Step.Delete(repository: "acme/app", name: "e.zip", size: nil))), reason: "not there",
                source: here),
            Step(.skip(.connect(request: "POST /2.0/addon/linkers/jira/values")), source: here),
            Step(.connect(.updateRegistered), source: here),
        ])
        let data = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(Plan.self, from: data) == plan)
        let steps = try #require(
            (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(
            steps.map { $0["kind"] as? String } == [
                "upload", "replace", "delete", "download", "skip", "skip", "connect",
            ])
        #expect(steps.map { $0["repository"] != nil } == [true, true, true, true, true, false, false])
        #expect(steps[6]["name"] as? String == "PUT /2.0/addon")
    }

    /// A step read from JSON without what its kind needs is refused where it is missing.
    @Test(arguments: [
        (
            #"{"kind":"upload","name":"a.zip","localPath":"a.zip","source":{"file":"r","line":1,"column":1}}"#,
            "repository"
        ),
        (#"{"kind":"connect","name":"PUT /2.0/addon","source":{"file":"r","line":1,"column":1}}"#, "connect"),
        (
            #"{"kind":"delete","repository":"acme","name":"a.zip","source":{"file":"r","line":1,"column":1}}"#,
            "repository"
        ),
    ])
    func aStepMissingWhatItsKindNeedsIsRefused(_ json: String, _ field: String) {
        do {
            _ = try JSONDecoder().decode(Step.self, from: Data(json.utf8))
            Issue.record("decoded \(json)")
        } catch let DecodingError.keyNotFound(key, _) {
            #expect(key.stringValue == field)
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.last?.stringValue == field)
        } catch {
            Issue.record("\(error)")
        }
    }

    /// Which steps a credential cannot run, from what the listing's headers said it holds.
    @Test func aCredentialWithoutWriteRefusesTheStepsThatChangeDownloads() {
        let deletes = (1...6).map {
            Step(.delete(Step.Delete(repository: "acme/app", name: "old-\($0).zip", size: 1)), source: here)
        }
        let plan = Plan(
            steps: [
                Step(
                    .download(Step.Download(repository: "acme/web", name: "d.zip", localPath: "d.zip", size: 1)),
                    source: here)
            ] + deletes)
        let reader = CredentialGrant(type: "repo_access_token", scopes: ["repository"])
        let writer = CredentialGrant(type: "repo_access_token", scopes: ["repository", "repository:write"])
        #expect(plan.credentialProblem { _ in nil } == nil, "unknown: nothing refused")
        #expect(plan.credentialProblem { _ in writer } == nil)
        #expect(
            plan.credentialProblem { _ in reader }
                == "the credential cannot change acme/app's Downloads: delete old-1.zip (release.bbx:4), delete old-2.zip (release.bbx:4), delete old-3.zip (release.bbx:4), delete old-4.zip (release.bbx:4), delete old-5.zip (release.bbx:4) and 1 more need repository:write; the credential (repo_access_token) holds repository"
        )
        // An API token's write scope does not include read, and read does not include write.
        let apiReader = CredentialGrant(type: "api_token", scopes: ["read:repository:bitbucket"])
        #expect(plan.credentialProblem { _ in apiReader }?.contains("need write:repository:bitbucket") == true)
        #expect(CredentialGrant(type: "api_token", scopes: ["write:repository:bitbucket"]).canWrite)
        #expect(CredentialGrant(type: nil, scopes: nil) == nil)
        // An empty list is no ground for a refusal; scopes Bitbucket says imply write count.
        #expect(CredentialGrant(type: "repo_access_token", scopes: " , ") == nil)
        #expect(CredentialGrant(type: "repo_access_token", scopes: "pullrequest:write")?.canWrite == true)
        #expect(CredentialGrant(type: "repo_access_token", scopes: "repository:delete, repository")?.canWrite == false)
    }

    /// Names come from the server: in the refusal they are escaped for the terminal.
    @Test func aRefusalEscapesTheNamesItQuotes() throws {
        let name = "old 1 #2 %41\u{1B}[31m.zip"
        let plan = Plan(steps: [Step(.delete(Step.Delete(repository: "acme/app", name: name, size: 1)), source: here)])
        let message = try #require(
            plan.credentialProblem { _ in CredentialGrant(type: "repo_access_token", scopes: ["repository"]) })
        #expect(message.contains("delete old 1 #2 %41"))
        #expect(!message.contains("\u{1B}"))
    }

    @Test func aPlanSurvivesJSON() throws {
        let plan = Plan(steps: [
            Step(
                kind: .delete, repository: "acme/app", name: "old zip #1.zip", size: 70, reason: "prune older than 30d",
                source: here)
        ])
        let data = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(Plan.self, from: data) == plan)
        #expect(String(decoding: data, as: UTF8.self).contains(#""kind":"delete""#))
    }
}
