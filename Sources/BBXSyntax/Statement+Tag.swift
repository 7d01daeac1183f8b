extension Statement {
    /// A statement's kind without its payload. Tests enumerate `allCases` to require that every
    /// layer (parser, checker, evaluator, sandbox, completion, formatter) handles every kind; a new
    /// `Kind` case does not compile until `Kind.tag` names its tag.
    public enum Tag: String, CaseIterable, Sendable {
        case use, `let`, upload, download, delete, prune, list, print, assert, fail, `if`, `for`
        case addonUpdate = "addon update"
        case addonDelete = "addon delete"
        case linkers, linker
        case checksums, verify, trust

        /// The word a statement of this kind begins with.
        public var keyword: String { String(rawValue.prefix { $0 != " " }) }

        /// Statement words that are not reserved (added after scripts could already use them as
        /// names): they begin a statement only where one begins, and stay usable as names.
        public static let contextualKeywords: [String] = allCases.map(\.keyword).filter {
            Keyword(rawValue: $0) == nil
        }

        /// What the statement's strings name, for completion: local files to upload, or the
        /// artifacts of a repository (completed from the names last listed).
        public var strings: Operand {
            switch self {
            case .upload: .localFiles
            case .download, .delete, .prune, .list, .verify, .checksums: .artifacts
            case .use, .let, .print, .assert, .fail, .if, .for, .addonUpdate, .addonDelete, .linkers, .linker, .trust:
                .other
            }
        }

        /// Whether the statement calls the Connect app's endpoints (and so needs its
        /// credentials). What a statement does to a repository is its clauses' role.
        public var isConnect: Bool {
            switch self {
            case .addonUpdate, .addonDelete, .linkers, .linker: true
            case .use, .let, .upload, .download, .delete, .prune, .list, .print, .assert, .fail, .if, .for, .checksums,
                .verify, .trust:
                false
            }
        }

        /// How the statement is written, every clause shown: the REPL's `:help` lists these.
        public var synopsis: String {
            let policies = ConflictPolicy.allCases.map(\.rawValue)
            switch self {
            case .use: return "use acme/app"
            case .let: return "let name = expr"
            case .upload:
                return "upload \"build/*.zip\" [as NAME] [to REPO] [on conflict \(policies.joined(separator: "|"))]"
            case .download:
                let local = policies.filter { $0 != "update" }.joined(separator: "|")
                return "download \"*.zip\" [from REPO] [to DIR] [on conflict \(local)]"
            case .delete: return "delete \"old-*\" [from REPO]"
            case .prune:
                return "prune \"app-*\" [in REPO] keep 5 [by version|per major|per minor] [older than 30d]"
            case .list: return "list [\"*.zip\"] [in REPO]"
            case .print: return "print expr, …"
            case .assert: return "assert condition [, \"message\"]"
            case .fail: return "fail \"message\""
            case .if: return "if condition { … } [else if condition { … }] [else { … }]"
            case .for: return "for name in list { … }"
            case .addonUpdate: return "addon update [descriptor \"FILE\" | url \"URL\"]"
            case .addonDelete: return "addon delete"
            case .linkers: return "linkers"
            case .linker:
                return "linker \"KEY\" [values | value ID | add \"V\" | set [\"A\", \"B\"] | remove ID | clear]"
            case .checksums: return "checksums \"SHA256SUMS\" [signed] [in REPO]"
            case .verify: return "verify [\"app-*\"] [in REPO]"
            case .trust: return "trust \"RW…\" [in REPO], or trust key \"minisign.pub\" [in REPO]"
            }
        }

        public enum Operand: Sendable {
            case localFiles, artifacts, other
        }

        /// The words that only follow another word inside this kind of statement (`on` →
        /// `conflict`), for completion; `"linker KEY"` stands for the word after the linker's key.
        /// The leading keywords themselves come from `Keyword`.
        public var followingWords: [String: [String]] {
            switch self {
            case .upload, .download:
                return ["on": ["conflict"], "conflict": ConflictPolicy.allCases.map(\.rawValue)]
            case .prune: return ["older": ["than"], "by": ["version"], "per": ["major", "minor"]]
            case .addonUpdate: return ["addon": ["update", "delete"], "update": ["descriptor", "url"]]
            case .addonDelete: return ["addon": ["update", "delete"]]
            case .linker: return ["linker KEY": LinkerAction.words]
            case .trust: return ["trust": ["key"]]
            case .use, .let, .delete, .list, .print, .assert, .fail, .if, .for, .linkers, .checksums, .verify:
                return [:]
            }
        }
    }
}

extension Statement.Kind {
    public var tag: Statement.Tag {
        switch self {
        case .use: .use
        case .let: .let
        case .upload: .upload
        case .download: .download
        case .delete: .delete
        case .prune: .prune
        case .list: .list
        case .print: .print
        case .assert: .assert
        case .fail: .fail
        case .if: .if
        case .for: .for
        case .addonUpdate: .addonUpdate
        case .addonDelete: .addonDelete
        case .linkers: .linkers
        case .linker: .linker
        case .checksums: .checksums
        case .verify: .verify
        case .trust: .trust
        }
    }
}

extension LinkerAction {
    /// The words that may follow a linker's key, in the grammar's order.
    public static let words = ["values", "value", "add", "set", "remove", "clear"]
}
