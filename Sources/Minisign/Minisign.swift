import Crypto
import CryptoExtras
import Foundation

/// minisign's files, read and written as the real tool does (its format: see the guide's
/// "Signed manifests"): a public key, a secret key (encrypted with scrypt, or not), and a
/// signature of a file, prehashed with BLAKE2b-512 (`ED`) when bbx writes it; the legacy
/// whole-file `Ed` signature is verified too.
public enum Minisign {
    /// What was wrong with a key or a signature, in words for the user (never a secret).
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static let keyAlgorithm = Array("Ed".utf8)
    static let hashedAlgorithm = Array("ED".utf8)
    static let scrypt = Array("Sc".utf8)
    static let checksumAlgorithm = Array("B2".utf8)
    /// minisign's defaults: scrypt with N = 2^20, r = 8, p = 1 (1 GiB).
    public static let defaultOpsLimit: UInt64 = 33_554_432
    public static let defaultMemLimit: UInt64 = 1_073_741_824

    /// The key id as minisign prints it: the 8 bytes read as a little-endian number, in hex.
    static func keyIDText(_ id: [UInt8]) -> String {
        id.reversed().map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// The base64 line of a file: the first line after an `untrusted comment:` line, or the
    /// text itself when it is one line.
    static func base64Line(of text: String, what: String) throws -> [UInt8] {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let line: String
        if let comment = lines.firstIndex(where: { $0.hasPrefix("untrusted comment:") }) {
            guard comment + 1 < lines.count else { throw Failure("\(what) has no line after its comment") }
            line = lines[comment + 1]
        } else {
            guard lines.count == 1 else { throw Failure("\(what) is not a minisign file") }
            line = lines[0]
        }
        guard let data = Data(base64Encoded: line) else { throw Failure("\(what) is not base64") }
        return Array(data)
    }

    // MARK: - Public key

    public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
        public let keyID: [UInt8]
        public let key: [UInt8]

        /// `RW…` (the base64 line alone, as `minisign -P` takes it) or a whole `.pub` file.
        public init(_ text: String) throws {
            let bytes = try base64Line(of: text, what: "the public key")
            guard bytes.count == 42, Array(bytes[0..<2]) == keyAlgorithm else {
                throw Failure("the public key is not a minisign Ed25519 key (expected 42 bytes starting with Ed)")
            }
            keyID = Array(bytes[2..<10])
            key = Array(bytes[10..<42])
        }

        init(keyID: [UInt8], key: [UInt8]) {
            self.keyID = keyID
            self.key = key
        }

        /// The line `minisign -P` takes.
        public var base64: String { Data(keyAlgorithm + keyID + key).base64EncodedString() }
        public var keyIDText: String { Minisign.keyIDText(keyID) }
        public var description: String { "key \(keyIDText)" }
        public var fileText: String { "untrusted comment: minisign public key \(keyIDText)\n\(base64)\n" }
    }

    // MARK: - Secret key

    /// Printed by any route (interpolation, `dump`, a log's metadata), it shows its key id only.
    public struct SecretKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var description: String { "secret key \(keyIDText) <redacted>" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: [:]) }
        public var keyIDText: String { Minisign.keyIDText(keyID) }

        public let keyID: [UInt8]
        /// The Ed25519 seed; the public key follows from it.
        let seed: [UInt8]
        public let publicKey: PublicKey

        init(keyID: [UInt8], seed: [UInt8]) throws {
            self.keyID = keyID
            self.seed = seed
            let signing = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            publicKey = PublicKey(keyID: keyID, key: Array(signing.publicKey.rawRepresentation))
        }

        /// A new key pair with a random key id.
        public static func generate() throws -> SecretKey {
            let signing = Curve25519.Signing.PrivateKey()
            var id = [UInt8](repeating: 0, count: 8)
            var generator = SystemRandomNumberGenerator()
            for index in id.indices { id[index] = UInt8.random(in: 0...255, using: &generator) }
            return try SecretKey(keyID: id, seed: Array(signing.rawRepresentation))
        }

        /// Reads a `.key` file; `password` is asked for only when the key is encrypted. A wrong
        /// password shows as a checksum mismatch, as minisign reports it.
        public init(_ text: String, password: () throws -> String?) throws {
            let bytes = try base64Line(of: text, what: "the secret key")
            guard bytes.count == 158, Array(bytes[0..<2]) == keyAlgorithm,
                Array(bytes[4..<6]) == checksumAlgorithm
            else { throw Failure("the secret key is not a minisign Ed25519 secret key") }
            let kdf = Array(bytes[2..<4])
            var secret = Array(bytes[54..<158])
            if kdf == scrypt {
                guard let password = try password() else {
                    throw Failure("the secret key is encrypted: give its password (BBX_SIGNING_KEY_PASSWORD)")
                }
                let salt = Array(bytes[6..<38])
                let ops = UInt64(littleEndian: bytes[38..<46].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
                let mem = UInt64(littleEndian: bytes[46..<54].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
                let stream = try Minisign.scrypt(password: password, salt: salt, opsLimit: ops, memLimit: mem)
                for index in secret.indices { secret[index] ^= stream[index] }
            } else if kdf != [0, 0] {
                throw Failure("the secret key uses a key derivation minisign does not write")
            }
            let id = Array(secret[0..<8])
            let seed = Array(secret[8..<40])
            let publicPart = Array(secret[40..<72])
            let checksum = Array(secret[72..<104])
            if kdf == scrypt || checksum != [UInt8](repeating: 0, count: 32) {
                let expected = BLAKE2b.hash(keyAlgorithm + id + seed + publicPart, outputLength: 32)
                guard checksum == expected else {
                    throw Failure(
                        kdf == scrypt
                            ? "the secret key's password is wrong (its checksum does not match)"
                            : "the secret key is damaged (its checksum does not match)")
                }
            }
            try self.init(keyID: id, seed: seed)
            guard publicKey.key == publicPart else { throw Failure("the secret key is damaged") }
        }

        /// The `.key` file, encrypted with `password` (with minisign's default cost) or, with
        /// nil, not encrypted (as `minisign -G -W`).
        public func fileText(password: String?, opsLimit: UInt64 = defaultOpsLimit, memLimit: UInt64 = defaultMemLimit)
            throws -> String
        {
            var salt = [UInt8](repeating: 0, count: 32)
            var secret = keyID + seed + publicKey.key
            secret += BLAKE2b.hash(keyAlgorithm + secret, outputLength: 32)
            var kdf: [UInt8] = [0, 0]
            var ops: UInt64 = 0
            var mem: UInt64 = 0
            if let password {
                var generator = SystemRandomNumberGenerator()
                for index in salt.indices { salt[index] = UInt8.random(in: 0...255, using: &generator) }
                kdf = scrypt
                ops = opsLimit
                mem = memLimit
                let stream = try Minisign.scrypt(password: password, salt: salt, opsLimit: ops, memLimit: mem)
                for index in secret.indices { secret[index] ^= stream[index] }
            } else {
                // minisign leaves the checksum zero in an unencrypted key.
                for index in 72..<104 { secret[index] = 0 }
            }
            let bytes =
                keyAlgorithm + kdf + checksumAlgorithm + salt + withUnsafeBytes(of: ops.littleEndian, Array.init)
                + withUnsafeBytes(of: mem.littleEndian, Array.init) + secret
            return "untrusted comment: minisign encrypted secret key\n\(Data(bytes).base64EncodedString())\n"
        }

        /// Signs `data`: Ed25519 over its BLAKE2b-512 (`ED`), and the global signature over that
        /// signature and the trusted comment (one line).
        public func sign(
            _ data: [UInt8], trustedComment: String, untrustedComment: String = "signature from bbx secret key"
        )
            throws -> Signature
        {
            let signing = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            let signature = Array(try signing.signature(for: BLAKE2b.hash(data)))
            let comment = Signature.oneLine(trustedComment)
            let global = Array(try signing.signature(for: signature + Array(comment.utf8)))
            return Signature(
                algorithm: hashedAlgorithm, keyID: keyID, signature: signature, trustedComment: comment,
                globalSignature: global, untrustedComment: Signature.oneLine(untrustedComment))
        }
    }

    // MARK: - Signature

    public struct Signature: Sendable, Equatable {
        let algorithm: [UInt8]
        public let keyID: [UInt8]
        let signature: [UInt8]
        public let trustedComment: String
        let globalSignature: [UInt8]
        let untrustedComment: String

        init(
            algorithm: [UInt8], keyID: [UInt8], signature: [UInt8], trustedComment: String,
            globalSignature: [UInt8], untrustedComment: String
        ) {
            self.algorithm = algorithm
            self.keyID = keyID
            self.signature = signature
            self.trustedComment = trustedComment
            self.globalSignature = globalSignature
            self.untrustedComment = untrustedComment
        }

        /// Reads a `.minisig` file (four lines).
        public init(_ text: String) throws {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
            guard lines.count >= 4, lines[0].hasPrefix("untrusted comment:"),
                lines[2].hasPrefix("trusted comment: ")
            else { throw Failure("the signature is not a minisign signature file") }
            guard let first = Data(base64Encoded: lines[1].trimmingCharacters(in: .whitespaces)), first.count == 74,
                let global = Data(base64Encoded: lines[3].trimmingCharacters(in: .whitespaces)), global.count == 64
            else { throw Failure("the signature's lines are not minisign's (base64 of 74 and 64 bytes)") }
            let bytes = Array(first)
            algorithm = Array(bytes[0..<2])
            guard algorithm == hashedAlgorithm || algorithm == keyAlgorithm else {
                throw Failure("the signature's algorithm is neither ED nor Ed")
            }
            keyID = Array(bytes[2..<10])
            signature = Array(bytes[10..<74])
            trustedComment = String(lines[2].dropFirst("trusted comment: ".count))
            globalSignature = Array(global)
            untrustedComment = String(lines[0].dropFirst("untrusted comment:".count)).trimmingCharacters(
                in: .whitespaces)
        }

        public var keyIDText: String { Minisign.keyIDText(keyID) }

        public var fileText: String {
            "untrusted comment: \(untrustedComment)\n"
                + "\(Data(algorithm + keyID + signature).base64EncodedString())\n"
                + "trusted comment: \(trustedComment)\n"
                + "\(Data(globalSignature).base64EncodedString())\n"
        }

        /// Checks the signature of `data` and of the trusted comment against `key`.
        public func verify(_ data: [UInt8], with key: PublicKey) throws {
            guard keyID == key.keyID else {
                throw Failure("signed with key \(keyIDText), not with the trusted \(key.keyIDText)")
            }
            let verifier = try Curve25519.Signing.PublicKey(rawRepresentation: key.key)
            let message = algorithm == hashedAlgorithm ? BLAKE2b.hash(data) : data
            guard verifier.isValidSignature(signature, for: message) else {
                throw Failure("the signature does not match the file (key \(keyIDText))")
            }
            guard verifier.isValidSignature(globalSignature, for: signature + Array(trustedComment.utf8)) else {
                throw Failure("the signature's trusted comment was altered (key \(keyIDText))")
            }
        }

        /// A comment as one line: line breaks and other controls become spaces (tabs stay, as
        /// minisign's own `timestamp:…<TAB>file:…` has them).
        static func oneLine(_ text: String) -> String {
            String(
                String.UnicodeScalarView(
                    text.unicodeScalars.map { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7f ? " " : $0 }))
        }
    }

    // MARK: - scrypt, as libsodium's scryptsalsa208sha256 picks its parameters

    /// The 104-byte stream a secret key is XORed with.
    static func scrypt(password: String, salt: [UInt8], opsLimit: UInt64, memLimit: UInt64) throws -> [UInt8] {
        let (logN, r, p) = scryptParameters(opsLimit: opsLimit, memLimit: memLimit)
        guard logN <= 24, p <= 16 else { throw Failure("the secret key asks for more scrypt work than bbx allows") }
        let n = 1 << logN
        let memory = 128 * r * n * p + 256 * r + 1 << 20
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 104, rounds: n, blockSize: r, parallelism: p,
            maxMemory: memory)
        return key.withUnsafeBytes(Array.init)
    }

    /// libsodium's `pickparams` (integer division throughout).
    static func scryptParameters(opsLimit: UInt64, memLimit: UInt64) -> (logN: Int, r: Int, p: Int) {
        let ops = max(opsLimit, 32768)
        let r: UInt64 = 8
        if ops < memLimit / 32 {
            let maxN = ops / (r * 4)
            var logN = 1
            while logN < 63, (UInt64(1) << UInt64(logN)) <= maxN / 2 { logN += 1 }
            return (logN, Int(r), 1)
        }
        let maxN = memLimit / (r * 128)
        var logN = 1
        while logN < 63, (UInt64(1) << UInt64(logN)) <= maxN / 2 { logN += 1 }
        let maxrp = min((ops / 4) / (UInt64(1) << UInt64(logN)), 0x3fff_ffff)
        return (logN, Int(r), Int(maxrp / r))
    }
}
