import Foundation
import SafeFiles
import Synchronization

/// Files that hold a secret (`--token-file`, `BBX_SIGNING_KEY_FILE`), read once per run: bbx
/// needs each twice (for the secrets it hides from output, and to use it), and a pipe
/// (`--token-file <(vault read …)`, `BBX_SIGNING_KEY_FILE=/dev/stdin`) can be read only once. A
/// second read would find it empty, and the secret would go unhidden.
enum SecretFile {
    private static let cache = Mutex<[String: Result<[UInt8], WholeFile.Failure>]>([:])

    /// The file's bytes (at most 64 KiB); the failure reads "cannot read 'path': …".
    static func contents(_ path: String) throws(WholeFile.Failure) -> [UInt8] {
        let result = cache.withLock { cache in
            if let known = cache[path] { return known }
            let read = Result { () throws(WholeFile.Failure) in try WholeFile.read(path, limit: 64 * 1024) }
            cache[path] = read
            return read
        }
        return try result.get()
    }
}

/// The contents of `--token-file`, trimmed of surrounding whitespace.
enum TokenFile {
    static func read(_ path: String) throws(WholeFile.Failure) -> String {
        String(decoding: try SecretFile.contents(path), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
