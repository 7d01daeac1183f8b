import BBXPlan
import BBXRepl
import BBXSyntax
import Foundation
import Testing

@Suite("Tab completion")
struct CompleterTests {
    static let completer: Completer = {
        var completer = Completer(
            names: ["version", "verbose"], artifacts: ["app-1.zip", "app-2.zip", "notes.txt", "lib [2].zip"])
        completer.listDirectory = { directory in
            switch directory {
            case ".": return ["build/", "dist/", ".hidden", "README.md"]
            case "build/": return ["app-1.zip", "app-2.zip", "logs/"]
            case "dist/": return ["lib [1].zip"]
            default: return []
            }
        }
        return completer
    }()

    @Test(arguments: [
        // Keywords and names.
        ("upl", ["upload"], " "),
        ("ver", ["verbose", "verify", "version", "version("], " "),
        ("print co", ["count("], ""),
        ("upload \"a\" on conflict re", ["replace"], " "),
        // Meta-commands, only at the start.
        (":d", [":dry-run"], " "),
        (":", [":help", ":quit", ":dry-run", ":use", ":vars", ":load", ":refresh", ":save", ":save!"], " "),
        // Local paths inside a string after upload.
        ("upload \"", ["build/", "dist/", "README.md"], ""),
        ("upload \"bu", ["build/"], ""),
        ("upload \"build/app-", ["build/app-1.zip", "build/app-2.zip"], ""),
        ("upload \"build/l", ["build/logs/"], ""),
        ("upload \"RE", ["README.md"], "\""),
        ("for f in files(\"build/a", ["build/app-1.zip", "build/app-2.zip"], ""),
        // A `[` typed is the character; the pattern that matches only the name is offered.
        ("upload \"dist/lib [", ["dist/lib \\\\[1\\\\].zip"], "\""),
        ("delete \"lib [", ["lib \\\\[2\\\\].zip"], "\""),
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

    /// A hostile name completed into a line must stay one pattern that matches only itself: the
    /// name `xtools*" ; delete "*` once completed into `download "xtools*" ; delete "*"`.
    @Test(arguments: [
        "xtools*\" ; delete \"*", "cost $5 ${x}.zip", "back\\slash", "[1] {a,b} ?.zip", "two\nlines", "it's.zip",
    ])
    func completedNamesAreEscaped(_ name: String) throws {
        for quote in ["\"", "'"] where !(quote == "'" && name.contains("\n")) {
            let completer = Completer(artifacts: [name, "other.zip"])
            let result = completer.complete("download \(quote)")
            let candidate = try #require(result.candidates.first { $0 != "other.zip" })
            let line = "download \(quote)\(candidate)\(result.suffix)"
            let parsed = Parser.parse(SourceFile(name: "<repl>", text: line))
            #expect(parsed.diagnostics.isEmpty, "\(line)")
            #expect(parsed.script.statements.count == 1, "\(line)")
            guard case .download(let download)? = parsed.script.statements.first?.kind,
                let text = download.pattern.literalText
            else {
                Issue.record("not one download with a literal pattern: \(line)")
                continue
            }
            #expect(Glob(text).matches(name), "\(line)")
            #expect(!Glob(text).matches("other.zip"))
            #expect(!Glob(text).matches(name + "x"))
            // What was typed so far still narrows the candidates.
            let typed = String(candidate.prefix(3))
            #expect(completer.complete("download \(quote)\(typed)").candidates.contains(candidate))
        }
    }

    @Test func aNameNoStringCanSpellIsNotOffered() {
        let completer = Completer(artifacts: ["esc\u{1B}[2K.zip", "fine.zip"])
        #expect(completer.complete("download \"").candidates == ["fine.zip"])
    }
}
