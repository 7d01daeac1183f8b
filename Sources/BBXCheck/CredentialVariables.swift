/// The environment variables that hold credentials. bbx sends them; scripts may not read them
/// (`env("BITBUCKET_TOKEN")` refused): even with every output redacted, a script could learn a
/// token a character at a time (`env("BITBUCKET_TOKEN") matches "a*"`).
public enum CredentialVariables {
    /// Secrets, redacted wherever bbx writes.
    public static let secret: [String] = [
        "BITBUCKET_TOKEN", "BITBUCKET_API_TOKEN", "BITBUCKET_APP_PASSWORD", "BITBUCKET_CONNECT_SHARED_SECRET",
        // The manifest's signing key: its contents, where it is, and its password.
        "BBX_SIGNING_KEY", "BBX_SIGNING_KEY_FILE", "BBX_SIGNING_KEY_PASSWORD",
    ]

    /// What `env(…)` refuses: the secrets, and the proxy variables (their URL may hold a password).
    public static let unreadable: Set<String> = Set(secret + ["HTTPS_PROXY", "https_proxy"])

    public static func isUnreadable(_ name: String) -> Bool { unreadable.contains(name) }
}
