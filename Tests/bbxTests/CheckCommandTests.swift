import BBXTestSupport
import Foundation
import Testing

@Suite("bbx check")
struct CheckCommandTests {
    @Test func twoSyntaxErrorsAreBothPrintedWithCaretsAndExit65() throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "use acme/app\nupload \"build/*.zip\" to\nprint \"fine\"\nprune \"app-*\" keep 5 extra\n"
            .write(to: folder.appendingPathComponent("release.bbx"), atomically: true, encoding: .utf8)
        let result = try BBXProcess.run(["check", "release.bbx"], in: folder)
        #expect(result.status == 65)
        #expect(
            result.stderr == """
                release.bbx:2:24: error: expected a repository after 'to', found a newline
                 2 | upload "build/*.zip" to
                   |                        ^

                release.bbx:4:22: error: expected a newline or ';' after the statement, found a name
                 4 | prune "app-*" keep 5 extra
                   |                      ^~~~~

                2 errors in 1 of 1 file

                """)
        #expect(result.stdout.isEmpty)
    }

    @Test func errorsOfEveryFileAreReported() throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "print a".write(to: folder.appendingPathComponent("a.bbx"), atomically: true, encoding: .utf8)
        try "print 1".write(to: folder.appendingPathComponent("ok.bbx"), atomically: true, encoding: .utf8)
        try "print b".write(to: folder.appendingPathComponent("b.bbx"), atomically: true, encoding: .utf8)
        let result = try BBXProcess.run(["check", "a.bbx", "ok.bbx", "b.bbx"], in: folder)
        #expect(result.status == 65)
        #expect(result.stderr.contains("a.bbx:1:7: error: 'a' is not defined"))
        #expect(result.stderr.contains("b.bbx:1:7: error: 'b' is not defined"))
        #expect(result.stderr.contains("2 errors in 2 of 3 files"))
    }

    @Test func theExamplesCheckClean() throws {
        let examples = Paths.files(in: Paths.examples, withExtension: "bbx").map(\.path)
        let result = try BBXProcess.run(["check"] + examples)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "checked \(examples.count) files: no errors\n")
    }

    @Test func standardInput() throws {
        let result = try BBXProcess.run(["check", "-"], stdin: "list\n")
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("<stdin>:1:1: error: 'list' needs a repository"))
    }

    @Test func pipelinesRepositoryAndVariables() throws {
        let script = "list\nprint version\n"
        #expect(try BBXProcess.run(["check", "-"], stdin: script).status == 65)
        let result = try BBXProcess.run(
            ["check", "--var", "version=1.2", "-"], stdin: script, environment: ["BITBUCKET_REPO_FULL_NAME": "acme/app"]
        )
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func unreadableFileIsACommandLineError() throws {
        let result = try BBXProcess.run(["check", "/no/such/file.bbx"])
        #expect(result.status == 64)
        #expect(result.stderr == "bbx: error: cannot read '/no/such/file.bbx': no such file\n")
    }

    @Test func badOptionsExit64() throws {
        #expect(try BBXProcess.run(["check"]).status == 64)
        #expect(try BBXProcess.run(["check", "--var", "nope", "x.bbx"]).status == 64)
        #expect(try BBXProcess.run(["check", "--bogus", "x.bbx"]).status == 64)
    }

    @Test func binaryInputGivesDiagnosticsNotACrash() throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = [UInt8]()
        for i in 0..<20_000 { bytes.append(UInt8(truncatingIfNeeded: (i &* 7919) ^ (i >> 3))) }
        try Data(bytes).write(to: folder.appendingPathComponent("garbage.bbx"))
        try Data(repeating: UInt8(ascii: "{"), count: 1 << 20).write(to: folder.appendingPathComponent("braces.bbx"))
        let result = try BBXProcess.run(["check", "garbage.bbx", "braces.bbx"], in: folder)
        #expect(result.status == 65)
        #expect(result.stderr.contains("garbage.bbx:1:"))
        #expect(result.stderr.contains("braces.bbx:1:1: error:"))
    }
}

extension CheckCommandTests {
    /// Runs `bbx check` inside a pseudo-terminal made by script(1), as a person at a terminal would.
    static func inTerminal(_ file: URL, noColor: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let command = "\(BBXProcess.executable.path) check \(file.path)"
        process.arguments = ["script", "-qc", command, "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NO_COLOR")
        environment["TERM"] = "xterm"
        if noColor { environment["NO_COLOR"] = "1" }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func colourOnlyInATerminalAndNeverWithNoColor() throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("c.bbx")
        try "upload\n".write(to: file, atomically: true, encoding: .utf8)
        let terminal = try Self.inTerminal(file, noColor: false)
        #expect(terminal.contains("\u{1B}[1;31merror:"))
        let noColor = try Self.inTerminal(file, noColor: true)
        #expect(noColor.contains("error: expected a file pattern"))
        #expect(!noColor.contains("\u{1B}["))
        // Through a pipe there is no colour either.
        let piped = try BBXProcess.run(["check", file.path], environment: ["NO_COLOR": ""])
        #expect(!piped.stderr.contains("\u{1B}["))
    }
}
