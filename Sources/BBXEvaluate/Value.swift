import BBXCheck
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation

/// A value while a script is evaluated.
public indirect enum Value: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    /// Seconds.
    case duration(Int)
    case boolean(Bool)
    case list([Value])
    case repository(RepositoryName)
    /// An artifact as the plan has reached it, with the time `age` is measured from.
    case artifact(Artifact, now: Date)
    case file(LocalFile)
    case time(Date)
    /// A version read from a name (`a.version`) or text (`version("1.10.0")`); nil for a name
    /// without one, which `??` replaces, prints as `none` and is no pre-release.
    case version(Version?)

    /// How the value reads inside a string (`"${version}"`) and in `print`.
    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .duration(let seconds): describeDuration(seconds: seconds)
        case .boolean(let flag): flag ? "true" : "false"
        case .list(let items): "[" + items.map(\.quotedDescription).joined(separator: ", ") + "]"
        case .repository(let name): name.description
        case .artifact(let artifact, _): artifact.name
        case .file(let file): file.path
        case .time(let date): date.ISO8601Format()
        case .version(let version): version?.text ?? "none"
        }
    }

    var quotedDescription: String {
        if case .string(let text) = self { return "\"\(text)\"" }
        return description
    }
}

/// A local file found by a pattern, measured when it was found.
public struct LocalFile: Hashable, Sendable {
    /// As the pattern spelled it (`build/app.zip`), relative to the current directory unless
    /// the pattern was absolute.
    public let path: String
    public let size: Int64
    /// The modification time, `seconds.nanoseconds`, when known.
    public let modified: String?

    public init(path: String, size: Int64, modified: String? = nil) {
        self.path = path
        self.size = size
        self.modified = modified
    }

    /// The base name: what the file is uploaded as.
    public var name: String { (path as NSString).lastPathComponent }
}

extension Value {
    /// The kind the checker knows this value by (for names bound by earlier REPL entries).
    public var kind: ValueKind {
        switch self {
        case .string: .string
        case .integer: .integer
        case .duration: .duration
        case .boolean: .boolean
        case .list(let items): .list(items.first?.kind ?? .unknown)
        case .repository: .repository
        case .artifact: .artifact
        case .file: .file
        case .time: .time
        case .version: .version
        }
    }
}
