/// One request as the admin endpoint reports it. The `Authorization` header's value is never
/// kept, only whether it was there.
public struct LoggedRequest: Sendable, Codable, Equatable {
    public let method: String
    public let path: String
    public let query: String
    public let status: Int
    /// `api` or `storage`.
    public let host: String
    public let authorization: Bool
}

actor RequestLog {
    private(set) var entries: [LoggedRequest] = []

    func append(_ entry: LoggedRequest) { entries.append(entry) }

    func clear() { entries.removeAll() }
}
