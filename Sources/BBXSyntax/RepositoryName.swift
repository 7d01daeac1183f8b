/// A repository written as `workspace/slug`, either part possibly a `{uuid}`.
public struct RepositoryName: Hashable, Sendable, CustomStringConvertible, Codable {
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
