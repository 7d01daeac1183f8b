import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process whose output goes to files and whose end resumes a task: waiting for it
/// never blocks one of the few cooperative threads the tests (and an in-process emulator) share.
///
/// Not Foundation's `Process`, whose Linux version learns of a child's end through a socket the
/// child inherits: when a long-lived process started at the same moment (`bbx serve`, a tmux
/// server, tinyproxy) inherited that socket too, the end went unnoticed until it died, and
/// tests waited a minute. Here the child gets descriptors 0–2 and nothing else, starts with the
/// default signal dispositions and an empty mask, and `waitpid` on a thread of its own sees
/// its end.
///
/// Not swift-subprocess (1.0, in the package mirror) either, considered for issue 17: its `run`
/// ties a child's life to the scope of one call and its closure, whereas the tests start
/// `bbx serve`, tinyproxy and tmux servers that outlive the call that starts them, send them
/// signals at chosen moments (SIGTERM mid-upload, SIGINT mid-plan) and read their output
/// files while they run. Wrapping each in a task that holds `run` open would bring back the
/// bookkeeping this type does in 150 lines, with a second dependency for the tests.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    let folder: URL
    /// The wait status once it has ended.
    private let end = End()
    private let ended: Task<Void, Never>

    /// Starts `executable` with `arguments`; `environment` is added to this process's own.
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
        stdin: String? = nil
    ) throws {
        folder = try BBXProcess.temporaryDirectory()
        let input = folder.appendingPathComponent("in").path
        FileManager.default.createFile(atPath: input, contents: Data((stdin ?? "").utf8))
        pid = try Self.spawn(
            executable.path, arguments, environment: BBXProcess.childEnvironment(adding: environment),
            directory: directory?.path, stdin: input, stdout: folder.appendingPathComponent("out").path,
            stderr: folder.appendingPathComponent("err").path)
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        ended = Task {
            for await _ in stream { break }
        }
        let pid = pid
        let end = end
        // A thread of its own: blocking one of dispatch's few global threads (two here) for a
        // child's whole life would starve the tests' tasks.
        Thread.detachNewThread {
            var wait: Int32 = 0
            while waitpid(pid, &wait, 0) == -1 && errno == EINTR {}
            end.status.withLock { $0 = wait }
            continuation.yield()
            continuation.finish()
        }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String], directory: String?, stdin: String,
        stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard let closeFrom = GNU.addCloseFrom, let changeDirectory = GNU.addChangeDirectory else {
            throw CocoaError(
                .featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "this C library cannot spawn as tests need"])
        }
        _ = closeFrom(&actions, 3)
        if let directory { _ = changeDirectory(&actions, directory) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CocoaError(
                .fileReadUnknown,
                userInfo: [NSLocalizedDescriptionKey: "cannot run \(path): \(String(cString: strerror(result)))"])
        }
        return pid
    }

    /// What it has written to standard output so far.
    public var stdout: String { read("out") }
    public var stderr: String { read("err") }

    func read(_ name: String) -> String {
        (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    public var isRunning: Bool { end.status.withLock { $0 == nil } }

    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// Waits for the end (without blocking a thread) and returns what it wrote. The status is
    /// the exit code, or the signal's number when a signal ended it (as `Process` reports it).
    public func wait() async -> BBXProcess.Result {
        await ended.value
        let wait = end.status.withLock { $0 } ?? 0
        let code = wait & 0x7f == 0 ? (wait >> 8) & 0xff : wait & 0x7f
        return BBXProcess.Result(status: code, stdout: stdout, stderr: stderr)
    }

    /// Polls (every 20 ms) until `condition` holds or `seconds` pass; says whether it held.
    public func waitUntil(seconds: Double = 60, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

extension BBXProcess {
    /// Runs `bbx` to its end without blocking a thread.
    public static func launch(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil, stdin: String? = nil
    ) async throws -> Result {
        try await ChildProcess(executable, arguments, environment: environment, in: directory, stdin: stdin).wait()
    }
}

/// A child's wait status, shared with the thread that waits for it.
final class End: Sendable {
    let status = Mutex<Int32?>(nil)
}

/// glibc's `posix_spawn` extensions (2.29 and 2.34), declared only with `_GNU_SOURCE`, which
/// Swift's Glibc module does not define: looked up by name instead.
enum GNU {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let addCloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)
    static let addChangeDirectory = symbol("posix_spawn_file_actions_addchdir_np", as: AddChangeDirectory.self)

    static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        // A nil handle is RTLD_DEFAULT: every library the process has loaded.
        dlsym(nil, name).map { unsafeBitCast($0, to: type) }
    }
}
