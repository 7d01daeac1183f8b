import Foundation

/// A child process whose output goes to files and whose end resumes a task: waiting for it
/// never blocks one of the few cooperative threads the tests (and an in-process emulator) share.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    let folder: URL
    private let ended: Task<Void, Never>
    private let continuation: AsyncStream<Void>.Continuation

    /// Starts `executable` with `arguments`; `environment` is added to this process's own.
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
        stdin: String? = nil
    ) throws {
        folder = try BBXProcess.temporaryDirectory()
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        self.continuation = continuation
        ended = Task {
            for await _ in stream { break }
        }
        process.executableURL = executable
        process.arguments = arguments
        process.environment = BBXProcess.childEnvironment(adding: environment)
        if let directory { process.currentDirectoryURL = directory }
        for name in ["out", "err", "in"] {
            FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: nil)
        }
        if let stdin { try Data(stdin.utf8).write(to: folder.appendingPathComponent("in")) }
        process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("out"))
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("err"))
        process.standardInput = try FileHandle(forReadingFrom: folder.appendingPathComponent("in"))
        process.terminationHandler = { _ in
            continuation.yield()
            continuation.finish()
        }
        try process.run()
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// What it has written to standard output so far.
    public var stdout: String { read("out") }
    public var stderr: String { read("err") }

    func read(_ name: String) -> String {
        (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the end (without blocking a thread) and returns what it wrote.
    public func wait() async -> BBXProcess.Result {
        await ended.value
        while process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
        return BBXProcess.Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
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
