import ArgumentParser

/// The exit codes of the command-line contract.
enum ExitStatus {
    static let success = ExitCode(0)
    static let applyFailed = ExitCode(1)
    static let changes = ExitCode(2)
    static let usage = ExitCode(64)
    static let scriptError = ExitCode(65)
    static let credentials = ExitCode(77)
}
