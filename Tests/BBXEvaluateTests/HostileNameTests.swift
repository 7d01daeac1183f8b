import BBXEvaluate
import BBXPlan
import BitbucketModel
import Testing

/// Artifact names come from any server bbx is pointed at, and from anyone with a write token.
@Suite("Hostile artifact names")
struct HostileNameTests {
    static let unsafe = [
        "../evil1.txt", "../../evil2.txt", "/etc/evil", "nonexist/../existing.txt", "a\u{0}b", "..", ".", "",
        "back\\slash", "line\nbreak", String(repeating: "n", count: 256),
    ]

    @Test(arguments: unsafe)
    func aNameThatCannotBeAFileNameNeverBecomesAPath(_ name: String) async {
        let remote = ["acme/app": [artifact("ok.zip", daysOld: 1), artifact(name, daysOld: 1)]]
        let result = await plan("use acme/app\ndownload \"*\" to \"out/\"", remote: remote)
        #expect(result.plan == nil)
        #expect(result.error?.diagnostic.id == .unsafeArtifactName)
        #expect(result.error?.diagnostic.message.contains("cannot be a local file name") == true)
        #expect(result.error?.diagnostic.message.contains("to \"FILE\"") == true)
    }

    @Test func aSingleSuchArtifactMayBeGivenALocalName() async {
        let remote = ["acme/app": [artifact("../evil.txt", daysOld: 1)]]
        let named = await plan("use acme/app\ndownload \"*evil*\" to \"out/evil.txt\"", remote: remote)
        #expect(named.error == nil, "\(String(describing: named.error?.diagnostic.message))")
        #expect(named.plan?.steps.map(\.localPath) == ["out/evil.txt"])
        #expect(named.plan?.steps.map(\.name) == ["../evil.txt"])
        // Into a folder it is still refused, with the hint.
        let folder = await plan("use acme/app\ndownload \"*evil*\" to \"out/\"", remote: remote)
        #expect(folder.error?.diagnostic.message.contains("give it a local name with 'to \"FILE\"'") == true)
    }

    @Test func safeNamesWithSpacesAndSymbolsDownloadAsThey() async {
        let names = ["my file.zip", "100%.zip", "#1.zip", "'q'.zip", "名前.zip", "ünï.zip"]
        let remote = ["acme/app": names.map { artifact($0, daysOld: 1) }]
        let result = await plan("use acme/app\ndownload \"*\" to \"out\"", remote: remote)
        #expect(result.error == nil)
        #expect(Set(result.plan?.steps.compactMap(\.localPath) ?? []) == Set(names.map { "out/" + $0 }))
    }

    @Test(arguments: [".", "..", "a/b", "a\nb", "x\u{1B}[2K"])
    func uploadNamesAreCheckedToo(_ name: String) async {
        let result = await plan(
            "use acme/app\nlet n = \"\(name.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\u{1B}", with: ""))\"\nupload \"dist/app.zip\" as n",
            files: ["dist/app.zip": 7])
        if name.contains("\u{1B}") {
            // The escape itself cannot be written in a script; what is left is a fine name.
            #expect(result.error == nil)
        } else {
            #expect(result.error?.diagnostic.id == .invalidArtifactName, "\(name)")
        }
    }

    @Test func aLocalFileWhoseNameCannotBeAnArtifactNeedsAs() async {
        let result = await plan("use acme/app\nupload \"build/*\"", files: ["build/a\nb.zip": 5])
        #expect(result.error?.diagnostic.id == .invalidArtifactName)
        #expect(result.error?.diagnostic.message.contains("'as \"NAME\"'") == true)
    }

    @Test(arguments: [
        "BITBUCKET_TOKEN", "BITBUCKET_API_TOKEN", "BITBUCKET_APP_PASSWORD", "BITBUCKET_CONNECT_SHARED_SECRET",
        "HTTPS_PROXY",
    ])
    func scriptsCannotReadCredentials(_ variable: String) async {
        for script in [
            "print env(\"\(variable)\")", "print env(\"\(variable)\", \"x\")",
            "if env(\"\(variable)\") matches \"tokS*\" { print \"yes\" }",
        ] {
            let result = await plan(script, environment: [variable: "tokSecret123"])
            #expect(result.error?.diagnostic.id == .credentialEnv, "\(script)")
            #expect(result.error?.diagnostic.message.contains(variable) == true)
            #expect(result.output.isEmpty)
        }
        let other = await plan("print env(\"VERSION\")", environment: ["VERSION": "1.4"])
        #expect(other.output == ["1.4"])
    }
}

@Suite("Artifacts whose age is unknown")
struct UnknownAgeTests {
    /// A missing or unreadable `created_on` used to read as 1970 and be pruned by age: an
    /// unknown age is never old enough, and does not count among the kept.
    @Test(arguments: ["prune \"*\" older than 1d", "prune \"*\" keep 1", "prune \"*\" keep 1 older than 1d"])
    func neverPrunedAndTheCountIsSaid(_ statement: String) async {
        let unknown = Artifact(name: "mystery.zip", size: 1, created: .distantFuture, createdOn: "not a time")
        let remote = ["acme/app": [unknown, artifact("a.zip", daysOld: 3), artifact("b.zip", daysOld: 2)]]
        let result = await plan("use acme/app\n\(statement)", remote: remote)
        #expect(result.error == nil)
        #expect(!summary(result.plan).contains("delete mystery.zip"))
        #expect(summary(result.plan).contains("delete a.zip"), "\(summary(result.plan))")
        #expect(
            result.plan?.notes?.first?.contains("1 artifact matching '*' in acme/app has no readable creation time")
                == true)
        #expect(PlanText().render(result.plan!).contains("note: 1 artifact matching '*'"))
    }
}

/// Bitbucket stores some names otherwise than sent: spaces become `_`. An upload of
/// `my file.zip` then replaces `my_file.zip`, and the plan judges conflicts, deletes and what
/// `prune` spares by that.
@Suite("Names as Bitbucket stores them")
struct StoredNameTests {
    let remote = ["acme/app": [artifact("my_app-latest.zip", daysOld: 3), artifact("my_app-1.zip", daysOld: 5)]]
    let files: [String: Int64] = ["dist/my app-latest.zip": 7]

    @Test func aRerunUnderFailIsAConflict() async {
        let result = await plan("use acme/app\nupload \"dist/my app-latest.zip\"", remote: remote, files: files)
        #expect(result.error?.diagnostic.id == .conflict)
        #expect(
            result.error?.diagnostic.message.contains(
                "'my app-latest.zip' already exists in acme/app (stored as 'my_app-latest.zip')")
                == true)
    }

    @Test func replaceSaysWhatItReplacesAndPruneSparesIt() async {
        let result = await plan(
            "use acme/app\nupload \"dist/my app-latest.zip\" on conflict replace\nprune \"*latest*\" keep 1",
            remote: remote, files: files)
        #expect(result.error == nil)
        #expect(summary(result.plan) == ["replace my app-latest.zip"], "the just-uploaded artifact is not pruned")
        #expect(result.plan?.steps.first?.reason == "stored as my_app-latest.zip")
        #expect(PlanText().render(result.plan!).contains("7 B (stored as my_app-latest.zip)"))
    }

    @Test func deleteFindsTheStoredForm() async {
        let result = await plan("use acme/app\ndelete \"my app-1.zip\"", remote: remote)
        #expect(summary(result.plan) == ["delete my_app-1.zip"])
    }

    @Test func twoUploadsBitbucketWouldStoreAlikeCollide() async {
        let result = await plan(
            "use acme/app\nupload \"a/x y.zip\"\nupload \"b/x_y.zip\"", files: ["a/x y.zip": 1, "b/x_y.zip": 2])
        #expect(result.error?.diagnostic.id == .duplicateUpload)
    }
}
