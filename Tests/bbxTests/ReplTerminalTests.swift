import BBXTestSupport
import Foundation
import Testing

/// `bbx repl` in a real terminal (tmux) against `bbx serve`, driven by keys as a user types.
@Suite("bbx repl in a terminal")
struct ReplTerminalTests {
    @Test func aSessionWithEditingCompletionCtrlCAndHistory() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "app-1.0.zip", size: 1000)
            let history = world.folder.appendingPathComponent("state/history").path
            var environment = world.environment
            environment["BBX_HISTORY"] = history
            environment["TERM"] = "xterm"
            environment["HOME"] = world.folder.path
            let tmux = try await Tmux(
                [BBXProcess.executable.path, "repl", "--use", "acme/app"], environment: environment, in: world.folder)
            do {
                try await drive(tmux, world: world, history: history)
            } catch {
                await tmux.kill()
                throw error
            }
            await tmux.kill()
        }
    }

    func drive(_ tmux: Tmux, world: EndToEnd, history: String) async throws {
        func last(_ screen: String) -> String {
            screen.split(separator: "\n").last.map(String.init) ?? ""
        }
        func expectScreen(_ text: String, _ comment: Comment? = nil) async throws {
            let screen = try await tmux.waitForScreen { $0.contains(text) }
            #expect(screen.contains(text), "\(comment ?? "")\n\(screen)")
        }

        try await expectScreen("bbx acme/app>")
        try await tmux.type("list")
        try await tmux.press("Enter")
        try await expectScreen("app-1.0.zip")

        // A block over several lines: continuation prompts, then one result.
        try await tmux.type("if exists \"app-1.0.zip\" {")
        try await tmux.press("Enter")
        try await expectScreen("...>")
        try await tmux.type("print \"found\", count(artifacts(\"*\"))")
        try await tmux.press("Enter")
        try await tmux.type("}")
        try await tmux.press("Enter")
        try await expectScreen("found 1")

        // Tab completes an artifact name (from the list already read) and closes the string.
        try await tmux.type("delete \"app-1")
        try await tmux.press("Tab")
        try await expectScreen("bbx acme/app> delete \"app-1.0.zip\"")
        try await tmux.press("Enter")
        try await expectScreen("Applied: 1 deleted")

        // Tab completes local paths inside the string of an upload.
        try await tmux.type("upload \"bu")
        try await tmux.press("Tab")
        try await expectScreen("upload \"build/")
        try await tmux.type("app-1.4.0-l")
        try await tmux.press("Tab")
        try await expectScreen("upload \"build/app-1.4.0-linux.zip\"")
        try await tmux.press("Enter")
        try await expectScreen("Applied: 1 uploaded")

        // Ctrl-C drops the line being typed.
        try await tmux.type("print \"dropped\"")
        try await tmux.press("C-c")
        try await expectScreen("print \"dropped\"^C")
        let afterDrop = try await tmux.waitForScreen { last($0) == "bbx acme/app>" }
        #expect(!afterDrop.contains("\ndropped"))

        // An error keeps the session.
        try await tmux.type("download \"*.tgz\"")
        try await tmux.press("Enter")
        try await expectScreen("<repl>:1:10: error: no artifact in acme/app matches '*.tgz'")

        // Ctrl-C stops a running transfer; nothing half-written remains.
        try await world.serve.addFault(
            #"{"delay_ms": 30000, "count": 1, "method": "GET", "path": "/2.0/repositories/acme/app/downloads/*"}"#)
        try await tmux.type("download \"app-1.4.0-linux.zip\" to \"out\"")
        try await tmux.press("Enter")
        let out = world.folder.appendingPathComponent("out").path
        var started = false
        for _ in 0..<1200 where !started {
            started = ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).contains {
                $0.hasPrefix(".app-1.4.0-linux.zip.")
            }
            if !started { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(started, "the download never started")
        try await tmux.press("C-c")
        try await expectScreen("Apply interrupted: 0 done, 1 interrupted, 0 not started")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).isEmpty)
        try await tmux.type("print \"still here\"")
        try await tmux.press("Enter")
        try await expectScreen("still here")

        // Ctrl-D on an empty line leaves.
        try await tmux.press("C-d")
        var running = true
        for _ in 0..<600 where running {
            running = try await tmux.isRunning()
            if running { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(!running, "bbx repl did not leave on Ctrl-D")

        let text = try String(contentsOfFile: history, encoding: .utf8)
        #expect(
            text == """
                # bbx repl history v1
                list
                if exists "app-1.0.zip" {\\nprint "found", count(artifacts("*"))\\n}
                delete "app-1.0.zip"
                upload "build/app-1.4.0-linux.zip"
                download "*.tgz"
                download "app-1.4.0-linux.zip" to "out"
                print "still here"

                """)
        #expect(!text.contains(EndToEnd.token))
    }
}

@Suite("bbx repl without a terminal")
struct ReplPipedTests {
    /// `bbx repl < session.txt`: lines read plainly, entries planned and applied, errors reported
    /// and the session going on to the end of input, which then exits 65 for the failed entry.
    @Test func scriptedInputRunsEntryByEntry() async throws {
        try await EndToEnd.with { world in
            let input = """
                upload "build/*.zip"
                if exists "app-1.4.0-linux.zip" {
                    print "uploaded"
                }
                delete "nothing-*"
                prune keep "x"
                :dry-run on
                delete "*.zip"
                :vars
                """
            let result = try await BBXProcess.launch(
                ["repl", "--use", "acme/app"], environment: world.environment, in: world.folder, stdin: input)
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stdout.contains("Applied: 2 uploaded"))
            #expect(result.stdout.contains("uploaded\n"))
            #expect(result.stdout.contains("= skip     nothing-*"))
            #expect(
                result.stderr.contains(
                    "<repl>:1:12: error: expected how many to keep (an integer), found the text \"x\", which does not read as one"
                ))
            #expect(result.stdout.contains("- delete   app-1.4.0-linux.zip"))
            #expect(result.stdout.contains("repository: acme/app\ndry-run: on\n"))
            #expect(!result.stdout.contains("bbx acme/app>"), "no prompts without a terminal")
            #expect(try await world.remote().count == 2, "dry-run deleted nothing")
        }
    }

    /// `bbx repl --sandbox` cannot know which repositories and linkers the session will name, so
    /// in its sandbox every one asked for exists.
    @Test func theSandboxHasWhateverTheSessionNames() async throws {
        try await EndToEnd.with { world in
            let input = """
                :use acme/web
                upload "dist/app.tar.gz"
                list
                linker "PROJ" add "OPS"
                linker "PROJ" values
                """
            let result = try await BBXProcess.launch(["repl", "--sandbox"], in: world.folder, stdin: input)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("sandbox: a local emulator at http://127.0.0.1:"), "\(result.stdout)")
            #expect(result.stdout.contains("with any repository you name;"), "\(result.stdout)")
            #expect(result.stdout.contains("Applied: 1 uploaded"), "\(result.stdout)")
            #expect(result.stdout.contains("acme/web: 1 artifact"), "\(result.stdout)")
            #expect(result.stdout.contains("\tOPS\n"), "\(result.stdout)")
        }
    }
}
