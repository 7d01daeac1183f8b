/// A name compared as Bitbucket and Linux file systems compare names: by its bytes.
///
/// Swift's `String ==` holds canonically equivalent strings equal: `"café"` written with `é`
/// (U+00E9) equals `"café"` written with `e` and a combining accent (U+0301). Bitbucket keeps
/// those as two artifacts (a macOS build machine produces the second form, a Linux one the
/// first), so every map, set and comparison of artifact names goes through this type or
/// `isExactly`, never through `String`'s own equality.
public struct ExactName: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let text: String

    public init(_ text: String) { self.text = text }

    public init(stringLiteral text: String) { self.text = text }

    public var description: String { text }

    public static func == (lhs: ExactName, rhs: ExactName) -> Bool { lhs.text.isExactly(rhs.text) }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Bytewise order of the UTF-8 encoding (Unicode scalar order), as `LC_ALL=C sort`.
    public static func < (lhs: ExactName, rhs: ExactName) -> Bool {
        lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
    }
}

extension String {
    /// Whether the two are the same bytes (see `ExactName`).
    public func isExactly(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }

    /// Whether this precedes `other` bytewise (see `ExactName.<`).
    public func precedesBytewise(_ other: String) -> Bool { utf8.lexicographicallyPrecedes(other.utf8) }
}

extension Set where Element == ExactName {
    public init(names: some Sequence<String>) { self.init(names.lazy.map { ExactName($0) }) }

    public func contains(name: String) -> Bool { contains(ExactName(name)) }
}
