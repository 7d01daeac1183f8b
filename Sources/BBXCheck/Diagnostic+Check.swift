import BBXSyntax
import BitbucketModel
import SafeText

/// Every message of the static checks, in the voice of the parser's. Alphabetical by identifier.
extension Diagnostic {
    public static func conditionNotBoolean(_ kind: ValueKind, at range: SourceRange) -> Diagnostic {
        Diagnostic("expected a condition (true or false), found \(kind)", at: range, id: .conditionNotBoolean)
    }

    static func emptyLinkerKey(at range: SourceRange) -> Diagnostic {
        Diagnostic("the linker's key is empty", at: range, id: .emptyLinkerKey)
    }

    static func globWithAs(_ pattern: String, at range: SourceRange, asRange: SourceRange) -> Diagnostic {
        Diagnostic(
            "'as' renames a single file, but the pattern \"\(pattern)\" has glob characters", at: range,
            id: .globWithAs, notes: [Note("'as' given here", at: asRange)])
    }

    public static func invalidArtifactName(_ name: String, problem: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "\"\(name)\" cannot be an artifact's name: \(problem)", at: range, id: .invalidArtifactName)
    }

    static func invalidLinkerValue(_ value: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "linker value \"\(value)\" may only contain letters, digits, '_' and '-'", at: range,
            id: .invalidLinkerValue)
    }

    public static func invalidRepository(_ text: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "\"\(text)\" is not a repository; write workspace/slug (as in acme/app)", at: range,
            id: .invalidRepository)
    }

    public static func invalidURL(_ text: String, at range: SourceRange) -> Diagnostic {
        Diagnostic("\"\(text)\" is not an http(s) URL", at: range, id: .invalidUrl)
    }

    static func mixedList(first: ValueKind, other: ValueKind, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "list items must all be of one kind: this is \(other), the first is \(first)", at: range, id: .mixedList)
    }

    public static func needsRepository(_ statement: String, hint: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "\(statement) needs a repository: \(hint), put a 'use' statement before it, or set BITBUCKET_REPO_FULL_NAME",
            at: range,
            id: .needsRepository)
    }

    public static func updateIsForUploads(at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "'on conflict update' compares an upload with the checksum manifest; a download takes 'replace', 'skip' or 'fail'",
            at: range, id: .updateIsForUploads)
    }

    public static func noSuchField(_ name: String, of kind: ValueKind, fields: [String], at range: SourceRange)
        -> Diagnostic
    {
        let suggestion = closestMatch(to: name, among: fields).map { "; did you mean '\($0)'?" }
        let message =
            fields.isEmpty
            ? "\(kind) has no fields"
            : "\(kind) has no field '\(name)'" + (suggestion ?? "; its fields are " + fields.joined(separator: ", "))
        return Diagnostic(message, at: range, id: .noSuchField)
    }

    static func notARepositoryOrName(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "'\(name)' is not a repository or a defined name; write workspace/slug (as in \(name)/app)", at: range,
            id: .unbound)
    }

    public static func notComparable(_ op: String, _ left: ValueKind, _ right: ValueKind, at range: SourceRange)
        -> Diagnostic
    {
        if left == right {
            return Diagnostic("'\(op)' cannot order \(left.plural)", at: range, id: .notComparable)
        }
        return Diagnostic("'\(op)' cannot compare \(left) with \(right)", at: range, id: .notComparable)
    }

    /// `first`: where the name was bound in this script; nil for a name bound before it (`origin`
    /// says where: an earlier REPL entry).
    static func rebound(_ name: String, at range: SourceRange, first: SourceRange?, origin: String) -> Diagnostic {
        guard let first else { return Diagnostic("'\(name)' is already defined \(origin)", at: range, id: .rebound) }
        return Diagnostic(
            "'\(name)' is already defined in this scope", at: range, id: .rebound,
            notes: [Note("first defined here", at: first)])
    }

    public static func unbound(_ name: String, candidates: [String], at range: SourceRange) -> Diagnostic {
        let suggestion = closestMatch(to: name, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
        return Diagnostic("'\(name)' is not defined\(suggestion)", at: range, id: .unbound, subject: name)
    }

    static func unknownFunction(_ name: String, at range: SourceRange) -> Diagnostic {
        let names = Builtins.functions.keys.sorted()
        let suggestion = closestMatch(to: name, among: names).map { "did you mean '\($0)'?" }
        return Diagnostic(
            "unknown function '\(name)'; " + (suggestion ?? "the functions are " + names.joined(separator: ", ")),
            at: range, id: .unknownFunction)
    }

    static func wrongArgumentCount(_ function: Builtins.Function, given: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "'\(function.name)' takes \(function.required == function.parameters.count ? "" : "\(function.required) to ")"
                + "\(function.parameters.count) argument\(function.parameters.count == 1 ? "" : "s"), found \(given): write \(function.signature)",
            at: range, id: .wrongArgumentCount)
    }

    public static func notAPublicKey(at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "expected a minisign public key (the base64 line of a .pub file, starting RW), or 'trust key \"FILE\"' for the file",
            at: range, id: .notAPublicKey)
    }

    public static func valueTooLarge(bytes: Int, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "this text would be \(formatBytes(Int64(bytes))), over the \(ValueBudget.described) a value may hold",
            at: range, id: .valueTooLarge)
    }

    /// A literal that should read as a number or a duration and does not: the text itself, as
    /// planning says it of a value from `env()`.
    static func unreadableText(_ text: String, expected: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "expected \(expected), found the text \"\(text)\", which does not read as one", at: range, id: .wrongKind)
    }

    public static func wrongKind(expected: String, found: ValueKind, at range: SourceRange) -> Diagnostic {
        Diagnostic("expected \(expected), found \(found)", at: range, id: .wrongKind)
    }
}
