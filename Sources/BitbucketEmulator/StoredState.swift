import Crypto
import Foundation

/// Who uploaded an artifact, as Bitbucket's `user` object shows it.
struct Uploader: Codable, Sendable, Equatable {
    var displayName: String
    var uuid: String
    var accountID: String

    /// A stable identity for a credential's holder (never derived from its secret).
    static func named(_ displayName: String) -> Uploader {
        let digest = Array(SHA256.hash(data: Data(displayName.utf8)))
        return Uploader(
            displayName: displayName, uuid: "{\(uuidString(digest))}",
            accountID: "5b" + digest.prefix(11).map { String(format: "%02x", $0) }.joined())
    }
}

/// A UUID-shaped string from the first 16 bytes of a digest, for stable identifiers.
func uuidString(_ bytes: [UInt8]) -> String {
    let hex = bytes.prefix(16).map { String(format: "%02x", $0) }.joined()
    let c = Array(hex)
    return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-"
        + String(c[20..<32])
}

struct StoredArtifact: Codable, Sendable, Equatable {
    var name: String
    var size: Int64
    /// As Bitbucket writes it, kept as text so nothing is lost to rounding.
    var createdOn: String
    var downloads: Int
    var uploader: Uploader
    /// The file under `blobs/` holding the bytes; a new one for every upload.
    var blob: String

    var created: Date { BitbucketTime.parse(createdOn) ?? Date(timeIntervalSince1970: 0) }
}

struct LinkerValue: Codable, Sendable, Equatable {
    var id: Int
    var value: String
}

struct Linker: Codable, Sendable, Equatable {
    var key: String
    var regex: String
    var url: String
    var linkType: String
    var values: [LinkerValue]

    static func declared(_ key: String) -> Linker {
        Linker(
            key: key, regex: "([A-Z][A-Z0-9_]+-[0-9]+)", url: "https://tracker.example.com/browse/\\1",
            linkType: "href", values: [])
    }
}
