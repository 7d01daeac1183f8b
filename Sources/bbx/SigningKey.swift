import BBXApply
import BBXPlan
import Foundation
import Minisign
import SafeFiles
import Synchronization

/// The minisign secret key that signs manifests kept `signed`: `BBX_SIGNING_KEY` (the key
/// file's contents) or `BBX_SIGNING_KEY_FILE` (its path), decrypted with
/// `BBX_SIGNING_KEY_PASSWORD`. Loaded once, after planning and before anything is written, only
/// for a plan that signs; the key stays in this process and never reaches a plan or an output.
enum SigningKey {
    static let variables = ["BBX_SIGNING_KEY", "BBX_SIGNING_KEY_FILE", "BBX_SIGNING_KEY_PASSWORD"]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Loaded keys by the variables that gave them (the REPL signs once per entry).
    private static let cache = Mutex<[String: Minisign.SecretKey]>([:])

    /// The signing for `plan`, or nil when it signs nothing.
    static func signing(for plan: Plan, environment: [String: String]) throws -> ManifestSigning? {
        let signs = plan.steps.contains {
            if case .checksums(let update) = $0.action { return update.signed }
            return false
        }
        guard signs else { return nil }
        let key = try load(environment)
        let trusted = comment(environment)
        return ManifestSigning(
            sign: { text, manifest in
                try key.sign(Array(text.utf8), trustedComment: trusted(manifest)).fileText
            },
            verifies: { text, signature in
                (try? Minisign.Signature(signature).verify(Array(text.utf8), with: key.publicKey)) != nil
            })
    }

    static func load(_ environment: [String: String]) throws -> Minisign.SecretKey {
        let text: String
        let source: String
        if let contents = environment["BBX_SIGNING_KEY"], !contents.isEmpty {
            text = contents
            source = "BBX_SIGNING_KEY"
        } else if let path = environment["BBX_SIGNING_KEY_FILE"], !path.isEmpty {
            do {
                text = String(decoding: try SecretFile.contents(path), as: UTF8.self)
            } catch {
                throw Failure(description: "cannot read BBX_SIGNING_KEY_FILE: \(error)")
            }
            source = "BBX_SIGNING_KEY_FILE"
        } else {
            throw Failure(
                description:
                    "this plan signs a manifest, and no signing key is set: set BBX_SIGNING_KEY or BBX_SIGNING_KEY_FILE"
            )
        }
        let password = environment["BBX_SIGNING_KEY_PASSWORD"]
        let cacheKey = source + "\u{0}" + text + "\u{0}" + (password ?? "")
        if let known = cache.withLock({ $0[cacheKey] }) { return known }
        do {
            let key = try Minisign.SecretKey(text) { password.flatMap { $0.isEmpty ? nil : $0 } }
            cache.withLock { $0[cacheKey] = key }
            return key
        } catch {
            throw Failure(description: "the signing key in \(source): \(error)")
        }
    }

    /// minisign's own trusted comment (`timestamp:…<TAB>file:…<TAB>hashed`) with the build bbx
    /// runs in, where Bitbucket Pipelines says it.
    static func comment(_ environment: [String: String]) -> @Sendable (String) -> String {
        let build = [
            ("repo", "BITBUCKET_REPO_FULL_NAME"), ("build", "BITBUCKET_BUILD_NUMBER"), ("commit", "BITBUCKET_COMMIT"),
        ].compactMap { label, variable -> String? in
            guard let value = environment[variable], !value.isEmpty else { return nil }
            return "\(label):\(value.filter { $0 != "\t" && !$0.isNewline })"
        }
        return { manifest in
            (["timestamp:\(Int(Date().timeIntervalSince1970))", "file:\(manifest.filter { $0 != "\t" })", "hashed"]
                + build).joined(separator: "\t")
        }
    }
}
