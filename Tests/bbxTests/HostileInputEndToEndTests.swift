import BBXTestSupport
import Foundation
import Testing

/// What a hostile server, artifact uploader or neighbour can send bbx, end to end: the built
/// `bbx` against `bbx serve`, real files.
@Suite("Hostile input end to end")
struct HostileInputEndToEndTests {
    /// Names that would leave `out/` if joined to it: planning refuses them, nothing is written
    /// anywhere, and the message names the artifact and how to give it a local name.
    @Test func remoteNamesNeverEscapeTheDownloadFolder() async throws {
        try await EndToEnd.with { world in
            try world.write("existing.txt", "mine")
            for name in ["../evil1.txt", "../../evil2.txt", "nonexist/../existing.txt", "/tmp/bbx-evil-abs.txt"] {
                try await world.serve.seed("acme/app", name, size: 10)
                try world.write("fetch.bbx", "use acme/app\ndownload \"*\" to \"out/\"\n")
                let result = try await world.bbx(["run", "fetch.bbx"])
                #expect(result.status == 65, "\(name): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("cannot be a local file name"), "\(result.stderr)")
                #expect(result.stderr.contains("to \"FILE\""))
                try await world.serve.delete(name, in: "acme/app", token: EndToEnd.token)
            }
            let parent = world.folder.deletingLastPathComponent()
            #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("evil1.txt").path))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/bbx-evil-abs.txt"))
            #expect(world.contents("existing.txt") == Data("mine".utf8))
            #expect(!FileManager.default.fileExists(atPath: world.folder.appendingPathComponent("out").path))
            // One such artifact can still be fetched, under a name the user picks.
            try await world.serve.seed("acme/app", "../evil1.txt", size: 10)
            try world.write("one.bbx", "use acme/app\ndownload \"*evil1*\" to \"out/evil.txt\"\n")
            let one = try await world.bbx(["run", "one.bbx"])
            #expect(one.status == 0, "\(one.stdout)\(one.stderr)")
            #expect(world.contents("out/evil.txt")?.count == 10)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: world.folder.appendingPathComponent("out").path)
                    == ["evil.txt"])
        }
    }

    /// A name made to forge plan lines and retitle the window is shown escaped, in the plan,
    /// in `list` and in `print`; `--json` keeps it exact.
    @Test func namesWithEscapeSequencesPrintEscaped() async throws {
        try await EndToEnd.with { world in
            let forged = "x.zip\r\u{1B}[2K  - delete   fake.zip\u{1B}]0;owned\u{07}"
            try await world.serve.seed("acme/app", forged, size: 10)
            try world.write(
                "show.bbx",
                "use acme/app\nlist\nfor a in artifacts(\"x.zip*\") { print a.name }\ndelete \"x.zip*\"\n")
            let result = try await world.bbx(["run", "show.bbx", "--dry-run"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.contains("\u{1B}"), "\(result.stdout)")
            #expect(!result.stdout.contains("\r"))
            #expect(!result.stdout.contains("\u{07}"))
            let escaped = #"x.zip\r\x1b[2K  - delete   fake.zip\x1b]0;owned\x07"#
            #expect(result.stdout.components(separatedBy: escaped).count == 4, "\(result.stdout)")
            let json = try await world.bbx(["run", "show.bbx", "--dry-run", "--json"])
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let steps = (document?["plan"] as? [String: Any])?["steps"] as? [[String: Any]]
            #expect(steps?.first?["name"] as? String == forged)
        }
    }

    /// Wide and combining characters take their display width: the size column lines up.
    @Test func columnsAlignByDisplayWidth() async throws {
        try await EndToEnd.with { world in
            for name in ["名前のファイル.zip", "e\u{301}te\u{301}.zip", "plain-name.zip"] {
                try await world.serve.seed("acme/app", name, size: 2048)
            }
            let result = try await world.bbx(["run", "-e", "use acme/app\nlist"])
            #expect(result.status == 0, "\(result.stderr)")
            let rows = result.stdout.split(separator: "\n").filter { $0.contains("2.0 KiB") }
            #expect(rows.count == 3)
            let columns = Set(
                rows.map { row -> Int in
                    let text = String(row)
                    return String(text[..<text.range(of: "2.0 KiB")!.lowerBound]).displayColumns
                })
            #expect(columns.count == 1, "\(rows)")
        }
    }

    /// Every credential bbx knows of is redacted, in use or not, under --sandbox too, after a
    /// combining mark, and in JSON's escaped form.
    @Test func everyKnownCredentialIsRedacted() async throws {
        try await EndToEnd.with { world in
            let secrets = [
                "BITBUCKET_API_TOKEN": "apiTok-91x7", "BITBUCKET_APP_PASSWORD": "appPw-4k2q",
                "BITBUCKET_CONNECT_SHARED_SECRET": "shared-8h3n", "BITBUCKET_TOKEN": #"tok\SECRET"Q"#,
                "BBX_SIGNING_KEY_PASSWORD": "sign-pw-3j9",
                "BBX_SIGNING_KEY": "RWQAAEIyAAAAsecretkeyline0000000000000000000000000000000000",
            ]
            var environment = secrets
            environment["HTTPS_PROXY"] = "http://user:p%40ssw0rd-z@127.0.0.1:1"
            environment["NO_PROXY"] = "*"
            environment["BITBUCKET_URL"] = ""
            let values = Array(secrets.values) + ["p%40ssw0rd-z", "p@ssw0rd-z"]
            for value in values {
                let script =
                    "print v, \"\(value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\u{301}\""
                for json in [false, true] {
                    let result = try await world.bbx(
                        ["run", "--sandbox", "-e", script, "--var", "v=\(value)"] + (json ? ["--json"] : []),
                        environment: environment)
                    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
                    let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                        of: "\"", with: "\\\"")
                    for output in [result.stdout, result.stderr] {
                        #expect(!output.contains(value), "\(value) shown: \(output)")
                        #expect(!output.contains(escaped), "\(value) shown escaped: \(output)")
                    }
                    #expect(result.stdout.contains("<redacted>"), "\(result.stdout)")
                }
            }
        }
    }

    /// Commands that never connect redact too: `bbx check` shows source lines.
    @Test func checkRedactsASecretInASourceLine() async throws {
        try await EndToEnd.with { world in
            try world.write("leak.bbx", "use acme/app\nprint \"\(EndToEnd.token)\" +\n")
            let result = try await world.bbx(["check", "leak.bbx"])
            #expect(result.status == 65)
            #expect(result.stderr.contains("print \"<redacted>\" +"), "\(result.stderr)")
            #expect(!result.stderr.contains(EndToEnd.token))
        }
    }

    @Test func scriptsCannotReadTheToken() async throws {
        try await EndToEnd.with { world in
            let result = try await world.bbx([
                "run", "-e", "if env(\"BITBUCKET_TOKEN\") matches \"e2e*\" { print \"learned\" }",
            ])
            #expect(result.status == 65)
            #expect(!result.stdout.contains("learned"))
            #expect(result.stderr.contains("BITBUCKET_TOKEN holds a credential"), "\(result.stderr)")
        }
    }

    /// Stack and time bombs in scripts: a clear error, never a crash.
    @Test func hugeExpressionsAndBraceBombsEndWithAMessage() async throws {
        try await EndToEnd.with { world in
            let chain = "print " + Array(repeating: "true", count: 100_000).joined(separator: " and ")
            try world.write("chain.bbx", chain)
            for command in [["check", "chain.bbx"], ["run", "chain.bbx"], ["fmt", "--check", "chain.bbx"]] {
                let result = try await world.bbx(command)
                #expect(result.status == 65, "\(command): \(result.stderr.prefix(300))")
                #expect(result.stderr.contains("operators"), "\(command)")
            }
            let bomb = String(repeating: "{a,b}", count: 24)
            try await world.serve.seed("acme/app", "ab.zip", size: 5)
            let result = try await world.bbx(["run", "-e", "use acme/app\nlist \"\(bomb)\"\ndelete \"\(bomb)\""])
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test func aOneMegabyteNameDoesNotBreakListOrPrune() async throws {
        try await EndToEnd.with { world in
            let long = String(repeating: "n", count: 1 << 20)
            try await world.serve.seed("acme/app", long, size: 5)
            try await world.serve.seed("acme/app", "small.zip", size: 5)
            let result = try await world.bbx(["run", "--dry-run", "-e", "use acme/app\nlist \"*\"\nprune \"*\" keep 1"])
            #expect(result.status == 0, "\(result.stderr.prefix(500))")
            #expect(result.stdout.contains("small.zip"))
            let download = try await world.bbx(["run", "--dry-run", "-e", "use acme/app\ndownload \"*\" to \"out\""])
            #expect(download.status == 65)
            #expect(download.stderr.contains("longer than 255 bytes"))
        }
    }

    /// `**` does not follow links to folders: two links back to `.` used to make the walk endless.
    @Test func doubleStarDoesNotFollowFolderLinks() async throws {
        try await EndToEnd.with { world in
            let build = world.folder.appendingPathComponent("build")
            try FileManager.default.createSymbolicLink(
                atPath: build.appendingPathComponent("loop1").path, withDestinationPath: ".")
            try FileManager.default.createSymbolicLink(
                atPath: build.appendingPathComponent("loop2").path, withDestinationPath: ".")
            let result = try await world.bbx(["run", "--dry-run", "-e", "use acme/app\nupload \"build/**/*.zip\""])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Plan: 2 to upload"), "\(result.stdout)")
        }
    }

    /// A named pipe would block the upload's read until a writer came, and a device never ends:
    /// named, they are refused with what they are (not "no such file"); a glob passes them by.
    @Test func onlyRegularFilesAreUploaded() async throws {
        try await EndToEnd.with { world in
            let build = world.folder.appendingPathComponent("build")
            #expect(mkfifo(build.appendingPathComponent("pipe.zip").path, 0o600) == 0)
            try FileManager.default.createSymbolicLink(
                atPath: build.appendingPathComponent("zero.zip").path, withDestinationPath: "/dev/zero")
            try FileManager.default.createSymbolicLink(
                atPath: build.appendingPathComponent("gone.zip").path, withDestinationPath: "missing.zip")
            for (name, kind) in [
                ("pipe.zip", "a named pipe"), ("zero.zip", "a device"), ("gone.zip", "a symbolic link to nothing"),
            ] {
                let result = try await world.bbx(["run", "-e", "upload \"build/\(name)\" to acme/app"])
                #expect(result.status == 65, "\(result.stdout)\(result.stderr)")
                #expect(
                    result.stderr.contains("'build/\(name)' is \(kind), not a regular file"), "\(result.stderr)")
            }
            let glob = try await world.bbx(["run", "--dry-run", "-e", "upload \"build/*.zip\" to acme/app"])
            #expect(glob.status == 0, "\(glob.stderr)")
            #expect(glob.stdout.contains("Plan: 2 to upload"), "\(glob.stdout)")
            #expect(try await world.writes().isEmpty)
        }
    }

    /// Linux allows any bytes in a file name; Foundation's folder listing left out a name that is
    /// not UTF-8, so `upload "build/*.zip"` released one file fewer without a word.
    @Test func aFileNameThatIsNotUTF8StopsPlanning() async throws {
        try await EndToEnd.with { world in
            func create(_ path: [UInt8], folder: Bool = false) {
                let bytes = (Array(world.folder.path.utf8) + Array("/".utf8) + path + [0]).map { CChar(bitPattern: $0) }
                if folder { #expect(mkdir(bytes, 0o755) == 0) } else { close(creat(bytes, 0o644)) }
            }
            create(Array("build/app-".utf8) + [0xFF] + Array(".zip".utf8))
            create(Array("dist/v".utf8) + [0xFE], folder: true)
            for (pattern, message) in [
                (
                    "build/*.zip",
                    "'build/app-\\xFF.zip' has a name that is not UTF-8, which no artifact name can be; rename it"
                ),
                (
                    "dist/**/*.gz",
                    "'dist/v\\xFE' is a folder whose name is not UTF-8, so bbx cannot search it; rename it"
                ),
            ] {
                let result = try await world.bbx(["run", "-e", "upload \"\(pattern)\" to acme/app"])
                #expect(result.status == 65, "\(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains(message), "\(result.stderr)")
            }
            // A pattern that does not reach them is not concerned.
            let other = try await world.bbx(["run", "--dry-run", "-e", "upload \"dist/*.gz\" to acme/app"])
            #expect(other.status == 0, "\(other.stderr)")
            #expect(try await world.writes().isEmpty)
        }
    }

    /// A download is renamed into place, which puts a file where anything was: as root, a
    /// download named `null` into /dev would replace /dev/null. A pipe (or device) where the
    /// file would go stops planning, and one that appears after planning fails the step.
    @Test func aDownloadReplacesOnlyFilesAndLinks() async throws {
        try await EndToEnd.with { world in
            // A name as Bitbucket lists them: spaces, `#`, `%`, non-ASCII.
            let name = "app 1.4 #2 ü%.zip"
            try await world.serve.seed("acme/app", name, size: 10, created: daysAgo(1))
            let out = world.folder.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let pipe = out.appendingPathComponent(name).path
            let script = "download \"app 1.4*\" from acme/app to \"out/\" on conflict replace"
            #expect(mkfifo(pipe, 0o600) == 0)
            let planned = try await world.bbx(["run", "-e", script])
            #expect(planned.status == 65, "\(planned.stdout)\(planned.stderr)")
            #expect(
                planned.stderr.contains(
                    "'out/\(name)' is a named pipe, so the download of '\(name)' cannot be written there; bbx replaces only files and links"
                ), "\(planned.stderr)")
            // Planned with nothing there; the pipe appears before the plan is applied.
            unlink(pipe)
            #expect(try await world.bbx(["plan", "-e", script, "-o", "plan.json"]).status == 0)
            #expect(mkfifo(pipe, 0o600) == 0)
            let applied = try await world.bbx(["apply", "plan.json"])
            #expect(applied.status == 1, "\(applied.stdout)\(applied.stderr)")
            #expect(
                applied.stdout.contains(
                    "out/\(name): it is a named pipe; bbx replaces only files and links, so nothing was written"),
                "\(applied.stdout)")
            var info = stat()
            #expect(lstat(pipe, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == [name])
        }
    }

    /// A download whose destination name is 255 bytes long still works: the hidden partial
    /// file's name is shortened to fit.
    @Test func aNameOf255BytesDownloads() async throws {
        try await EndToEnd.with { world in
            let name = String(repeating: "é", count: 125) + "x.zip"
            #expect(name.utf8.count == 255)
            try await world.serve.seed("acme/app", name, size: 1000)
            let result = try await world.bbx(["run", "-e", "use acme/app\ndownload \"*.zip\" to \"out\""])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(world.contents("out/\(name)")?.count == 1000)
        }
    }
}

extension String {
    /// Columns on a terminal: 2 for CJK, 0 for combining marks.
    var displayColumns: Int {
        unicodeScalars.reduce(0) { width, scalar in
            if scalar.properties.generalCategory == .nonspacingMark { return width }
            if (0x3000...0x9FFF).contains(scalar.value) { return width + 2 }
            return width + 1
        }
    }
}
