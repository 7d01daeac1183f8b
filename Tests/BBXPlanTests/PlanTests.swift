import BBXPlan
import BBXTestSupport
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
