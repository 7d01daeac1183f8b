/// How far a transfer has come, for a progress display.
public struct TransferProgress: Sendable, Hashable {
    /// The artifact's name (for an upload of several files, "N files").
    public let name: String
    public let bytes: Int64
    /// nil when the server did not announce a size.
    public let total: Int64?
    public init(name: String, bytes: Int64, total: Int64?) {
        self.name = name
        self.bytes = bytes
        self.total = total
    }
}

/// Called as bytes move, on the thread that moved them (for a download, the connection's event
/// loop): keep it quick, and hand anything slow, such as redrawing a terminal, to another task.
public typealias ProgressHandler = @Sendable (TransferProgress) -> Void

/// A local file to upload and the name it gets in Downloads.
public struct UploadFile: Sendable, Hashable {
    public let path: String
    public let name: String
    public init(path: String, name: String) {
        self.path = path
        self.name = name
    }
}

/// What an upload did.
public struct UploadResult: Sendable, Hashable {
    /// Names sent and acknowledged.
    public let uploaded: [String]
    /// Names found in Downloads with the expected size after an attempt whose answer was lost:
    /// that attempt stored them, so they were not sent again.
    public let confirmedByListing: [String]
}
