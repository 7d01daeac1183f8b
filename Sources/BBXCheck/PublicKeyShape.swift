import Foundation

/// Whether text reads as a minisign public key (base64 of 42 bytes, "Ed" first): checked in
/// the script before anything runs; the signature's check itself is the Minisign target's.
public enum PublicKeyShape {
    public static func isMinisignPublicKey(_ text: String) -> Bool {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)) else { return false }
        return data.count == 42 && data.prefix(2) == Data("Ed".utf8)
    }
}
