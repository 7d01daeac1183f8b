import BBXEvaluate
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import Testing

/// Numbers and durations as release jobs pass them: text, from the environment or `--var`.
@Suite("Numbers and durations from the environment")
struct CIValuesTests {
    let remote = ["acme/app": (1...6).map { artifact("app-\($0).zip", daysOld: Double($0) * 10) }]

    @Test(arguments: [
        (
            "keep env(\"KEEP\", \"5\")", ["KEEP": "2"],
            ["delete app-6.zip", "delete app-5.zip", "delete app-4.zip", "delete app-3.zip"]
        ),
        ("keep env(\"KEEP\", \"5\")", [:], ["delete app-6.zip"]),
        ("older than env(\"AGE\", \"30d\")", ["AGE": "45d"], ["delete app-6.zip", "delete app-5.zip"]),
        ("older than env(\"AGE\")", ["AGE": "6w 1d"], ["delete app-6.zip", "delete app-5.zip"]),
        ("keep \"3\" older than \"29d 15h\"", [:], ["delete app-6.zip", "delete app-5.zip", "delete app-4.zip"]),
    ])
    func textThatReadsAsANumberOrADuration(_ clause: String, _ environment: [String: String], _ expected: [String])
        async
    {
        let result = await plan("use acme/app\nprune \"app-*\" \(clause)", remote: remote, environment: environment)
        #expect(result.error == nil, "\(String(describing: result.error?.diagnostic.message))")
        #expect(summary(result.plan) == expected)
    }

    @Test(arguments: [
        ("keep env(\"KEEP\")", ["KEEP": "five"], "expected a whole number, found the text \"five\""),
        (
            "older than env(\"AGE\")", ["AGE": "14 days"],
            "expected a duration such as 30d or 2w 3d, found the text \"14 days\""
        ),
        ("keep env(\"KEEP\")", ["KEEP": "-1"], "expected a whole number, found the text \"-1\""),
    ])
    func textThatDoesNotIsAClearError(_ clause: String, _ environment: [String: String], _ message: String) async {
        let result = await plan("use acme/app\nprune \"app-*\" \(clause)", remote: remote, environment: environment)
        #expect(result.error?.diagnostic.message == message)
    }

    /// Durations print in the largest units that fit, and read back as they print.
    @Test(arguments: [
        (2_561_125, "29d 15h 25m"), (90, "1m 30s"), (0, "0s"), (86_400, "1d"), (1_209_600, "14d"), (3_725, "1h 2m 5s"),
    ])
    func durationsPrintAsPeopleReadThem(_ seconds: Int, _ text: String) {
        #expect(describeDuration(seconds: seconds) == text)
        let back = parseDuration(text)
        #expect(back != nil)
        #expect(back == seconds || text.split(separator: " ").count == 3, "three units may round: \(text)")
    }

    @Test func anArtifactsAgePrintsInUnits() async {
        let result = await plan(
            "use acme/app\nfor a in artifacts(\"app-1.zip\") { print a.age }",
            remote: ["acme/app": [Artifact(name: "app-1.zip", size: 1, created: now.addingTimeInterval(-2_561_125))]])
        #expect(result.output == ["29d 15h 25m"])
    }

    /// Equal creation times: the newer release is the one whose number is larger.
    @Test func tiesGoByNaturalOrder() async {
        let same = now.addingTimeInterval(-86_400)
        let names = ["app-9.zip", "app-10.zip", "app-2.zip", "app-100.zip"]
        let result = await plan(
            "use acme/app\nprune \"app-*\" keep 2",
            remote: ["acme/app": names.map { Artifact(name: $0, size: 1, created: same) }])
        #expect(summary(result.plan) == ["delete app-2.zip", "delete app-9.zip"])
        #expect(naturallyBefore("app-9", "app-10"))
        #expect(!naturallyBefore("app-10", "app-9"))
        #expect(naturallyBefore("a", "b"))
    }

    @Test(arguments: ["keep 0", "older than 0s", "keep 0 older than 0s"])
    func aPruneThatDeletesEverythingSaysSo(_ rule: String) async {
        let result = await plan("use acme/app\nprune \"app-*\" \(rule)", remote: remote)
        #expect(result.plan?.steps.count == 6)
        #expect(
            result.plan?.notes?.contains { $0.contains("deletes every artifact matching 'app-*' in acme/app") } == true)
    }
}
