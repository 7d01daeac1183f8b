import SafeText
import Testing

@Suite("Text from outside, shown on a terminal")
struct TerminalEscapeTests {
    @Test(arguments: [
        ("plain.zip", "plain.zip"),
        ("a\r\u{1B}[2K  - delete   fake.zip", "a\\r\\x1b[2K  - delete   fake.zip"),
        ("\u{1B}]0;owned\u{07}", "\\x1b]0;owned\\x07"),
        ("two\nlines", "two\\nlines"),
        ("tab\there", "tab\\there"),
        ("c1\u{9B}31m", "c1\\x9b31m"),
        ("bidi\u{202E}piz.exe", "bidi\\u{202e}piz.exe"),
        ("DEL\u{7F}", "DEL\\x7f"),
        ("nul\u{0}", "nul\\x00"),
        ("ünïcode 名前 🎉", "ünïcode 名前 🎉"),
    ])
    func controlCharactersAreShownVisibly(_ input: String, _ expected: String) {
        #expect(input.terminalSafe == expected)
        #expect(!input.terminalSafe.unicodeScalars.contains(where: TerminalEscape.isUnsafe))
    }

    @Test func printKeepsTabsAndLinesKeepTheirBreaks() {
        #expect("a\tb\nc\r\u{1B}".printSafe == "a\tb\nc\\r\\x1b")
        #expect("first\nsecond \u{1B}[2K".terminalSafeLines == "first\nsecond \\x1b[2K")
    }

    @Test(arguments: [
        ("abc", 3), ("名前", 4), ("e\u{301}", 1), ("🎉", 2), ("👨‍👩‍👧", 2), ("ｶﾀｶﾅ", 4), ("한국", 4), ("", 0),
    ])
    func displayWidth(_ text: String, _ columns: Int) {
        #expect(text.displayWidth == columns)
    }

    @Test func paddingCountsColumns() {
        #expect("名前".padded(toWidth: 6) == "名前  ")
        #expect("e\u{301}".padded(toWidth: 3) == "e\u{301}  ")
        #expect("12".padded(leftToWidth: 4) == "  12")
        #expect("toolong".padded(toWidth: 3) == "toolong")
    }

    @Test(arguments: [
        ("", "it is empty"), (".", "'.' is not a file name"), ("..", "'..' is not a file name"),
        ("../evil1.txt", "it holds '/'"), ("/etc/passwd", "it holds '/'"), ("a\\b", "it holds '\\'"),
        ("a\u{0}b", "it holds a NUL character"), ("a\nb", "it holds a control character"),
        (String(repeating: "x", count: 256), "it is longer than 255 bytes"),
    ])
    func namesThatCannotBeFileNames(_ name: String, _ problem: String) {
        #expect(FileNameRule.problem(with: name) == problem)
    }

    @Test(arguments: [
        "app.zip", "my file.zip", "100%.zip", "#1.zip", "'quoted'", "名前.zip", String(repeating: "x", count: 255),
    ])
    func namesThatCan(_ name: String) {
        #expect(FileNameRule.problem(with: name) == nil)
    }
}

@Suite("Redaction")
struct RedactorTests {
    let redactor = Redactor(secrets: ["tokS3cret", #"tok\SECRET"Q"#, "p@ss:word"])

    @Test func plainOccurrences() {
        #expect(redactor.redact("token tokS3cret here tokS3cret") == "token <redacted> here <redacted>")
    }

    @Test func aCombiningMarkAfterTheTokenDoesNotHideIt() {
        // "t" + U+0301 is one Character, so a Character-wise search misses the token.
        let text = "tokS3cret\u{301}"
        #expect(!redactor.redact(text).contains("tokS3cre"))
        #expect(redactor.redact(text) == "<redacted>\u{301}")
        #expect(redactor.reveals(text))
    }

    @Test func theJSONEscapedFormIsRedactedToo() {
        // JSONEncoder writes `tok\SECRET"Q` as `tok\\SECRET\"Q`.
        let json = #"{"output":"tok\\SECRET\"Q"}"#
        #expect(redactor.redact(json) == #"{"output":"<redacted>"}"#)
    }

    @Test func shortValuesAreNotRedacted() {
        #expect(Redactor(secrets: ["abc"]).redact("abcabc") == "abcabc")
    }
}
