import Logging
import SafeText

/// The client's log, as people read it on standard error: retries ("attempt 2 of 5 in 1.0 s")
/// and recoveries, from notices up. Written through `Console`, so secrets are redacted.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        Console.error(
            "bbx: \(event.level == .notice ? "note" : event.level.rawValue): \("\(event.message)".terminalSafeLines)\n")
    }
}
