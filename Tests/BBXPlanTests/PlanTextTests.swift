import BBXPlan
import BBXTestSupport
import BitbucketModel
import Foundation
import SafeText
import Testing

/// The human plan, frozen as a golden file (`Golden/plan.txt`; re-record with `BBX_RECORD=1`).
@Suite("Plan text")
struct PlanTextTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/plan.txt")

    static func at(_ line: Int) -> SourcePosition { SourcePosition(file: "release.bbx", line: line, column: 1) }

    static let plan = Plan(steps: [
        Step(
            kind: .upload, repository: "acme/app", name: "app-1.4.0.zip", localPath: "build/app-1.4.0.zip",
            size: 12_900_000, source: at(4)),
        Step(
            kind: .replace, repository: "acme/app", name: "app-latest.tar.gz", localPath: "dist/app.tar.gz",
            size: 8_493_466, source: at(5)),
        Step(
            kind: .delete, repository: "acme/app", name: "app-1.0.0.zip", size: 900, reason: "prune keep 5",
            source: at(6)),
        Step(
            kind: .skip, repository: "acme/app", name: "notes.txt", localPath: "notes.txt", size: 10,
            reason: "exists, skipped", source: at(7)),
        Step(
            kind: .download, repository: "acme/web", name: "site.tgz", localPath: "out/site.tgz", size: 2048,
            source: at(9)),
        Step(
            kind: .connect, repository: nil, name: "PUT /2.0/addon", reason: "reload the registered descriptor",
            source: at(11), connect: .updateRegistered),
    ])

    @Test func humanPlanMatchesTheGoldenFile() {
        let actual = PlanText().render(Self.plan)
        let expected = Golden.expected(actual, at: Self.golden)
        #expect(actual == expected, "\(Golden.diff(expected: expected ?? "", actual: actual))")
    }

    @Test func colourOnlyWrapsTheText() {
        let colored = PlanText(colored: true).render(Self.plan)
        #expect(colored.contains("\u{1B}[32m"))
        let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == PlanText().render(Self.plan))
    }

    @Test(arguments: [
        (Int64(0), "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (1_048_575, "1.0 MiB"),
        (12_900_000, "12.3 MiB"), (1 << 30, "1.0 GiB"),
    ])
    func sizes(_ bytes: Int64, _ text: String) {
        #expect(formatBytes(bytes) == text)
    }

    @Test func totalsOfAnEmptyPlan() {
        #expect(PlanText.totals(Plan()) == "Plan: no changes.")
    }

    @Test func listTable() {
        let created = Date(timeIntervalSince1970: 1_790_000_000)
        // Newest first, to the second (two uploads in one minute are told apart); the same
        // second: the later name first, as prune ranks them.
        let table = artifactTable(
            [
                Artifact(name: "a.zip", size: 2048, created: created, downloads: 3),
                Artifact(name: "bb.tgz", size: 5, created: created),
                Artifact(name: "c.zip", size: 7, created: created.addingTimeInterval(7)),
            ],
            repository: "acme/app")
        #expect(
            table == """
                acme/app: 3 artifacts, newest first
                  NAME       SIZE  CREATED                  DOWNLOADS
                  c.zip       7 B  2026-09-21 14:13:27 UTC          0
                  bb.tgz      5 B  2026-09-21 14:13:20 UTC          0
                  a.zip   2.0 KiB  2026-09-21 14:13:20 UTC          3

                """)
    }

    /// A skipped download points the way the download goes (artifact → local file).
    @Test func aSkippedDownloadPointsLikeADownload() {
        let step = Step(
            kind: .skip, repository: "acme/app", name: "app.zip", localPath: "out/app.zip",
            reason: "out/app.zip exists, skipped", source: SourcePosition(file: "r.bbx", line: 2, column: 1),
            localConflict: .skip)
        #expect(PlanText.Row(step).what == "app.zip → out/app.zip")
        let upload = Step(
            kind: .skip, repository: "acme/app", name: "app.zip", localPath: "dist/app.zip", reason: "exists, skipped",
            source: SourcePosition(file: "r.bbx", line: 3, column: 1))
        #expect(PlanText.Row(upload).what == "dist/app.zip → app.zip")
    }
}
