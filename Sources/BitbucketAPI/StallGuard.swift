import Synchronization

/// Bytes of an answer received so far: counted by whatever reads it, watched by
/// `withStallGuard` from another task.
final class ReceivedBytes: Sendable {
    private let count = Atomic<Int64>(0)

    func add(_ bytes: Int) { count.add(Int64(bytes), ordering: .relaxed) }
    var value: Int64 { count.load(ordering: .relaxed) }
}

/// What `withStallGuard` throws when it ended the operation.
struct Stalled: Error {}

/// Runs `operation`, cancelling it and throwing `Stalled` when fewer than `minimum` bytes
/// arrived in a whole `window`. A server that sends a few bytes now and then never lets a read
/// timeout fire, and would hold a release job forever; a slow but steady one is left alone.
func withStallGuard<T: Sendable>(
    window: Duration, minimum: Int64, received: ReceivedBytes, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            var before = received.value
            while true {
                try await Task.sleep(for: window)
                let now = received.value
                if now - before < minimum { throw Stalled() }
                before = now
            }
        }
        defer { group.cancelAll() }
        while let result = try await group.next() {
            if let result { return result }
        }
        throw CancellationError()
    }
}
