import Foundation

/// What reading a line gave.
public enum LineInput: Equatable, Sendable {
    case line(String)
    /// Ctrl-C at the prompt: the line (and any unfinished entry) is dropped.
    case interrupt
    /// Ctrl-D on an empty line, or the end of standard input.
    case end
}

/// Where the REPL's lines come from: libedit on a terminal, plain standard input otherwise, a
/// list of lines in tests.
public protocol LineReader: AnyObject {
    func read(prompt: String) -> LineInput
    /// A complete entry, to recall with the arrow keys (stored once, however many lines).
    func remember(_ entry: String)
}

/// Standard input that is not a terminal (`bbx repl < session.bbx`): no prompts, no editing.
/// With `prompts`, a terminal libedit cannot drive (TERM unknown) still gets its prompts.
public final class PlainLineReader: LineReader {
    let write: ((String) -> Void)?

    public init(prompts write: ((String) -> Void)? = nil) { self.write = write }

    public func read(prompt: String) -> LineInput {
        write?(prompt)
        guard let line = readLine(strippingNewline: true) else { return .end }
        return .line(line)
    }

    public func remember(_ entry: String) {}
}
