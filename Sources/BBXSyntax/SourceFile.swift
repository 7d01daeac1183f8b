/// A script's text as bytes, with the table that turns byte offsets into lines and columns.
///
/// Positions everywhere else are byte offsets; line and column are computed only when a
/// diagnostic is shown, so the lexer and parser never count characters.
public struct SourceFile: Sendable {
    /// The name shown in diagnostics (a path, `<repl>`, `<-e>`).
    public let name: String
    /// The raw bytes. They need not be valid UTF-8: the lexer reports what it cannot read.
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each line.
    private let lineStarts: [Int]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// The text of the whole file, with invalid UTF-8 replaced by U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The source text of a range, with invalid UTF-8 replaced by U+FFFD.
    public func text(of range: SourceRange) -> String {
        let start = max(0, min(range.start, bytes.count))
        let end = max(start, min(range.end, bytes.count))
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    public var lineCount: Int { lineStarts.count }

    /// The 1-based line and column of a byte offset; columns count characters, not bytes.
    public func location(of offset: Int) -> SourceLocation {
        let offset = max(0, min(offset, bytes.count))
        let line = lineIndex(containing: offset)
        let prefix = String(decoding: bytes[lineStarts[line]..<offset], as: UTF8.self)
        return SourceLocation(line: line + 1, column: prefix.count + 1)
    }

    /// The text of a 1-based line, without its line break.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Byte offset where a 1-based line starts.
    public func lineStart(_ number: Int) -> Int {
        lineStarts[max(0, min(number - 1, lineStarts.count - 1))]
    }

    private func lineIndex(containing offset: Int) -> Int {
        // Binary search: the last line start that is <= offset.
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }
}

/// A 1-based line and column (columns in characters).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// A half-open range of byte offsets into a `SourceFile`.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }
    public init(_ start: Int, _ end: Int) { self.init(start: start, end: end) }
    /// An empty range at one offset, for "expected X here".
    public static func at(_ offset: Int) -> SourceRange { SourceRange(offset, offset) }
    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(Swift.min(start, other.start), Swift.max(end, other.end))
    }
    public var isEmpty: Bool { start == end }
    public var description: String { "\(start)..<\(end)" }
}
