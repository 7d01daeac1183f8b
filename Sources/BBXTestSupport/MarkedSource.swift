/// Source text with location markers, so tests point at places instead of counting columns:
///
///     let marked = MarkedSource("upload \"x\" to 1️⃣")
///     marked.text        // "upload \"x\" to "
///     marked["1️⃣"]       // byte offset where the marker stood
public struct MarkedSource {
    public static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    public let text: String
    public let offsets: [String: Int]

    public init(_ marked: String) {
        var text = ""
        var offsets: [String: Int] = [:]
        var rest = Substring(marked)
        while !rest.isEmpty {
            if let marker = MarkedSource.markers.first(where: { rest.hasPrefix($0) }) {
                offsets[marker] = text.utf8.count
                rest = rest.dropFirst(marker.count)
            } else {
                text.append(rest.removeFirst())
            }
        }
        self.text = text
        self.offsets = offsets
    }

    public subscript(marker: String) -> Int {
        guard let offset = offsets[marker] else { fatalError("no marker \(marker) in the test's source") }
        return offset
    }
}
