import Foundation

extension DecodingError {
    /// Where decoding failed, as a field path and what was wrong there (`values[0].name is
    /// missing`, `plan.steps[2].kind: …`): what a user needs to find the fault in a plan file or
    /// a server's answer.
    public var fieldDescription: String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "\([path(context), key.stringValue].filter { !$0.isEmpty }.joined(separator: ".")) is missing"
        case .typeMismatch(_, let context), .dataCorrupted(let context), .valueNotFound(_, let context):
            let at = path(context)
            return at.isEmpty ? context.debugDescription : "\(at): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }

    /// The data was not JSON at all (an HTML error page from a proxy, say).
    public var isNotJSON: Bool {
        if case .dataCorrupted(let context) = self, context.codingPath.isEmpty { return true }
        return false
    }
}
