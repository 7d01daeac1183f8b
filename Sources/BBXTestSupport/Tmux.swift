import Foundation

/// A real terminal for tests: a tmux server of its own (its own socket), one window running a
/// command, keys sent as a user types them, the screen read back.
public final class Tmux: Sendable {
    let socket = "bbx-test-\(UUID().uuidString.prefix(8))"

    /// Starts `command` (argv) in a window of `width`×`height`, in `directory`, with `environment`.
    public init(
        _ command: [String], environment: [String: String], in directory: URL, width: Int = 120, height: Int = 40
    ) async throws {
        var arguments = ["new-session", "-d", "-s", "main", "-x", "\(width)", "-y", "\(height)", "-c", directory.path]
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["-e", "\(key)=\(value)"] }
        arguments.append(command.map(Self.quote).joined(separator: " "))
        let result = try await run(arguments)
        guard result.status == 0 else { throw Failure(description: "tmux did not start: \(result.stderr)") }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs one tmux client command, as a `ChildProcess`: the tmux server a first client forks
    /// lives on, and must keep no descriptor of ours.
    @discardableResult
    func run(_ arguments: [String]) async throws -> BBXProcess.Result {
        try await ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["tmux", "-L", socket] + arguments).wait()
    }

    /// Types text literally (no key names).
    public func type(_ text: String) async throws {
        try await run(["send-keys", "-t", "main", "-l", text])
    }

    /// Presses keys by name: `Enter`, `Tab`, `C-c`, `C-d`, `Up`.
    public func press(_ keys: String...) async throws {
        try await run(["send-keys", "-t", "main"] + keys)
    }

    /// The visible screen, lines without trailing spaces.
    public func screen() async throws -> String {
        try await run(["capture-pane", "-p", "-t", "main"]).stdout
    }

    /// Polls the screen until `predicate` holds (or 60 s pass); returns the last screen seen.
    @discardableResult
    public func waitForScreen(_ predicate: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(60)
        var last = ""
        while Date() < deadline {
            last = try await screen()
            if predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        return last
    }

    /// Whether the window's command is still running.
    public func isRunning() async throws -> Bool {
        try await run(["has-session", "-t", "main"]).status == 0
    }

    public func kill() async {
        _ = try? await run(["kill-server"])
    }

    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
