import BBXTestSupport
import Foundation
import Testing

/// The REPL as a new user meets it, in a real terminal (tmux): Tab knows the repository's
/// artifacts from the first prompt and after `:use`, names holding glob characters complete,
/// `:save` does not overwrite a script, and `:help` lists every statement the grammar has.
@Suite("bbx repl: the first hour, in a terminal")
struct ReplFirstHourTerminalTests {
    static func session(
        _ world: EndToEnd, _ arguments: [String], height: Int = 40, _ body: (Tmux) async throws -> Void
    ) async throws {
        var environment = world.environment
        environment["TERM"] = "xterm"
        environment["HOME"] = world.folder.path
        environment["BBX_HISTORY"] = world.folder.appendingPathComponent("history").path
        let tmux = try await Tmux(
            [BBXProcess.executable.path, "repl"] + arguments, environment: environment, in: world.folder,
            height: height)
        do { try await body(tmux) } catch {
            await tmux.kill()
            throw error
        }
        await tmux.kill()
    }

    static func expectScreen(_ tmux: Tmux, _ text: String, _ comment: Comment? = nil) async throws {
        let screen = try await tmux.waitForScreen { $0.contains(text) }
        #expect(screen.contains(text), "\(comment ?? "")\n\(screen)")
    }

    @Test func tabKnowsTheArtifactsFromTheStartAndAfterUse() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "lib [1].zip", size: 10)
            try await world.serve.seed("acme/app", "lib-2.0.zip", size: 10)
            try await world.serve.seed("acme/web", "site-3.1.tgz", size: 10)
            try world.write("release.bbx", "use acme/app\nupload \"build/*.zip\"\nprune \"app-*\" keep 5\n")
            try await Self.session(world, ["--use", "acme/app"]) { tmux in
                try await Self.expectScreen(tmux, "bbx acme/app>")
                // No `list`, no `:refresh`: the session read the repository as it started.
                try await tmux.type("delete \"lib-")
                try await tmux.press("Tab")
                try await Self.expectScreen(tmux, "bbx acme/app> delete \"lib-2.0.zip\"")
                try await tmux.press("C-c")
                // A `[` typed is the character in the name; the pattern inserted matches only it.
                try await tmux.type("delete \"lib [")
                try await tmux.press("Tab")
                try await Self.expectScreen(tmux, #"bbx acme/app> delete "lib \\[1\\].zip""#)
                try await tmux.press("Enter")
                try await Self.expectScreen(tmux, "Applied: 1 deleted")
                #expect(try await world.remote("acme/app").keys.map(\.text) == ["lib-2.0.zip"])

                try await tmux.type(":use acme/web")
                try await tmux.press("Enter")
                try await Self.expectScreen(tmux, "bbx acme/web>")
                try await tmux.type("download \"si")
                try await tmux.press("Tab")
                try await Self.expectScreen(tmux, "bbx acme/web> download \"site-3.1.tgz\"")
                try await tmux.press("C-c")

                // `:save` never takes the place of a script; `:save!` does, when asked.
                try await tmux.type(":save release.bbx")
                try await tmux.press("Enter")
                try await Self.expectScreen(tmux, "error: 'release.bbx' exists; nothing was written")
                #expect(
                    String(decoding: world.contents("release.bbx") ?? Data(), as: UTF8.self)
                        == "use acme/app\nupload \"build/*.zip\"\nprune \"app-*\" keep 5\n")
                try await tmux.type(":save! release.bbx")
                try await tmux.press("Enter")
                try await Self.expectScreen(tmux, "saved 3 statements to release.bbx")
                let saved = String(decoding: world.contents("release.bbx") ?? Data(), as: UTF8.self)
                #expect(saved.contains("use acme/web"), "\(saved)")
            }
        }
    }

    @Test func helpListsEveryStatementOfTheGrammar() async throws {
        // The statement keywords, read from the grammar: `name_stmt = "keyword" …`.
        let grammar = try String(contentsOf: Paths.root.appendingPathComponent("grammar/bbx.ebnf"), encoding: .utf8)
        let keywords = grammar.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).hasSuffix("_stmt"),
                let open = parts[1].firstIndex(of: "\""),
                let close = parts[1][parts[1].index(after: open)...].firstIndex(of: "\"")
            else { return nil }
            return String(parts[1][parts[1].index(after: open)..<close])
        }
        #expect(keywords.count == 18, "\(keywords)")
        try await EndToEnd.with { world in
            try await Self.session(world, [], height: 60) { tmux in
                try await Self.expectScreen(tmux, "bbx>")
                try await tmux.type(":help")
                try await tmux.press("Enter")
                let screen = try await tmux.waitForScreen { $0.contains("Ctrl-C clears the line") }
                let starts = Set(
                    screen.split(separator: "\n").compactMap {
                        $0.hasPrefix("  ") ? $0.split(separator: " ").first.map(String.init) : nil
                    })
                for keyword in keywords {
                    #expect(starts.contains(keyword), "':help' has no line for '\(keyword)':\n\(screen)")
                }
                for meta in [":refresh", ":save", ":save!"] {
                    #expect(starts.contains(meta), "\(meta) missing:\n\(screen)")
                }
            }
        }
    }
}
