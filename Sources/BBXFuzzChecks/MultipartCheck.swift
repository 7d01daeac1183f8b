import BitbucketEmulator

extension FuzzChecks {
    /// The emulator's streaming multipart parser (boundary, NUL, body): the outcome is the same
    /// however the bytes arrive (whole, one at a time, in uneven chunks), so limits and
    /// boundaries split across chunks are honoured.
    public static func multipart(_ bytes: [UInt8]) -> String? {
        let (first, body) = split(bytes)
        let boundary = String(decoding: first.prefix(70), as: UTF8.self)
        guard !boundary.isEmpty else { return nil }
        let whole = MultipartInspection.parse(body, boundary: boundary, chunkSizes: [])
        for sizes in [[1], [3, 1, 7], [4096]]
        where MultipartInspection.parse(body, boundary: boundary, chunkSizes: sizes) != whole {
            return "chunks of \(sizes) parse differently from the whole body"
        }
        return nil
    }
}
