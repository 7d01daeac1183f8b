import Foundation

/// A file in a repository's Downloads.
public struct Artifact: Sendable, Hashable, Codable {
    public let name: String
    public let size: Int64
    public let created: Date
    /// `created_on` exactly as the server listed it (`2016-01-24T17:05:31.001541+00:00`), nil for
    /// an artifact the plan predicts. Compared as text: a parsed and re-formatted time loses
    /// digits, and would make every real artifact look replaced.
    public let createdOn: String?
    public let downloads: Int
    public let uploader: Uploader?

    public init(
        name: String, size: Int64, created: Date, createdOn: String? = nil, downloads: Int = 0,
        uploader: Uploader? = nil
    ) {
        self.name = name
        self.size = size
        self.created = created
        self.createdOn = createdOn
        self.downloads = downloads
        self.uploader = uploader
    }

    /// The same artifact with `uploader` (an equal value whose storage is shared).
    public func uploaded(by uploader: Uploader?) -> Artifact {
        Artifact(
            name: name, size: size, created: created, createdOn: createdOn, downloads: downloads, uploader: uploader)
    }

    /// Whether the server gave a creation time bbx could read. An artifact without one has
    /// `created` = `Date.distantFuture`: never old enough for any `prune`.
    public var isCreationKnown: Bool { created != .distantFuture }

    /// What tells this version of the artifact from another of the same name: the listed
    /// `created_on` text, or for a predicted one the exact time.
    public var stamp: String { createdOn ?? String(created.timeIntervalSince1970) }

    /// Who uploaded it. A class: an artifact is held by every copy of a repository's state a
    /// plan keeps, and a reference is 8 bytes where three optional strings are 48 (a workspace's
    /// listings hold tens of thousands of artifacts, mostly of one uploader, shared).
    public final class Uploader: Sendable, Hashable, Codable {
        public let displayName: String?
        public let uuid: String?
        public let accountID: String?
        public init(displayName: String?, uuid: String?, accountID: String?) {
            self.displayName = displayName
            self.uuid = uuid
            self.accountID = accountID
        }

        public static func == (a: Uploader, b: Uploader) -> Bool {
            a === b || (a.displayName == b.displayName && a.uuid == b.uuid && a.accountID == b.accountID)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(displayName)
            hasher.combine(uuid)
            hasher.combine(accountID)
        }
    }
}
