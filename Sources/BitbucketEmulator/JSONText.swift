import ConnectJWT

/// JSON written directly as text, for the listing's hot path: Foundation's `JSONSerialization`
/// of `[String: Any]` took about 0.3 ms per artifact on Linux (a page of 100: 35 ms), this
/// takes microseconds. Keys are written in sorted order, as `Reply.json` writes them.
enum JSONText {
    indirect enum Value {
        case string(String)
        case integer(Int64)
        case boolean(Bool)
        case object([(String, Value)])
        case array([Value])

        func write(to out: inout String) {
            switch self {
            case .string(let text): JSONText.quote(text, into: &out)
            case .integer(let number): out += String(number)
            case .boolean(let flag): out += flag ? "true" : "false"
            case .array(let items):
                out += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { out += "," }
                    item.write(to: &out)
                }
                out += "]"
            case .object(let members):
                out += "{"
                for (index, member) in members.sorted(by: { $0.0 < $1.0 }).enumerated() {
                    if index > 0 { out += "," }
                    JSONText.quote(member.0, into: &out)
                    out += ":"
                    member.1.write(to: &out)
                }
                out += "}"
            }
        }

        var text: String {
            var out = ""
            write(to: &out)
            return out
        }
    }

    /// A JSON string (the one escaper the JWT code uses too): slashes unescaped, like
    /// `.withoutEscapingSlashes`.
    static func quote(_ text: String, into out: inout String) {
        out += ConnectJWT.jsonString(text)
    }
}
