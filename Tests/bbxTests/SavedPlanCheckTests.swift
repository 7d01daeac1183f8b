import BBXPlan
import BBXTestSupport
import Foundation
import Testing

@testable import bbx

/// What `bbx apply` accepts of a plan file, checked on the plan itself.
@Suite("Saved plans: the checks of a plan file")
struct SavedPlanCheckTests {
    static let here = SourcePosition(file: "release.bbx", line: 3, column: 1)

    /// A plan whose linker value was already there holds a skipped Connect call, which names no
    /// repository; it was refused as "not a repository" before steps carried their action.
    @Test func aSkippedConnectCallIsAcceptedAndRoundTrips() throws {
        let plan = Plan(steps: [
            Step(
                .skip(.connect(request: "POST /2.0/addon/linkers/jira/values")),
                reason: "OPS is already a value of linker jira, skipped", source: Self.here),
            Step(.delete(Step.Delete(repository: "acme/app", name: "old.zip", size: 3)), source: Self.here),
        ])
        let saved = SavedPlan(
            plan: plan, url: "https://api.bitbucket.org", script: "release.bbx", directory: "/tmp", outputs: [])
        #expect(saved.validationProblem() == nil)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bbx-saved-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("plan.json").path
        try saved.write(to: path)
        #expect(try SavedPlan.read(path).plan == plan)
    }

    /// Each step's values are still checked by the rules a script's plan obeys.
    @Test(arguments: [
        (
            Step(
                .upload(Step.Upload(repository: "acme/app", name: "../x", localPath: "x", size: 1)), source: here),
            "plan.steps[0].name: '../x' cannot be an artifact's name"
        ),
        (
            Step(.download(Step.Download(repository: "acme/app", name: "a", localPath: "", size: 1)), source: here),
            "plan.steps[0].localPath is missing or not a path"
        ),
        (
            Step(.delete(Step.Delete(repository: "acme/app", name: "a", size: -1)), source: here),
            "plan.steps[0].size is negative"
        ),
    ])
    func stepsAreCheckedByTheScriptsRules(_ step: Step, _ problem: String) {
        let saved = SavedPlan(
            plan: Plan(steps: [step]), url: "https://api.bitbucket.org", script: "r.bbx", directory: "/tmp",
            outputs: [])
        #expect(saved.validationProblem()?.hasPrefix(problem) == true, "\(saved.validationProblem() ?? "nil")")
    }
}
