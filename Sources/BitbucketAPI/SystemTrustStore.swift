import Foundation

/// The system's certificate authorities, where each Linux family keeps them. SwiftNIO SSL looks
/// in the Debian and Fedora places only; a static bbx runs on RHEL, SUSE and Alpine-with-glibc
/// images too, so bbx finds the bundle itself and says which one it uses (`bbx doctor`).
public enum SystemTrustStore {
    /// In order: Debian, Ubuntu, Alpine and Arch; Fedora, RHEL, CentOS and Amazon Linux (two
    /// places); openSUSE and SLES; older and BSD-like layouts.
    public static let bundles = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
    ]

    /// The first bundle that is a readable file, or nil.
    public static func bundle(isReadable: (String) -> Bool = { FileManager.default.isReadableFile(atPath: $0) })
        -> String?
    {
        bundles.first(where: isReadable)
    }
}
