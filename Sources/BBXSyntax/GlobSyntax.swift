/// The characters of the language's glob patterns, in one place: the checker, the planner and
/// the local file walk ask the same question of a pattern.
///
/// Patterns are read, and names matched, by Unicode scalars, as shells and `fnmatch` match
/// code points: a `*` followed by a combining mark is still a `*` (as a Character it would be
/// another character), and `é` does not match `e` followed by a combining accent, which
/// Bitbucket keeps as another name.
public enum GlobSyntax {
    /// The characters that make a pattern match more than its own text (`*`, `?`, `[…]`, `{…}`).
    public static let wildcards: Set<Unicode.Scalar> = ["*", "?", "[", "{"]
    /// The characters `\` makes literal: the wildcards, their closing brackets, and `\` itself.
    public static let escapable: Set<Unicode.Scalar> = ["*", "?", "[", "]", "{", "}", "\\"]

    /// Whether `text` holds a wildcard, so that as a pattern it may match other names.
    public static func hasWildcards<Text: StringProtocol>(_ text: Text) -> Bool {
        text.unicodeScalars.contains { wildcards.contains($0) }
    }
}
