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

/// The last `capacity` requests, oldest first: a long-running emulator's log stays bounded.
actor RequestLog {
    private var ring: [LoggedRequest] = []
    private var start = 0
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    var entries: [LoggedRequest] { Array(ring[start...] + ring[..<start]) }

    func append(_ entry: LoggedRequest) {
        if ring.count < capacity {
            ring.append(entry)
        } else {
            ring[start] = entry
            start = (start + 1) % capacity
        }
    }

    func clear() {
        ring.removeAll()
        start = 0
    }

    /// A query as the log keeps it: a storage link's signature is a credential for that file,
    /// so its value is left out.
    static func withoutSignature(_ query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return ["signature", "x-amz-signature"].contains(name.lowercased()) ? "\(name)=REDACTED" : String(pair)
        }.joined(separator: "&")
    }
}
