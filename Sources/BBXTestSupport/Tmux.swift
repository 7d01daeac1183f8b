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

    /// Runs one tmux client command. Not through Foundation's `Process`: the tmux server that a
    /// first client forks keeps the descriptors it inherited, and `Process` then never learns
    /// that the client ended. `posix_spawn` and `waitpid` on a thread of its own do.
    @discardableResult
    func run(_ arguments: [String]) async throws -> BBXProcess.Result {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let err = folder.appendingPathComponent("err").path
        let argv = ["tmux", "-L", socket] + arguments
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                // The server a first client forks lives on: it must not keep other descriptors.
                _ = GNU.addCloseFrom?(&actions, 3)
                defer { posix_spawn_file_actions_destroy(&actions) }
                var pid: pid_t = 0
                let cArguments = argv.map { strdup($0) } + [nil]
                defer { cArguments.forEach { free($0) } }
                let spawned = posix_spawnp(&pid, "tmux", &actions, nil, cArguments, environ)
                guard spawned == 0 else {
                    continuation.resume(
                        throwing: Failure(description: "cannot run tmux: \(String(cString: strerror(spawned)))"))
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
        return BBXProcess.Result(
            status: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
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
