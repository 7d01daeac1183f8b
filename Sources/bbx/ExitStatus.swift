import ArgumentParser

/// The exit codes of the command-line contract (the README's and `--help`'s tables). Several
/// names share a code: each says why a command ends, so a reader of `throw` knows which rule applies.
enum ExitStatus {
    static let success = ExitCode(0)
    /// A step failed, or Bitbucket could not be reached.
    static let applyFailed = ExitCode(1)
    /// `bbx serve` or `--sandbox` could not start.
    static let serverFailed = ExitCode(1)
    /// `bbx fmt --check`: some file is not in the canonical layout.
    static let unformatted = ExitCode(1)
    static let usage = ExitCode(64)
    static let scriptError = ExitCode(65)
    /// Out of requests (`--max-requests`, or Bitbucket's hourly limit): run again to continue.
    static let outOfRequests = ExitCode(75)
    static let credentials = ExitCode(77)
}
