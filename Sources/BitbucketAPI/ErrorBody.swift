import Foundation

/// Bitbucket's error bodies, read leniently: `{"type":"error","error":{"message","detail"}}`
/// with `detail` a string or `{"required":[…],"granted":[…]}`, `{"error":"…"}`, plain text
/// (429), or the storage host's XML (`<Message>…</Message>`).
public struct ErrorBody: Equatable {
    public var message = ""
    public var detail: String?
    var required: [String] = []
    var granted: [String] = []

    public init(parsing data: Data) {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let error = object["error"] as? [String: Any] {
                message = error["message"] as? String ?? ""
                if let detail = error["detail"] as? String {
                    self.detail = detail
                } else if let detail = error["detail"] as? [String: Any] {
                    required = detail["required"] as? [String] ?? []
                    granted = detail["granted"] as? [String] ?? []
                }
            } else if let error = object["error"] as? String {
                message = error
            } else if let text = object["message"] as? String {
                message = text
            }
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        if let start = text.range(of: "<Message>"),
            let end = text.range(of: "</Message>", range: start.upperBound..<text.endIndex)
        {
            message = String(text[start.upperBound..<end.lowerBound])
            return
        }
        // Plain text or an HTML error page: its first line, not a wall of markup.
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        message = line.count > 300 ? String(line.prefix(300)) + "…" : line
        message = message.trimmingCharacters(in: .whitespaces)
    }
}
