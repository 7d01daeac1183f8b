import Foundation

/// Secrets made while bbx runs (each Connect JWT, signed for one request): registered as they
/// are made, so that a server echoing the `Authorization` header it got has it redacted like a
/// configured token. Writers ask for the generation and rebuild their `Redactor` when it moved.
public enum LiveSecrets {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var values: [String] = []
    nonisolated(unsafe) private static var counter = 0
    /// JWTs live minutes; a run making more than this many keeps the newest.
    static let limit = 4096

    public static func register(_ secret: String) {
        lock.lock()
        defer { lock.unlock() }
        values.append(secret)
        if values.count > limit { values.removeFirst(values.count - limit) }
        counter += 1
    }

    /// How many were ever registered: a writer compares it with the one its redactor was built
    /// for, and copies the values only when it moved (every line written asks).
    public static var generation: Int {
        lock.lock()
        defer { lock.unlock() }
        return counter
    }

    /// How many were ever registered, and those kept.
    public static func snapshot() -> (generation: Int, values: [String]) {
        lock.lock()
        defer { lock.unlock() }
        return (counter, values)
    }
}
