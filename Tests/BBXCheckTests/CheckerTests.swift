import BBXCheck
import BBXSyntax
import BBXTestSupport
import Testing

struct CheckCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// Source with 1️⃣ where the (only) error must point; no marker for a clean script.
    let marked: String
    let message: String?
    var options = CheckOptions()
    var testDescription: String { name }
}

func diagnose(_ text: String, options: CheckOptions = CheckOptions()) -> [Diagnostic] {
    Checker.diagnose(SourceFile(name: "test.bbx", text: text), options: options)
}

@Suite("Static checks")
struct CheckerTests {
    static let cases: [CheckCase] = [
        // Clean scripts.
        .init(
            name: "release",
            marked:
                "use acme/app\nlet v = env(\"V\", \"1\")\nupload \"b/*.zip\"\nupload \"a.tgz\" as \"a-${v}.tgz\"\nprune \"a-*\" keep 5",
            message: nil),
        .init(
            name: "repository in a clause", marked: "upload \"a.zip\" to acme/app\nprune in acme/app keep 1",
            message: nil),
        .init(name: "repository from a name", marked: "let r = acme/app\nlist in r", message: nil),
        .init(name: "repository as a string", marked: "use \"{0a1b}/{2c3d}\"\nlist", message: nil),
        .init(name: "repository as the spec writes it", marked: "use \"{ws-uuid}/{repo-uuid}\"\nlist", message: nil),
        .init(
            name: "repository without a slug", marked: "use 1️⃣acme",
            message: "'acme' is not a repository or a defined name; write workspace/slug (as in acme/app)"),
        .init(
            name: "for over artifacts",
            marked:
                "use acme/app\nfor a in artifacts(\"*\") {\n  if a.age > 30d and a.name matches \"*.zip\" { delete a.name }\n}",
            message: nil),
        .init(
            name: "for over files",
            marked: "for f in files(\"**/*.zip\") { upload f.path to acme/app as basename(f.path) }", message: nil),
        .init(
            name: "shadowing in a block is allowed", marked: "let x = 1\nif true { let x = 2\n print x }", message: nil),
        .init(name: "coalesce", marked: "let v = env(\"A\") ?? \"dev\"\nprint v", message: nil),
        .init(
            name: "connect statements need no repository",
            marked: "addon update\nlinkers\nlinker \"k\" set [\"A\", \"B-2\"]\nlinker \"k\" remove 3", message: nil),
        .init(
            name: "pipelines repository", marked: "list", message: nil,
            options: CheckOptions(hasDefaultRepository: true)),
        .init(
            name: "--var names", marked: "print version", message: nil,
            options: CheckOptions(predefinedNames: ["version"])),
        .init(name: "use inside a block stays there", marked: "if true {\n  use acme/app\n  list\n}", message: nil),

        // Names.
        .init(name: "unbound name", marked: "print 1️⃣version", message: "'version' is not defined"),
        .init(
            name: "misspelt name", marked: "let version = \"1\"\nprint 1️⃣verison",
            message: "'verison' is not defined; did you mean 'version'?"),
        .init(name: "rebound name", marked: "let v = 1\nlet 1️⃣v = 2", message: "'v' is already defined in this scope"),
        .init(
            name: "loop variable out of scope", marked: "for f in files(\"*\") { print f.name }\nprint 1️⃣f",
            message: "'f' is not defined"),
        .init(
            name: "block binding out of scope", marked: "if true { let y = 1 }\nprint 1️⃣y", message: "'y' is not defined"
        ),
        .init(
            name: "rebinding a --var", marked: "let 1️⃣version = 1", message: "'version' is already defined by --var",
            options: CheckOptions(predefinedNames: ["version"])),

        // Kinds.
        .init(
            name: "keep needs an integer", marked: "use acme/app\nprune keep 1️⃣\"five\"",
            message: "expected how many to keep (an integer), found the text \"five\", which does not read as one"),
        .init(
            name: "older than needs a duration", marked: "use acme/app\nprune older than 1️⃣5",
            message: "expected a duration (such as 30d), found an integer"),
        .init(
            name: "pattern must be a string", marked: "upload 1️⃣5 to acme/app",
            message: "expected a file pattern (a string), found an integer"),
        .init(
            name: "condition must be boolean", marked: "if 1️⃣\"yes\" { }",
            message: "expected a condition (true or false), found a string"),
        .init(
            name: "comparing different kinds", marked: "assert 1️⃣30d > 5",
            message: "'>' cannot compare a duration with an integer"),
        .init(name: "ordering booleans", marked: "assert 1️⃣true < false", message: "'<' cannot order booleans"),
        .init(
            name: "matches needs strings", marked: "assert 1️⃣5 matches \"*\"",
            message: "expected a string to match, found an integer"),
        .init(
            name: "mixed list", marked: "linker \"k\" set [\"A\", 1️⃣2]",
            message: "list items must all be of one kind: this is an integer, the first is a string"),
        .init(
            name: "loop over a non-list", marked: "for x in 1️⃣\"abc\" { }",
            message: "expected a list to loop over (such as files(\"*.zip\")), found a string"),
        .init(
            name: "not a repository", marked: "use 1️⃣\"acme\"",
            message: "\"acme\" is not a repository; write workspace/slug (as in acme/app)"),
        .init(
            name: "repository of the wrong kind", marked: "use 1️⃣5",
            message: "expected a repository (workspace/slug), found an integer"),
        .init(
            name: "linker id is an integer", marked: "linker \"k\" remove 1️⃣\"3\"",
            message: "expected the value's id (an integer), found a string"),
        .init(
            name: "linker value characters", marked: "linker \"k\" add 1️⃣\"a b\"",
            message: "linker value \"a b\" may only contain letters, digits, '_' and '-'"),
        .init(
            name: "descriptor url", marked: "addon update url 1️⃣\"ftp://x\"",
            message: "\"ftp://x\" is not an http(s) URL"),
        .init(name: "empty linker key", marked: "linker 1️⃣\"\" values", message: "the linker's key is empty"),

        // Functions and fields.
        .init(
            name: "unknown function", marked: "print 1️⃣envv(\"A\")",
            message: "unknown function 'envv'; did you mean 'env'?"),
        .init(
            name: "unknown function, no suggestion", marked: "print 1️⃣sha256(\"A\")",
            message:
                "unknown function 'sha256'; the functions are artifacts, basename, count, env, exact, files, latest, newest, repositories, version"
        ),
        .init(
            name: "wrong argument count", marked: "print 1️⃣env()",
            message: "'env' takes 1 to 2 arguments, found 0: write env(\"NAME\") or env(\"NAME\", \"fallback\")"),
        .init(
            name: "unknown field", marked: "for a in files(\"*\") { print a.1️⃣age }",
            message: "a file has no field 'age'; its fields are path, name, size"),
        .init(name: "field of a string", marked: "let s = \"x\"\nprint s.1️⃣name", message: "a string has no fields"),

        // Repositories.
        .init(
            name: "upload needs a repository", marked: "1️⃣upload \"a.zip\"",
            message:
                "'upload' needs a repository: add 'to workspace/slug', put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME"
        ),
        .init(
            name: "prune needs a repository", marked: "1️⃣prune keep 3",
            message:
                "'prune' needs a repository: add 'in workspace/slug', put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME"
        ),
        .init(
            name: "download needs a repository", marked: "1️⃣download \"a\"",
            message:
                "'download' needs a repository: add 'from workspace/slug', put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME"
        ),
        .init(
            name: "exists needs a repository", marked: "assert 1️⃣exists \"a\"",
            message:
                "'exists' needs a repository: add 'in workspace/slug', put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME"
        ),
        .init(
            name: "artifacts needs a repository", marked: "for a in 1️⃣artifacts(\"*\") { }",
            message:
                "'artifacts(...)' needs a repository: give it as the second argument, put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME"
        ),
        .init(
            name: "use in a block does not leak", marked: "if true { use acme/app }\n1️⃣list",
            message:
                "'list' needs a repository: add 'in workspace/slug', put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME"
        ),
        .init(
            name: "as with a glob", marked: "upload 1️⃣\"build/*.zip\" as \"a.zip\" to acme/app",
            message: "'as' renames a single file, but the pattern \"build/*.zip\" has glob characters"),
    ]

    /// Names an artifact cannot have are refused before anything runs, when written literally.
    @Test(arguments: [#"as "a\nb""#, #"as ".""#, #"as "..""#, #"as "a/b""#, #"as "a\tb""#])
    func artifactNamesAreCheckedStatically(_ clause: String) {
        let diagnostics = diagnose("use acme/app\nupload \"dist/app.zip\" \(clause)", options: CheckOptions())
        #expect(diagnostics.map(\.id) == [.invalidArtifactName], "\(clause)")
        #expect(diagnostics.first?.message.contains("cannot be an artifact's name") == true)
    }

    /// Text is accepted where it reads as a number or a duration; written literally, it is
    /// checked before anything runs.
    @Test(arguments: [
        (#"prune keep env("KEEP", "5")"#, []), (#"prune keep "3" older than "2w 3d""#, []),
        (
            #"prune keep "five""#,
            ["expected how many to keep (an integer), found the text \"five\", which does not read as one"]
        ),
        (
            #"prune older than "14 days""#,
            ["expected a duration (such as 30d), found the text \"14 days\", which does not read as one"]
        ),
        ("prune keep true", ["expected how many to keep (an integer), found a boolean"]),
    ])
    func numbersAndDurationsAsText(_ statement: String, _ messages: [String]) {
        let diagnostics = diagnose("use acme/app\n\(statement)")
        #expect(diagnostics.map(\.message) == messages, "\(statement)")
    }

    @Test(arguments: cases)
    func check(_ testCase: CheckCase) {
        let marked = MarkedSource(testCase.marked)
        let diagnostics = diagnose(marked.text, options: testCase.options)
        assertDiagnostics(diagnostics, in: marked, testCase.message.map { [DiagnosticSpec($0)] } ?? [])
    }

    @Test func allErrorsOfAScriptAreReported() {
        let diagnostics = diagnose("print a\nprint b\nuse acme/app\nprune keep \"x\" older than 3")
        #expect(diagnostics.map(\.id) == [.unbound, .unbound, .wrongKind, .wrongKind])
    }

    @Test func syntaxAndStaticErrorsTogether() {
        // The broken `let` is dropped, so its name is not reported as unbound; the kind error is.
        let diagnostics = diagnose("use acme/app\nlet v =\nprint v\nprune keep \"x\"")
        #expect(diagnostics.map(\.id) == [.expected, .wrongKind])
    }
}
