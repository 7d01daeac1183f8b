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
    /// Each file's SHA-256 (name → lowercase hex) as read while sending it; a file confirmed by
    /// listing has the hash of the attempt that stored it, when that attempt read it whole.
    public let sha256: [ExactName: String]

    public init(uploaded: [String], confirmedByListing: [String], sha256: [ExactName: String] = [:]) {
        self.uploaded = uploaded
        self.confirmedByListing = confirmedByListing
        self.sha256 = sha256
    }
}

/// A manifest's checksum for an artifact: a download is checked against it while streaming.
public struct ExpectedChecksum: Sendable, Hashable {
    /// The manifest's artifact name (`SHA256SUMS`), for messages.
    public let manifest: String
    public let sha256: String
    public init(manifest: String, sha256: String) {
        self.manifest = manifest
        self.sha256 = sha256
    }
}

/// An upload of several files that failed: the files the listing shows landed anyway, with the
/// hashes read while sending them, and why the rest did not.
public struct UploadFailure: Error, Sendable, CustomStringConvertible {
    public let confirmed: [String]
    public let sha256: [ExactName: String]
    public let underlying: any Error
    public var description: String { "\(underlying)" }
}
