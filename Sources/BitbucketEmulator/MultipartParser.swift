import Foundation

/// A streaming `multipart/form-data` parser. Bytes are fed as they arrive and part data is handed
/// on at once, so memory stays flat whatever the upload's size.
///
/// The boundary is found with `memchr` for its first byte and `memcmp` for the rest, over whole
/// buffers: on this machine that parses a 1 GiB upload several times faster than a byte-by-byte
/// state machine.
struct MultipartParser {
    enum Event {
        /// A part begins; its headers, names in lower case.
        case begin([String: String])
        /// Bytes of the current part (valid only during the call).
        case data(UnsafeRawBufferPointer)
        case end
    }

    enum Failure: Error, CustomStringConvertible {
        case headersTooLarge
        case malformedHeaders
        case truncated

        var description: String {
            switch self {
            case .headersTooLarge: return "a part's headers are too large"
            case .malformedHeaders: return "a part's headers cannot be read"
            case .truncated: return "the multipart body ends before its closing boundary"
            }
        }
    }

    private enum State { case delimiter, afterDelimiter, headers, body, done }

    /// `\r\n--boundary`; the body is read as if it started with `\r\n`, so the first boundary
    /// needs no special case.
    private let delimiter: [UInt8]
    private var buffer: [UInt8] = [13, 10]
    private var start = 0
    private var state = State.delimiter
    static let maximumHeaderBytes = 16 * 1024

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Extracts the boundary of a `multipart/form-data` content type; nil for anything else.
    static func boundary(fromContentType contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                var value = pair[1]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = String(value.dropFirst().dropLast())
                }
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ sink: (Event) throws -> Void) throws {
        guard state != .done else { return }
        buffer.append(contentsOf: bytes)
        try process(sink)
        // Drop what was consumed; what is kept is at most a partial delimiter or header block.
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    /// Call at the end of the body: an unfinished body is an error.
    func finish() throws {
        if state != .done { throw Failure.truncated }
    }

    private mutating func process(_ sink: (Event) throws -> Void) throws {
        while true {
            switch state {
            case .delimiter:
                // Preamble: skip to the first delimiter.
                guard let match = find(delimiter, from: start) else {
                    start = max(start, buffer.count - delimiter.count + 1)
                    return
                }
                start = match + delimiter.count
                state = .afterDelimiter
            case .afterDelimiter:
                guard buffer.count - start >= 2 else { return }
                if buffer[start] == UInt8(ascii: "-"), buffer[start + 1] == UInt8(ascii: "-") {
                    state = .done
                    start = buffer.count
                    return
                }
                // Transport padding (spaces, tabs) may stand before the line break.
                var index = start
                while index < buffer.count, buffer[index] == 32 || buffer[index] == 9 { index += 1 }
                guard buffer.count - index >= 2 else { return }
                guard buffer[index] == 13, buffer[index + 1] == 10 else { throw Failure.malformedHeaders }
                start = index + 2
                state = .headers
            case .headers:
                // A part with no headers at all starts directly with its blank line. Decided
                // before looking for the blank line that ends headers: with the whole body at
                // hand, that search would find one inside the part's data (fuzzing found that
                // a body then parsed one way whole and another way byte by byte).
                guard buffer.count - start >= 2 else { return }
                if buffer[start] == 13, buffer[start + 1] == 10 {
                    start += 2
                    try sink(.begin([:]))
                    state = .body
                    continue
                }
                guard let end = find([13, 10, 13, 10], from: start) else {
                    // Up to three bytes of the blank line that ends them may be here already.
                    if buffer.count - start > MultipartParser.maximumHeaderBytes + 3 {
                        throw Failure.headersTooLarge
                    }
                    return
                }
                // The limit holds however the bytes arrive: a block found whole in one chunk is
                // measured too.
                if end - start > MultipartParser.maximumHeaderBytes { throw Failure.headersTooLarge }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 4
                try sink(.begin(try MultipartParser.parseHeaders(text)))
                state = .body
            case .body:
                if let match = find(delimiter, from: start) {
                    try emit(start, match, sink)
                    try sink(.end)
                    start = match + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Everything but a possible start of the delimiter can go.
                    let keep = delimiter.count - 1
                    let safeEnd = max(start, buffer.count - keep)
                    try emit(start, safeEnd, sink)
                    start = safeEnd
                    return
                }
            case .done:
                return
            }
        }
    }

    private func emit(_ from: Int, _ to: Int, _ sink: (Event) throws -> Void) throws {
        guard to > from else { return }
        try buffer.withUnsafeBytes { raw in
            try sink(.data(UnsafeRawBufferPointer(rebasing: raw[from..<to])))
        }
    }

    /// The offset of `needle` in the buffer at or after `from`, or nil.
    private func find(_ needle: [UInt8], from: Int) -> Int? {
        let count = buffer.count
        guard count - from >= needle.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            needle.withUnsafeBytes { pattern -> Int? in
                let base = raw.baseAddress!
                let first = Int32(needle[0])
                var offset = from
                let last = count - needle.count
                while offset <= last {
                    guard let hit = memchr(base + offset, first, last - offset + 1) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, pattern.baseAddress!, needle.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }

    static func parseHeaders(_ text: String) throws -> [String: String] {
        var headers: [String: String] = [:]
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformedHeaders }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// The `name` and `filename` of `Content-Disposition: form-data; name="files"; filename="a.zip"`
    /// (`filename*=UTF-8''…` wins when present).
    static func disposition(_ value: String) -> (name: String?, filename: String?) {
        var parameters: [String: String] = [:]
        var index = value.startIndex
        // Skip the disposition type.
        while index < value.endIndex, value[index] != ";" { index = value.index(after: index) }
        while index < value.endIndex {
            index = value.index(after: index)  // past ';'
            while index < value.endIndex, value[index] == " " || value[index] == "\t" {
                index = value.index(after: index)
            }
            var key = ""
            while index < value.endIndex, value[index] != "=", value[index] != ";" {
                key.append(value[index])
                index = value.index(after: index)
            }
            var parameter = ""
            if index < value.endIndex, value[index] == "=" {
                index = value.index(after: index)
                if index < value.endIndex, value[index] == "\"" {
                    index = value.index(after: index)
                    while index < value.endIndex, value[index] != "\"" {
                        if value[index] == "\\", value.index(after: index) < value.endIndex {
                            index = value.index(after: index)
                        }
                        parameter.append(value[index])
                        index = value.index(after: index)
                    }
                    if index < value.endIndex { index = value.index(after: index) }
                    while index < value.endIndex, value[index] != ";" { index = value.index(after: index) }
                } else {
                    while index < value.endIndex, value[index] != ";" {
                        parameter.append(value[index])
                        index = value.index(after: index)
                    }
                }
            }
            parameters[key.trimmingCharacters(in: .whitespaces).lowercased()] = parameter.trimmingCharacters(
                in: .whitespaces)
        }
        var filename = parameters["filename"]
        if let extended = parameters["filename*"], let quote = extended.range(of: "''") {
            filename = String(extended[quote.upperBound...]).removingPercentEncoding ?? filename
        }
        return (parameters["name"], filename)
    }
}

/// The parser from outside the emulator (fuzzing, tests): a whole body fed in chunks of the
/// given sizes (cycled), and what it yields.
public enum MultipartInspection {
    public struct Part: Equatable, Sendable {
        public let headers: [String: String]
        public let size: Int
    }

    /// What parsing a body gives: its parts, or why it failed.
    public enum Outcome: Equatable, Sendable {
        case parts([Part])
        case failure(String)
    }

    public static func parse(_ body: [UInt8], boundary: String, chunkSizes: [Int]) -> Outcome {
        var parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var headers: [String: String]?
        var size = 0
        var offset = 0
        var turn = 0
        do {
            while offset < body.count {
                let length = max(1, chunkSizes.isEmpty ? body.count : chunkSizes[turn % chunkSizes.count])
                turn += 1
                let end = min(body.count, offset + length)
                try body[offset..<end].withUnsafeBytes { bytes in
                    try parser.feed(bytes) { event in
                        switch event {
                        case .begin(let found):
                            headers = found
                            size = 0
                        case .data(let data): size += data.count
                        case .end:
                            parts.append(Part(headers: headers ?? [:], size: size))
                            headers = nil
                        }
                    }
                }
                offset = end
            }
            try parser.finish()
            return .parts(parts)
        } catch {
            return .failure("\(error)")
        }
    }
}
