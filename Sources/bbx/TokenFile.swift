import Foundation
import SafeFiles
import Synchronization

/// The contents of `--token-file`, read once per run: bbx needs them twice (for the credential,
/// and earlier for the secrets it hides from output), and a pipe (`--token-file <(vault read
/// …)`, `/dev/stdin`) can be read only once. A second read would find it empty, and the token
/// would go unhidden.
enum TokenFile {
    private static let cache = Mutex<[String: Result<String, WholeFile.Failure>]>([:])

    /// The token, trimmed of surrounding whitespace; the failure reads "cannot read 'path': …".
    static func read(_ path: String) throws(WholeFile.Failure) -> String {
        let result = cache.withLock { cache in
            if let known = cache[path] { return known }
            let read = Result { () throws(WholeFile.Failure) in
                String(decoding: try WholeFile.read(path, limit: 64 * 1024), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            cache[path] = read
            return read
        }
        return try result.get()
    }
}
