import BBXRepl
import Foundation
import Testing

@Suite("Tab completion")
struct CompleterTests {
    static let completer: Completer = {
        var completer = Completer(names: ["version", "verbose"], artifacts: ["app-1.zip", "app-2.zip", "notes.txt"])
        completer.listDirectory = { directory in
            switch directory {
            case ".": return ["build/", "dist/", ".hidden", "README.md"]
            case "build/": return ["app-1.zip", "app-2.zip", "logs/"]
            default: return []
            }
        }
        return completer
    }()

    @Test(arguments: [
        // Keywords and names.
        ("upl", ["upload"], " "),
        ("ver", ["verbose", "version"], " "),
        ("print co", ["count("], ""),
        ("upload \"a\" on conflict re", ["replace"], " "),
        // Meta-commands, only at the start.
        (":d", [":dry-run"], " "),
        (":", [":help", ":quit", ":dry-run", ":use", ":vars", ":load", ":save"], " "),
        // Local paths inside a string after upload.
        ("upload \"", ["build/", "dist/", "README.md"], ""),
        ("upload \"bu", ["build/"], ""),
        ("upload \"build/app-", ["build/app-1.zip", "build/app-2.zip"], ""),
        ("upload \"build/l", ["build/logs/"], ""),
        ("upload \"RE", ["README.md"], "\""),
        ("for f in files(\"build/a", ["build/app-1.zip", "build/app-2.zip"], ""),
        // Artifact names inside a string after download and delete.
        ("download \"app", ["app-1.zip", "app-2.zip"], "\""),
        ("delete \"no", ["notes.txt"], "\""),
        ("if exists \"app-2", ["app-2.zip"], "\""),
        // Nothing to offer.
        ("print \"app", [], ""),
        ("upload \"x\" # comment up", [], ""),
    ])
    func candidates(_ line: String, _ expected: [String], _ suffix: String) {
        let result = Self.completer.complete(line)
        #expect(Set(result.candidates) == Set(expected))
        if !expected.isEmpty { #expect(result.suffix == suffix) }
    }

    @Test func replacesFromTheStartOfTheWordOrString() {
        #expect(Self.completer.complete("delete \"app").start == "delete \"".utf8.count)
        #expect(Self.completer.complete("print ver").start == "print ".utf8.count)
    }

    @Test func commonPrefixes() {
        #expect(commonPrefix(["app-1.zip", "app-2.zip"]) == "app-")
        #expect(commonPrefix(["a"]) == "a")
        #expect(commonPrefix([]) == "")
    }
}
