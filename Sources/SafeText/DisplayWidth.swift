/// How many terminal columns text takes, so that tables of names line up when names hold wide
/// (CJK, emoji) or combining characters. Unicode's East Asian Width, simplified to the ranges
/// terminals draw two columns wide; combining marks and format characters take none.
extension String {
    public var displayWidth: Int {
        var width = 0
        for character in self {
            width += DisplayWidth.of(character)
        }
        return width
    }

    /// Padded with spaces on the right to `width` columns (never cut).
    public func padded(toWidth width: Int) -> String {
        let missing = width - displayWidth
        return missing > 0 ? self + String(repeating: " ", count: missing) : self
    }

    /// Padded with spaces on the left to `width` columns (never cut).
    public func padded(leftToWidth width: Int) -> String {
        let missing = width - displayWidth
        return missing > 0 ? String(repeating: " ", count: missing) + self : self
    }
}

public enum DisplayWidth {
    /// A grapheme cluster's width: that of its first scalar, 2 for an emoji sequence.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count > 1, scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D }) { return 2 }
        return of(first)
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if value < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        for range in wide where range.contains(value) { return 2 }
        return 1
    }

    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
        0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
        0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
