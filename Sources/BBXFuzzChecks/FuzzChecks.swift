/// The invariants bbx's fuzz targets check, one function per target: each takes any bytes and
/// returns nil, or what was violated. A crash or a hang is a failure too. libFuzzer drives them
/// from the `fuzz/` package; `FuzzCorpusTests` replays the committed corpora through them.
public enum FuzzChecks {
    /// Every check by its target's name.
    public static let all: [String: @Sendable ([UInt8]) -> String?] = [
        "syntax": syntax, "glob": glob, "listing": listing, "multipart": multipart, "jwt": jwt,
    ]

    /// Splits fuzz input in two at the first NUL: (pattern, name), (boundary, body)…
    static func split(_ bytes: [UInt8]) -> (first: [UInt8], rest: [UInt8]) {
        guard let zero = bytes.firstIndex(of: 0) else { return (bytes, []) }
        return (Array(bytes[..<zero]), Array(bytes[(zero + 1)...]))
    }
}
