/// A token, password or shared secret. Printing one, by any route (`print`, string
/// interpolation, `dump`, a log line's metadata), shows `<redacted>`: only the request that
/// needs it reads `revealed`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let revealed: String

    public init(_ value: String) { revealed = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
    public var isEmpty: Bool { revealed.isEmpty }
}
