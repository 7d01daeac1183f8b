import BitbucketModel

/// `"acme/app"` where a test needs a `RepositoryName`: tests write repositories as the scripts
/// do. Only the tests see this; a literal that is not a repository stops the test at once.
extension RepositoryName: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        guard let name = RepositoryName(parsing: text) else { preconditionFailure("not a repository: \(text)") }
        self = name
    }
}
