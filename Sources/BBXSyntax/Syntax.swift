/// The syntax tree of a script. Every node carries the byte range it came from.

/// A whole script: its statements in order.
public struct Script: Hashable, Sendable {
    public var statements: [Statement]
    public init(statements: [Statement]) { self.statements = statements }
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
    public init(statements: [Statement], range: SourceRange) {
        self.statements = statements
        self.range = range
    }
}

/// `on conflict replace|skip|fail`.
public enum ConflictPolicy: String, Hashable, Sendable, CaseIterable {
    case replace, skip, fail
}

public struct Statement: Hashable, Sendable {
    public indirect enum Kind: Hashable, Sendable {
        /// `use REPO`
        case use(Expression)
        /// `let NAME = EXPR`
        case `let`(Identifier, Expression)
        /// `upload PATTERN [as NAME] [to REPO] [on conflict POLICY]`
        case upload(pattern: Expression, as: Expression?, to: Expression?, conflict: Located<ConflictPolicy>?)
        /// `download PATTERN [from REPO] [to DIR] [on conflict POLICY]`
        case download(pattern: Expression, from: Expression?, to: Expression?, conflict: Located<ConflictPolicy>?)
        /// `delete PATTERN [from REPO]`
        case delete(pattern: Expression, from: Expression?)
        /// `prune [PATTERN] [in REPO] [keep N] [older than DURATION]` (at least one of the last two)
        case prune(pattern: Expression?, in: Expression?, keep: Expression?, olderThan: Expression?)
        /// `list [PATTERN] [in REPO]`
        case list(pattern: Expression?, in: Expression?)
        /// `print EXPR, ...`
        case print([Expression])
        /// `assert CONDITION [, MESSAGE]`
        case assert(Expression, message: Expression?)
        /// `fail MESSAGE`
        case fail(Expression)
        /// `if C { } else if C { } else { }`
        case `if`(branches: [ConditionalBranch], else: Block?)
        /// `for NAME in EXPR { }`
        case `for`(Identifier, in: Expression, body: Block)
        /// `addon update [descriptor FILE | url URL]`
        case addonUpdate(AddonSource)
        /// `addon delete`
        case addonDelete
        /// `linkers`
        case linkers
        /// `linker KEY [ACTION]`
        case linker(key: Expression, action: LinkerAction)
    }

    public var kind: Kind
    public let range: SourceRange
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

public struct ConditionalBranch: Hashable, Sendable {
    public let condition: Expression
    public let body: Block
    public init(condition: Expression, body: Block) {
        self.condition = condition
        self.body = body
    }
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

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
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
