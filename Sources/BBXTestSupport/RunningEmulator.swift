import BitbucketEmulator
import Foundation
import Logging

/// An emulator running in this process on loopback ports chosen by the system, for tests.
public final class RunningEmulator: Sendable {
    public let api: String
    public let storage: String
    private let task: Task<Void, any Error>

    private init(api: String, storage: String, task: Task<Void, any Error>) {
        self.api = api
        self.storage = storage
        self.task = task
    }

    public static func start(_ configure: (inout EmulatorConfiguration) -> Void = { _ in }) async throws
        -> RunningEmulator
    {
        var configuration = EmulatorConfiguration()
        configuration.port = 0
        configuration.storagePort = 0
        configure(&configuration)
        // Quiet: the tests read the emulator's request log instead (bbx serve's own output is
        // tested through the command).
        let emulator = Emulator(
            configuration: configuration, logger: Logger(label: "bbx.serve.test") { _ in SwiftLogNoOpLogHandler() })
        let (addresses, continuation) = AsyncStream.makeStream(of: (String, String).self)
        let task = Task {
            defer { continuation.finish() }
            try await emulator.run { api, storage in continuation.yield((api, storage)) }
        }
        for await (api, storage) in addresses {
            return RunningEmulator(api: api, storage: storage, task: task)
        }
        // The emulator stopped before listening: report why.
        try await task.value
        throw CocoaError(.featureUnsupported)
    }

    /// Stops both listeners and waits until they are closed.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// `http://127.0.0.1:PORT/2.0/repositories/WORKSPACE/REPO/downloads`
    public func downloads(_ repository: String) -> String {
        "\(api)/2.0/repositories/\(repository)/downloads"
    }
}
