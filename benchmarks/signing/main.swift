// Drives the Minisign target for benchmarks/signing.sh (not shipped): BLAKE2b throughput, and
// what signing a release's manifest costs (the BLAKE2b-512 of the manifest and two Ed25519
// signatures), and verifying it.
import Foundation
import Minisign

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let mib = Int(ProcessInfo.processInfo.environment["BLAKE2B_MIB"] ?? "") ?? 256
let data = [UInt8]((0..<(mib << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761) })
var best = Double.infinity
for _ in 0..<3 { best = min(best, seconds { _ = BLAKE2b.hash(data) }) }
print(String(format: "blake2b-512: %d MiB in %.3f s (%.0f MiB/s)", mib, best, Double(mib) / best))

let key = try Minisign.SecretKey.generate()
for entries in [10, 1_000, 60_000] {
    let hash = String(repeating: "a", count: 64)
    let manifest = Array(
        (0..<entries).map {
            "# bbx: size=12901234 created_on=2026-12-07T10:41:08.123456+00:00\n\(hash)  app-1.\($0).0-linux.zip\n"
        }.joined().utf8)
    var signing = Double.infinity
    var verifying = Double.infinity
    var signature: Minisign.Signature?
    for _ in 0..<20 {
        signing = min(signing, try seconds { signature = try key.sign(manifest, trustedComment: "file:SHA256SUMS") })
        verifying = min(verifying, try seconds { try signature!.verify(manifest, with: key.publicKey) })
    }
    print(
        String(
            format: "manifest of %d entries (%.1f KiB): sign %.3f ms, verify %.3f ms", entries,
            Double(manifest.count) / 1024, signing * 1000, verifying * 1000))
}

// Decrypting a key encrypted as minisign -G does (scrypt, N = 2^20, r = 8, p = 1: 1 GiB).
let vector = """
    untrusted comment: minisign encrypted secret key
    RWRTY0IyOqcXPFkOSTnFB1uBe+psN42pmK3fLbrHE8b/+DSlt/oAAAACAAAAAAAAAEAAAAAATls+5gcR4K6Kd3ugjC4TM+V1GV7Yg4S1WPj7JZYJZzhFOUOD45sp68b+D2JOD8/EKh9cmoMArjuX0MMKqUSui6HJOmdcKrb2v1gLnTOvJNH5Inzge+BR3stD4B6BrhFeBhzynsZ3H44=
    """
let decrypting = try seconds { _ = try Minisign.SecretKey(vector) { "pw123" } }
print(String(format: "decrypting a minisign -G key (scrypt, 1 GiB): %.2f s", decrypting))
