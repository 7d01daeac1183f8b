import BBXPlan
import Foundation
import Testing

@Suite("Globs")
struct GlobTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let mode: Glob.Mode
        let matching: [String]
        let notMatching: [String]
        var testDescription: String { "\(pattern) (\(mode))" }

        init(_ pattern: String, _ mode: Glob.Mode = .artifactName, matching: [String], not notMatching: [String]) {
            self.pattern = pattern
            self.mode = mode
            self.matching = matching
            self.notMatching = notMatching
        }
    }

    static let cases: [Case] = [
        Case(
            "app-*.zip", matching: ["app-1.zip", "app-.zip", "app-1.2.3.zip"],
            not: ["app-1.tar.gz", "xapp-1.zip", "app-1.zipx"]),
        Case("*", matching: ["", "a", "anything at all.bin", "odd/name"], not: []),
        Case("app-?.zip", matching: ["app-1.zip", "app-a.zip"], not: ["app-10.zip", "app-.zip"]),
        Case("app-[0-9].zip", matching: ["app-0.zip", "app-9.zip"], not: ["app-a.zip", "app-10.zip"]),
        Case("app-[!0-9].zip", matching: ["app-a.zip"], not: ["app-1.zip"]),
        Case("[ab]*", matching: ["a", "bcd"], not: ["c", ""]),
        Case("app.{zip,tar.gz}", matching: ["app.zip", "app.tar.gz"], not: ["app.tar", "app.{zip,tar.gz}"]),
        Case("{a,b}-{1,2}", matching: ["a-1", "a-2", "b-1", "b-2"], not: ["c-1", "a-3"]),
        Case("{x}", matching: ["{x}"], not: ["x"]),
        Case("weird[", matching: ["weird["], not: ["weird"]),
        Case("*.zip*", matching: ["a.zip", "a.zip.sha256"], not: ["a.tar"]),
        Case("a*b*c", matching: ["abc", "aXbYc", "abbbc", "acbc"], not: ["acb", "ab"]),
        // Artifact names are flat: `*` crosses a slash there, not in local paths.
        Case("build/*.zip", .localPath, matching: ["build/a.zip"], not: ["build/sub/a.zip", "a.zip"]),
        Case(
            "build/**/*.zip", .localPath, matching: ["build/a.zip", "build/x/a.zip", "build/x/y/a.zip"],
            not: ["other/a.zip"]),
        Case("**", .localPath, matching: ["a", "a/b/c"], not: []),
        Case("*", .localPath, matching: ["a.zip"], not: ["dir/a.zip"]),
        Case("d?r/*", .localPath, matching: ["dir/a"], not: ["d/r/a"]),
        Case("ünï*", matching: ["ünïcode.zip"], not: ["unicode.zip"]),
    ]

    @Test(arguments: cases)
    func matching(_ example: Case) {
        let glob = Glob(example.pattern, mode: example.mode)
        for name in example.matching {
            #expect(glob.matches(name), "\(example.pattern) should match \(name)")
        }
        for name in example.notMatching {
            #expect(!glob.matches(name), "\(example.pattern) should not match \(name)")
        }
    }

    @Test func literalPatterns() {
        #expect(Glob("app-1.zip").isLiteral)
        #expect(!Glob("app-*.zip").isLiteral)
        #expect(!Glob("app.{zip,gz}").isLiteral)
    }

    @Test func longNamesDoNotTakeLong() {
        // Many stars against a long near-miss: backtracking stays linear-ish.
        let glob = Glob("*a*a*a*a*a*b")
        #expect(!glob.matches(String(repeating: "a", count: 2_000)))
    }
}

@Suite("Globs against hostile names and patterns")
struct HostileGlobTests {
    /// On a thread of its own (a second's work in a debug build would hold one of the few
    /// threads every other test shares), whose stack is smaller than the main thread's.
    @Test func aOneMegabyteNameDoesNotExhaustTheStack() async {
        let results = await withCheckedContinuation { continuation in
            Thread {
                let name = String(repeating: "a", count: 1 << 20) + ".zip"
                continuation.resume(returning: [Glob("a*a*.zip").matches(name), Glob("*b*").matches(name)])
            }.start()
        }
        #expect(results == [true, false])
    }

    @Test func twentyFourBracePairsMatchWithoutExpanding() {
        let pattern = String(repeating: "{a,b}", count: 24)
        let glob = Glob(pattern)
        #expect(glob.matches(String(repeating: "ab", count: 12)))
        #expect(!glob.matches(String(repeating: "a", count: 23) + "c"))
        #expect(!glob.matches(String(repeating: "a", count: 25)))
        let deep = String(repeating: "{x,", count: 5_000) + String(repeating: "}", count: 5_000)
        _ = Glob(deep).matches("x")
    }

    @Test(arguments: [
        (#"app\*.zip"#, "app*.zip", "app1.zip"), (#"\[x\]"#, "[x]", "x"), (#"a\{b,c\}"#, "a{b,c}", "ab"),
        (#"\\"#, "\\", ""), (#"q\?"#, "q?", "qx"),
    ])
    func aBackslashMakesTheNextCharacterLiteral(_ pattern: String, _ matching: String, _ notMatching: String) {
        #expect(Glob(pattern).matches(matching))
        #expect(!Glob(pattern).matches(notMatching))
    }

    @Test(arguments: [
        "xtools*\" ; delete \"*", "a[b]{c,d}?e\\f", "plain", "*", "", "{", "][",
        // A star joined by a combining mark is one Character but still a star to the pattern.
        "*\u{301}x", "\u{301}accent-first", "cafe\u{301}.zip",
    ])
    func anEscapedNameMatchesExactlyItself(_ name: String) {
        let glob = Glob(Glob.escaping(name))
        #expect(glob.matches(name))
        #expect(!glob.matches(name + "x"))
        #expect(!glob.matches("x" + name))
    }

    /// `café.zip` spelled with `é` and with `e` and a combining accent are two artifacts on
    /// Bitbucket; Swift's String equality holds them equal. Patterns match code points, as shells do.
    @Test func namesMatchByCodePointsNotByCanonicalEquivalence() {
        let composed = "caf\u{E9}.zip"
        let decomposed = "cafe\u{301}.zip"
        #expect(Glob(composed).matches(composed))
        #expect(!Glob(composed).matches(decomposed), "a plain name")
        #expect(!Glob(decomposed).matches(composed))
        #expect(!Glob("caf\u{E9}*").matches(decomposed), "a prefix")
        #expect(!Glob("*\u{E9}.zip").matches(decomposed), "a suffix")
        #expect(!Glob("c?f\u{E9}.zip").matches(decomposed), "the automaton")
        #expect(Glob("cafe?.zip").matches(decomposed), "? is one code point")
        #expect(Glob("caf*").matches(composed) && Glob("caf*").matches(decomposed))
        #expect(Glob("*\u{301}.zip").matches(decomposed), "a star before a combining mark is a star")
        #expect(!Glob("*\u{301}.zip").isLiteral)
    }

    @Test func anArtifactNameMayHoldSlashesForStarsButNotForPathStars() {
        #expect(Glob("a*").matches("a/b/c"))
        #expect(!Glob("a*", mode: .localPath).matches("a/b"))
        #expect(Glob("a/**", mode: .localPath).matches("a/b/c"))
        #expect(Glob("**/*.zip", mode: .localPath).matches("x.zip"))
        #expect(!Glob("a/[/]", mode: .localPath).matches("a//"))
    }
}
