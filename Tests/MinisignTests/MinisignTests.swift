import BBXTestSupport
import Foundation
import Testing

@testable import Minisign

/// BLAKE2b from RFC 7693 against the RFC's and libsodium's vectors.
@Suite("BLAKE2b")
struct BLAKE2bTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func theRFCsVector() {
        #expect(
            Self.hex(BLAKE2b.hash(Array("abc".utf8)))
                == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    /// libsodium's `crypto_generichash_blake2b` of the empty input at 64 and 32 bytes, and of
    /// the 256 bytes 0…255 (the BLAKE2 reference's unkeyed vector), which crosses a block edge.
    @Test func libsodiumsVectors() {
        #expect(
            Self.hex(BLAKE2b.hash([]))
                == "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
                + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce")
        #expect(
            Self.hex(BLAKE2b.hash([], outputLength: 32))
                == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
        #expect(
            Self.hex(BLAKE2b.hash(Array(0...255)))
                == "1ecc896f34d3f9cac484c73f75f6a5fb58ee6784be41b35f46067b9c65c63a67"
                + "94d3d744112c653f73dd7deb6666204c5a9bfa5b46081fc10fdbe7884fa5cbf8")
    }

    /// Fed in any pieces, the same hash (the last block is held back until the end).
    @Test(arguments: [1, 7, 127, 128, 129, 1000])
    func piecesMakeTheSameHash(_ piece: Int) {
        let data = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = BLAKE2b()
        var index = 0
        while index < data.count {
            hasher.update(Array(data[index..<min(index + piece, data.count)]))
            index += piece
        }
        #expect(hasher.finalize() == BLAKE2b.hash(data))
    }
}

/// minisign's files: the spec's vectors (made by minisign 0.11), and the real tool both ways.
@Suite("minisign keys and signatures")
struct MinisignTests {
    static let publicKey = "RWRhY1xiG1+SkIco2DKHKNJtYMgc82lHTBhPzG9V6wcZDAtTzFNzryrV"
    static let encryptedKey = """
        untrusted comment: minisign encrypted secret key
        RWRTY0IyOqcXPFkOSTnFB1uBe+psN42pmK3fLbrHE8b/+DSlt/oAAAACAAAAAAAAAEAAAAAATls+5gcR4K6Kd3ugjC4TM+V1GV7Yg4S1WPj7JZYJZzhFOUOD45sp68b+D2JOD8/EKh9cmoMArjuX0MMKqUSui6HJOmdcKrb2v1gLnTOvJNH5Inzge+BR3stD4B6BrhFeBhzynsZ3H44=

        """
    static let signature = """
        untrusted comment: signature from minisign secret key
        RURhY1xiG1+SkPv74B2Vo10Rbuji1HcJY5G/fqU2+P5l/YNhrkpUD4hLcNny8J66Idnve+LTLdNg52dFQ1ZYvaO+N/hI/5CPEgo=
        trusted comment: timestamp:1796644721\tfile:f\thashed
        M04oXEXoCzqBbteJO+IKMWlJcJPrMODEceXl05Er+LjzyC+BM5cBBLmaiB/hrPPhGK5kYVjBaMvYq+GH9SLpBg==

        """
    static let unencryptedKey = """
        untrusted comment: minisign encrypted secret key
        RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQrTTwfzf0vHn7GD4tBfnzmsFpUGyFfNyq1uCY5FfS7rbp8MhX/L50Lg+SBjGICzfw/bRX0SlPA+ia2+LnekrdPO2qDYG10RdAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=

        """
    static let hello = Array("hello\n".utf8)

    @Test func theVectorsSignatureVerifies() throws {
        let key = try Minisign.PublicKey(Self.publicKey)
        #expect(key.keyIDText == "90925F1B625C6361")
        let signature = try Minisign.Signature(Self.signature)
        try signature.verify(Self.hello, with: key)
        #expect(signature.trustedComment == "timestamp:1796644721\tfile:f\thashed")
        // Another file, or an altered trusted comment, does not verify.
        #expect(throws: Minisign.Failure.self) { try signature.verify(Array("hello!\n".utf8), with: key) }
        let altered = try Minisign.Signature(Self.signature.replacingOccurrences(of: "file:f", with: "file:g"))
        #expect(throws: Minisign.Failure.self) { try altered.verify(Self.hello, with: key) }
    }

    @Test func scryptParametersAreLibsodiums() {
        let defaults = Minisign.scryptParameters(opsLimit: Minisign.defaultOpsLimit, memLimit: Minisign.defaultMemLimit)
        #expect(defaults == (20, 8, 1))
        // Below 32768 counts as 32768: N = 2^10 (the smallest 2^k above 32768 / 32 / 2).
        #expect(Minisign.scryptParameters(opsLimit: 1000, memLimit: 1 << 30) == (10, 8, 1))
    }

    @Test func anUnencryptedKeyReadsAndWritesBack() throws {
        let key = try Minisign.SecretKey(Self.unencryptedKey) { nil }
        let again = try Minisign.SecretKey(try key.fileText(password: nil)) { nil }
        #expect(again.publicKey == key.publicKey)
        #expect(try key.fileText(password: nil) == Self.unencryptedKey)
    }

    /// A key pair bbx makes, encrypted with a cheap scrypt, reads back with its password.
    @Test func aGeneratedKeyRoundTrips() throws {
        let key = try Minisign.SecretKey.generate()
        let text = try key.fileText(password: "s3cret", opsLimit: 65536, memLimit: 1 << 24)
        let read = try Minisign.SecretKey(text) { "s3cret" }
        #expect(read.publicKey == key.publicKey)
        let pub = try Minisign.PublicKey(key.publicKey.fileText)
        #expect(pub == key.publicKey)
        let signature = try read.sign(Self.hello, trustedComment: "a\nb")
        #expect(signature.trustedComment == "a b")
        try Minisign.Signature(signature.fileText).verify(Self.hello, with: pub)
    }
}

/// The real tool (Debian's minisign), both ways.
@Suite("minisign interoperability")
struct MinisignInteropTests {
    static func minisign(_ arguments: [String], in folder: URL, stdin: String? = nil) async throws
        -> BBXProcess.Result
    {
        try await ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["minisign"] + arguments, in: folder, stdin: stdin
        ).wait()
    }

    /// bbx signs; `minisign -Vm FILE -p key.pub` verifies and prints the trusted comment.
    @Test func minisignVerifiesWhatBbxSigns() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Minisign.SecretKey.generate()
        let data = Data("# bbx: size=1 created_on=x\n\(String(repeating: "a", count: 64))  app.zip\n".utf8)
        try data.write(to: folder.appendingPathComponent("SHA256SUMS"))
        try Data(key.publicKey.fileText.utf8).write(to: folder.appendingPathComponent("key.pub"))
        let signature = try key.sign(Array(data), trustedComment: "file:SHA256SUMS\trepo:acme/app\tbuild:42")
        try Data(signature.fileText.utf8).write(to: folder.appendingPathComponent("SHA256SUMS.minisig"))
        let result = try await Self.minisign(["-Vm", "SHA256SUMS", "-p", "key.pub"], in: folder)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Trusted comment: file:SHA256SUMS\trepo:acme/app\tbuild:42"), "\(result.stdout)")
        let byLine = try await Self.minisign(["-Vm", "SHA256SUMS", "-P", key.publicKey.base64], in: folder)
        #expect(byLine.status == 0, "\(byLine.stderr)")
    }

    /// A key bbx writes, encrypted (with a lower scrypt cost, which the key file records and
    /// minisign reads), signs with `minisign -S`; both verify the signature.
    @Test func minisignSignsWithAKeyBbxMade() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Minisign.SecretKey.generate()
        try Data(try key.fileText(password: "pw-bbx", opsLimit: 1 << 20, memLimit: 1 << 25).utf8).write(
            to: folder.appendingPathComponent("b.key"))
        try Data(key.publicKey.fileText.utf8).write(to: folder.appendingPathComponent("b.pub"))
        let data = Data("manifest\n".utf8)
        try data.write(to: folder.appendingPathComponent("m"))
        let signed = try await Self.minisign(["-S", "-s", "b.key", "-m", "m"], in: folder, stdin: "pw-bbx\n")
        #expect(signed.status == 0, "\(signed.stdout)\(signed.stderr)")
        let signature = try Minisign.Signature(
            try String(contentsOf: folder.appendingPathComponent("m.minisig"), encoding: .utf8))
        try signature.verify(Array(data), with: key.publicKey)
        let verified = try await Self.minisign(["-Vm", "m", "-p", "b.pub"], in: folder)
        #expect(verified.status == 0, "\(verified.stderr)")
    }
}

@Suite("minisign secret keys in output")
struct MinisignSecretOutputTests {
    /// However a secret key is printed, its seed does not show.
    @Test func aSecretKeyPrintsOnlyItsID() throws {
        let key = try Minisign.SecretKey(MinisignTests.unencryptedKey) { nil }
        let seed = key.seed.map { String(format: "%02x", $0) }.joined()
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(describing: key), String(reflecting: key), dumped] {
            #expect(!text.contains(seed) && !text.contains("\(key.seed)"), "\(text)")
            #expect(text.contains("<redacted>"), "\(text)")
        }
    }
}

/// The tests that pay minisign's full scrypt cost (N = 2^20: 1 GiB and several CPU-seconds each).
/// `make test` runs them on their own, after the rest of the suite, so that they do not starve
/// the tests that measure time; one at a time.
@Suite("minisign at full cost", .serialized)
struct MinisignFullCostTests {
    /// The vector's encrypted key (1 GiB of scrypt, as minisign -G makes it): the right
    /// password gives the vector's public key and a signature minisign's verifies; a wrong one
    /// is said to be wrong.
    @Test func theVectorsEncryptedKeyDecrypts() throws {
        let key = try Minisign.SecretKey(MinisignTests.encryptedKey) { "pw123" }
        #expect(key.publicKey.base64 == MinisignTests.publicKey)
        let signature = try key.sign(MinisignTests.hello, trustedComment: "file:f")
        try signature.verify(MinisignTests.hello, with: try Minisign.PublicKey(MinisignTests.publicKey))
        // A wrong password (on a key of lower cost: the same check, without another GiB).
        let cheap = try Minisign.SecretKey.generate().fileText(password: "pw123", opsLimit: 65536, memLimit: 1 << 24)
        let wrong = #expect(throws: Minisign.Failure.self) { _ = try Minisign.SecretKey(cheap) { "pw124" } }
        #expect(wrong?.description.contains("password is wrong") == true)
        let none = #expect(throws: Minisign.Failure.self) {
            _ = try Minisign.SecretKey(MinisignTests.encryptedKey) { nil }
        }
        #expect(none?.description.contains("BBX_SIGNING_KEY_PASSWORD") == true)
    }

    /// `minisign -G` makes an encrypted key (password from a pipe), `minisign -S` signs; bbx
    /// verifies the signature with the public key it made. (bbx decrypting a key of
    /// `minisign -G`: the spec's vector, in `theVectorsEncryptedKeyDecrypts`; each such key
    /// costs 1 GiB of scrypt, so the suite decrypts one.)
    @Test func bbxVerifiesWhatMinisignSignsWithAnEncryptedKey() async throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try await MinisignInteropTests.minisign(
            ["-G", "-p", "k.pub", "-s", "k.key"], in: folder, stdin: "pw-from-a-pipe\npw-from-a-pipe\n")
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        let data = Data("hello\n".utf8)
        try data.write(to: folder.appendingPathComponent("f"))
        let signed = try await MinisignInteropTests.minisign(
            ["-S", "-s", "k.key", "-m", "f", "-t", "signed by minisign"], in: folder, stdin: "pw-from-a-pipe\n")
        #expect(signed.status == 0, "\(signed.stdout)\(signed.stderr)")
        let pub = try Minisign.PublicKey(
            try String(contentsOf: folder.appendingPathComponent("k.pub"), encoding: .utf8))
        let signature = try Minisign.Signature(
            try String(contentsOf: folder.appendingPathComponent("f.minisig"), encoding: .utf8))
        try signature.verify(Array(data), with: pub)
        #expect(signature.trustedComment == "signed by minisign")
        // Altered by one byte, it does not.
        #expect(throws: Minisign.Failure.self) { try signature.verify(Array("hellp\n".utf8), with: pub) }
    }

}
