import ConnectJWT

/// One path segment, percent-encoded so that nothing in it can end the segment or the path:
/// only RFC 3986's unreserved characters stay as they are (a space is `%20`, `/` is `%2F`,
/// `#` is `%23`, `%` is `%25`, non-ASCII goes as its UTF-8 bytes). The same encoder signs
/// Connect requests, so a signed path and a sent path never differ.
enum PathSegment {
    static func encode(_ text: String) -> String { CanonicalRequest.percentEncode(text) }
}
