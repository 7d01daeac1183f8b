import BBXTestSupport
import Foundation
import Testing

/// `--sandbox` creates the repositories a script uses, found by where values flow, and speaks
/// of itself (not of credentials) when one is missing.
@Suite("bbx --sandbox: which repositories")
struct SandboxDiscoveryTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let script: String
        let banner: String
        var testDescription: String { script }
    }

    static let cases: [Case] = [
        .init(
            script: "for r in [acme/app, acme/web] {\n    use r\n    list\n}",
            banner: "with acme/app, acme/web;"),
        .init(
            script:
                "let dir = env(\"OUT_DIR\", \"out/deploy\")\nif count(artifacts(\"*\", acme/app)) > 0 {\n    download \"*\" from acme/app to dir\n}",
            banner: "with acme/app;"),
        .init(
            script: "let repo = env(\"TARGET\", \"acme/site\")\nlist in repo",
            banner: "with acme/site;"),
        .init(
            script: "let repos = [\"acme/one\", \"acme/two\"]\nfor r in repos {\n    list in r\n}",
            banner: "with acme/one, acme/two;"),
        .init(
            script: "let folder = \"out/deploy\"\nprint count(artifacts(\"*\", acme/app)), folder",
            banner: "with acme/app;"),
    ]

    @Test(arguments: cases)
    func repositoriesAreFoundWhereValuesFlow(_ example: Case) async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await BBXProcess.launch(["run", "--sandbox", "-e", example.script], in: folder)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let banner = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(banner.contains(example.banner), "\(banner)")
        #expect(!banner.contains("out/deploy"))
    }

    /// A `--var` value reaching a repository position is one of the sandbox's repositories.
    @Test func varValuesFlowToo() async throws {
        let result = try await BBXProcess.launch([
            "run", "--sandbox", "--var", "target=acme/site", "-e", "list in target",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").first?.contains("with acme/site;") == true, "\(result.stdout)")
    }

    /// A repository the script computes at run time: the sandbox says it did not create it and
    /// how to name it, without any credential hint.
    @Test func aRepositoryTheSandboxDidNotCreateIsSaidSo() async throws {
        let result = try await BBXProcess.launch(
            ["run", "--sandbox", "-e", "use env(\"SOME_REPO\")\nlist"], environment: ["SOME_REPO": "acme/hidden"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("the sandbox has no repository acme/hidden"), "\(result.stderr)")
        #expect(!result.stderr.contains("credential"))
    }
}
