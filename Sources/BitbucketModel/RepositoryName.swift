/// A repository written as `workspace/slug`, either part possibly a `{uuid}`: the one type for a
/// repository from the script to the client. Only valid names exist (`init?(parsing:)`), and it
/// is written and read as the string `workspace/slug` (plans, `--json`).
public struct RepositoryName: Hashable, Sendable, CustomStringConvertible, Codable, Comparable {
    public let workspace: String
    public let slug: String

    /// Parses `acme/app`, `acme-corp/web.site_2` or `{ws-uuid}/{repo-uuid}`; nil when it is not one.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let workspace = String(parts[0])
        let slug = String(parts[1])
        guard RepositoryName.isValid(workspace, allowingDot: false), RepositoryName.isValid(slug, allowingDot: true)
        else { return nil }
        self.workspace = workspace
        self.slug = slug
    }

    public var description: String { "\(workspace)/\(slug)" }

    public static func < (a: RepositoryName, b: RepositoryName) -> Bool { a.description < b.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let name = RepositoryName(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a repository (workspace/slug)")
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Whether `text` can be a workspace: its slug, or its `{uuid}`.
    public static func isWorkspace(_ text: String) -> Bool { isValid(text, allowingDot: false) }

    private static func isValid(_ part: String, allowingDot: Bool) -> Bool {
        guard !part.isEmpty else { return false }
        if part.hasPrefix("{") {
            // A UUID in braces (letters, digits and dashes: real ones are hex, documentation
            // writes `{ws-uuid}`).
            guard part.hasSuffix("}"), part.count > 2 else { return false }
            return part.dropFirst().dropLast().allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        }
        return part.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_": return true
            case ".": return allowingDot
            default: return false
            }
        }
    }
}
