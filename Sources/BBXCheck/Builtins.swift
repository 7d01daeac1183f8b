/// The built-in functions and the fields of artifacts and files: the one table the checker, the
/// evaluator and completion read (names, arities, kinds, signatures).
public enum Builtins {
    /// Every built-in function. The evaluator switches over these (no `default:`), so a function
    /// added here does not compile until it is evaluated.
    public enum Name: String, CaseIterable, Sendable {
        case env, files, artifacts, basename, count, latest, newest, exact, version, repositories
    }

    public struct Function: Sendable {
        public let id: Name
        public var name: String { id.rawValue }
        /// Parameter kinds; those past `required` may be left out.
        public let parameters: [ValueKind]
        public let required: Int
        public let result: ValueKind
        public let signature: String
        /// A call with fewer arguments than `parameters` reads the default repository.
        public let optionalRepository: Bool

        /// Whether `count` arguments is an arity this function takes.
        public func accepts(count: Int) -> Bool { count >= required && count <= parameters.count }
    }

    static func function(_ id: Name) -> Function {
        switch id {
        case .env:
            Function(
                id: id, parameters: [.string, .string], required: 1, result: .string,
                signature: "env(\"NAME\") or env(\"NAME\", \"fallback\")", optionalRepository: false)
        case .files:
            Function(
                id: id, parameters: [.string], required: 1, result: .list(.file), signature: "files(\"glob\")",
                optionalRepository: false)
        case .artifacts:
            Function(
                id: id, parameters: [.string, .repository], required: 1, result: .list(.artifact),
                signature: "artifacts(\"glob\") or artifacts(\"glob\", workspace/slug)", optionalRepository: true)
        case .basename:
            Function(
                id: id, parameters: [.string], required: 1, result: .string, signature: "basename(path)",
                optionalRepository: false)
        case .count:
            Function(
                id: id, parameters: [.list(.unknown)], required: 1, result: .integer, signature: "count(list)",
                optionalRepository: false)
        case .latest:
            Function(
                id: id, parameters: [.string, .repository], required: 1, result: .artifact,
                signature: "latest(\"glob\") or latest(\"glob\", workspace/slug)", optionalRepository: true)
        case .newest:
            Function(
                id: id, parameters: [.string, .repository], required: 1, result: .artifact,
                signature: "newest(\"glob\") or newest(\"glob\", workspace/slug)", optionalRepository: true)
        case .exact:
            Function(
                id: id, parameters: [.string], required: 1, result: .string, signature: "exact(text)",
                optionalRepository: false)
        case .version:
            Function(
                id: id, parameters: [.string], required: 1, result: .version, signature: "version(text)",
                optionalRepository: false)
        case .repositories:
            Function(
                id: id, parameters: [.string, .string], required: 1, result: .list(.repository),
                signature: "repositories(\"workspace\") or repositories(\"workspace\", \"glob\")",
                optionalRepository: false)
        }
    }

    public static let functions: [String: Function] = Dictionary(
        uniqueKeysWithValues: Name.allCases.map { ($0.rawValue, function($0)) })

    /// Whether argument `index` of `function` names a repository (`artifacts(GLOB, REPO)`).
    public static func isRepositoryArgument(_ function: String, _ index: Int) -> Bool {
        guard let parameters = functions[function]?.parameters, index < parameters.count else { return false }
        return parameters[index] == .repository
    }

    /// Fields of the values `for` binds, in the order the documentation lists them.
    public static let fields: [ValueKind: [(name: String, kind: ValueKind)]] = [
        .artifact: [
            ("name", .string), ("size", .integer), ("created", .time), ("age", .duration), ("downloads", .integer),
            ("uploader", .string), ("version", .version),
        ],
        .version: [("major", .integer), ("minor", .integer), ("patch", .integer), ("prerelease", .boolean)],
        .file: [("path", .string), ("name", .string), ("size", .integer)],
    ]
}
