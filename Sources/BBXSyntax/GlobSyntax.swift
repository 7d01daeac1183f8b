/// The characters of the language's glob patterns, in one place: the checker, the planner and
/// the local file walk ask the same question of a pattern.
public enum GlobSyntax {
    /// The characters that make a pattern match more than its own text (`*`, `?`, `[…]`, `{…}`).
    public static let wildcards: Set<Character> = ["*", "?", "[", "{"]
    /// The characters `\` makes literal: the wildcards, their closing brackets, and `\` itself.
    public static let escapable: Set<Character> = ["*", "?", "[", "]", "{", "}", "\\"]

    /// Whether `text` holds a wildcard, so that as a pattern it may match other names.
    public static func hasWildcards<Text: StringProtocol>(_ text: Text) -> Bool {
        text.contains { wildcards.contains($0) }
    }
}
