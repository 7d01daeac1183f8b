import Foundation

/// A file in a repository's Downloads.
public struct Artifact: Sendable, Hashable, Codable {
    public let name: String
    public let size: Int64
    public let created: Date
    public let downloads: Int
    public let uploader: Uploader?

    public init(name: String, size: Int64, created: Date, downloads: Int = 0, uploader: Uploader? = nil) {
        self.name = name
        self.size = size
        self.created = created
        self.downloads = downloads
        self.uploader = uploader
    }

    public struct Uploader: Sendable, Hashable, Codable {
        public let displayName: String?
        public let uuid: String?
        public let accountID: String?
        public init(displayName: String?, uuid: String?, accountID: String?) {
            self.displayName = displayName
            self.uuid = uuid
            self.accountID = accountID
        }
    }
}
