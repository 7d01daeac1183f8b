/// The built-in functions and the fields of artifacts and files: the single table the checker
/// (and later the evaluator) consult.
public enum Builtins {
    public struct Function: Sendable {
        public let name: String
        /// Parameter kinds; those past `required` may be left out.
        public let parameters: [ValueKind]
        public let required: Int
        public let result: ValueKind
        public let signature: String
        /// A call with fewer arguments than `parameters` reads the default repository.
        public let optionalRepository: Bool
    }

    public static let functions: [String: Function] = [
        "env": Function(
            name: "env", parameters: [.string, .string], required: 1, result: .string,
            signature: "env(\"NAME\") or env(\"NAME\", \"fallback\")", optionalRepository: false),
        "files": Function(
            name: "files", parameters: [.string], required: 1, result: .list(.file), signature: "files(\"glob\")",
            optionalRepository: false),
        "artifacts": Function(
            name: "artifacts", parameters: [.string, .repository], required: 1, result: .list(.artifact),
            signature: "artifacts(\"glob\") or artifacts(\"glob\", workspace/slug)", optionalRepository: true),
        "basename": Function(
            name: "basename", parameters: [.string], required: 1, result: .string, signature: "basename(path)",
            optionalRepository: false),
        "count": Function(
            name: "count", parameters: [.list(.unknown)], required: 1, result: .integer, signature: "count(list)",
            optionalRepository: false),
    ]

    /// Whether argument `index` of `function` names a repository (`artifacts(GLOB, REPO)`).
    public static func isRepositoryArgument(_ function: String, _ index: Int) -> Bool {
        guard let parameters = functions[function]?.parameters, index < parameters.count else { return false }
        return parameters[index] == .repository
    }

    /// Fields of the values `for` binds, in the order the documentation lists them.
    public static let fields: [ValueKind: [(name: String, kind: ValueKind)]] = [
        .artifact: [
            ("name", .string), ("size", .integer), ("created", .time), ("age", .duration), ("downloads", .integer),
            ("uploader", .string),
        ],
        .file: [("path", .string), ("name", .string), ("size", .integer)],
    ]
}
