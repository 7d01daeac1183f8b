/// The kind of value an expression has, as far as can be known before anything runs.
public indirect enum ValueKind: Hashable, Sendable, CustomStringConvertible {
    case string, integer, duration, boolean, repository, artifact, file, time, version
    case list(ValueKind)
    /// Not knowable (or already reported): accepted anywhere, so one mistake gives one message.
    case unknown

    public var description: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .duration: return "a duration"
        case .boolean: return "a boolean"
        case .repository: return "a repository"
        case .artifact: return "an artifact"
        case .file: return "a file"
        case .time: return "a time"
        case .version: return "a version"
        case .list(.unknown): return "a list"
        case .list(let element): return "a list of \(element.plural)"
        case .unknown: return "a value"
        }
    }

    var plural: String {
        switch self {
        case .string: return "strings"
        case .integer: return "integers"
        case .duration: return "durations"
        case .boolean: return "booleans"
        case .repository: return "repositories"
        case .artifact: return "artifacts"
        case .file: return "files"
        case .time: return "times"
        case .version: return "versions"
        case .list: return "lists"
        case .unknown: return "values"
        }
    }

    /// Whether a value of this kind is acceptable where `expected` is required.
    func fits(_ expected: ValueKind) -> Bool {
        switch (self, expected) {
        case (.unknown, _), (_, .unknown): return true
        case (.list(let a), .list(let b)): return a.fits(b)
        // A version compares with text that reads as one (`a.version >= "2.0"`).
        case (.version, .string), (.string, .version): return true
        default: return self == expected
        }
    }

    /// Kinds `<`, `<=`, `>`, `>=` can order.
    var isOrdered: Bool {
        switch self {
        case .string, .integer, .duration, .time, .version, .unknown: return true
        default: return false
        }
    }
}
