/// The syntax tree of a script. Every node carries the byte range it came from.

/// A whole script: its statements in order.
public struct Script: Hashable, Sendable {
    public var statements: [Statement]
}

/// A name as written, with its position (`version`, `a`).
public struct Identifier: Hashable, Sendable {
    public let name: String
    public let range: SourceRange
    public init(_ name: String, _ range: SourceRange) {
        self.name = name
        self.range = range
    }
}

/// `{ statements }`.
public struct Block: Hashable, Sendable {
    public var statements: [Statement]
    public let range: SourceRange
}

/// `on conflict replace|skip|fail|update` (`update`: uploads under `checksums` only).
public enum ConflictPolicy: String, Hashable, Sendable, CaseIterable {
    case replace, skip, fail, update
}

/// One statement. Each kind carries a payload struct of its own (below), so a new clause is a
/// new field, and every `switch` over `Kind` (no `default:` anywhere) flags a new kind.
public struct Statement: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case use(UseStatement)
        case `let`(LetStatement)
        case upload(UploadStatement)
        case download(DownloadStatement)
        case delete(DeleteStatement)
        case prune(PruneStatement)
        case list(ListStatement)
        case print(PrintStatement)
        case assert(AssertStatement)
        case fail(FailStatement)
        case `if`(IfStatement)
        case `for`(ForStatement)
        case addonUpdate(AddonUpdateStatement)
        /// `addon delete`
        case addonDelete
        /// `linkers`
        case linkers
        case linker(LinkerStatement)
        case checksums(ChecksumsStatement)
        case trust(TrustStatement)
        case verify(VerifyStatement)
    }

    public var kind: Kind
    /// The statement's first word (`upload`, `addon`), where messages about the whole statement point.
    public let keyword: SourceRange
    public let range: SourceRange
    public init(_ kind: Kind, keyword: SourceRange, range: SourceRange) {
        self.kind = kind
        self.keyword = keyword
        self.range = range
    }
}

/// `use REPO`
public struct UseStatement: Hashable, Sendable {
    public var repository: Expression
}

/// `let NAME = EXPR`
public struct LetStatement: Hashable, Sendable {
    public var name: Identifier
    public var value: Expression
}

/// `upload PATTERN [as NAME] [to REPO] [on conflict POLICY]`
public struct UploadStatement: Hashable, Sendable {
    public var pattern: Expression
    public var asName: Expression?
    public var repository: Expression?
    public var conflict: Located<ConflictPolicy>?
}

/// `download PATTERN [from REPO] [to DIR] [on conflict POLICY]`
public struct DownloadStatement: Hashable, Sendable {
    public var pattern: Expression
    public var repository: Expression?
    public var directory: Expression?
    public var conflict: Located<ConflictPolicy>?
}

/// `delete PATTERN [from REPO]`
public struct DeleteStatement: Hashable, Sendable {
    public var pattern: Expression
    public var repository: Expression?
}

/// `prune [PATTERN] [in REPO] [keep N] [older than DURATION]` (at least one of the last two)
public struct PruneStatement: Hashable, Sendable {
    public var pattern: Expression?
    public var repository: Expression?
    /// Each `keep N [by version | per major | per minor]`, in order.
    public var keeps: [KeepClause] = []
    public var olderThan: Expression?
}

/// `keep N`, `keep N by version`, `keep N per major`, `keep N per minor`.
public struct KeepClause: Hashable, Sendable {
    public enum Order: String, Hashable, Sendable {
        case newest = ""
        case version = "by version"
        case major = "per major"
        case minor = "per minor"
    }

    public var count: Expression
    public var order: Order = .newest
    /// From `keep` to the clause's last word.
    public var range: SourceRange?
}

/// `list [PATTERN] [in REPO]`
public struct ListStatement: Hashable, Sendable {
    public var pattern: Expression?
    public var repository: Expression?
}

/// `checksums NAME [in REPO]`: keep a SHA-256 manifest artifact in the repository (by default
/// the one in effect).
public struct ChecksumsStatement: Hashable, Sendable {
    public var manifest: Expression
    /// `signed`: a minisign signature `NAME.minisig` is kept with the manifest.
    public var signed: Bool = false
    public var repository: Expression?
}

/// `trust "RW…" [in REPO]` / `trust key "FILE" [in REPO]`: a minisign public key the manifest's
/// signature must verify against before any entry is believed.
public struct TrustStatement: Hashable, Sendable {
    public var key: Expression
    /// `trust key FILE`: the expression names a public key file.
    public var fromFile: Bool = false
    public var repository: Expression?
}

/// `verify [PATTERN] [in REPO]`
public struct VerifyStatement: Hashable, Sendable {
    public var pattern: Expression?
    public var repository: Expression?
}

/// `print EXPR, ...`
public struct PrintStatement: Hashable, Sendable {
    public var values: [Expression]
}

/// `assert CONDITION [, MESSAGE]`
public struct AssertStatement: Hashable, Sendable {
    public var condition: Expression
    public var message: Expression?
}

/// `fail MESSAGE`
public struct FailStatement: Hashable, Sendable {
    public var message: Expression
}

/// `if C { } else if C { } else { }`
public struct IfStatement: Hashable, Sendable {
    public var branches: [ConditionalBranch]
    public var elseBlock: Block?
}

/// `for NAME in EXPR { }`
public struct ForStatement: Hashable, Sendable {
    public var variable: Identifier
    public var sequence: Expression
    public var body: Block
}

/// `addon update [descriptor FILE | url URL]`
public struct AddonUpdateStatement: Hashable, Sendable {
    public var source: AddonSource
}

/// `linker KEY [ACTION]`
public struct LinkerStatement: Hashable, Sendable {
    public var key: Expression
    public var action: LinkerAction
}

public struct ConditionalBranch: Hashable, Sendable {
    public let condition: Expression
    public let body: Block
}

public enum AddonSource: Hashable, Sendable {
    /// `addon update`: reload the registered descriptor.
    case registered
    /// `addon update descriptor "file.json"`
    case descriptor(Expression)
    /// `addon update url "https://…"`
    case url(Expression)
}

public enum LinkerAction: Hashable, Sendable {
    case show
    case values
    case value(Expression)
    case add(Expression)
    case set(Expression)
    case remove(Expression)
    case clear
}

/// A value with the range it was written at.
public struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
    public let value: Value
    public let range: SourceRange
    public init(_ value: Value, _ range: SourceRange) {
        self.value = value
        self.range = range
    }
}

public enum BinaryOperator: String, Hashable, Sendable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case matches
    case coalesce = "??"
}

/// A piece of a double-quoted string: literal text or an interpolated expression.
public enum StringPart: Hashable, Sendable {
    case text(String, SourceRange)
    case interpolation(Expression)
}

public struct Expression: Hashable, Sendable {
    public indirect enum Kind: Hashable, Sendable {
        case string([StringPart])
        case integer(Int)
        case duration(seconds: Int)
        case boolean(Bool)
        case list([Expression])
        /// A bare repository reference `workspace/slug`.
        case repository(String)
        case name(String)
        case member(Expression, Identifier)
        case call(Identifier, [Expression])
        case not(Expression)
        case binary(BinaryOperator, Expression, Expression)
        /// `exists PATTERN [in REPO]`
        case exists(pattern: Expression, in: Expression?)
        /// `( expr )`, kept so the formatter and diagnostics see what was written.
        case parenthesized(Expression)
    }

    public let kind: Kind
    public let range: SourceRange
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The string's text when it has no interpolation (`"a.zip"`, `'raw'`), else nil.
    public var literalText: String? {
        guard case .string(let parts) = kind else { return nil }
        var text = ""
        for part in parts {
            guard case .text(let piece, _) = part else { return nil }
            text += piece
        }
        return text
    }
}
