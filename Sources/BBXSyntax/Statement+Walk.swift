/// Walking the tree without a `switch` per use: the expressions a statement holds, its nested
/// blocks, and where it names a repository. The checker, the sandbox and completion read
/// repositories through these, so a new statement kind is described once, here.

/// A clause through which a statement names a repository, and what the statement does there.
public struct RepositoryClause: Sendable {
    /// `use`, `to`, `from` or `in`: the word that introduces it.
    public let word: String
    /// What is written after the word; nil when the clause is left out (the repository in effect).
    public let expression: Expression?
    public let role: Role

    public enum Role: Sendable {
        /// `use`: the repository in effect from here on.
        case inEffect
        /// Read (listed, downloaded, verified, trusted).
        case read
        /// Its Downloads are changed (uploads, deletes). Not `checksums`: it keeps a manifest
        /// that the statements which change something write.
        case written
    }

    init(_ word: String, _ expression: Expression?, _ role: Role) {
        (self.word, self.expression, self.role) = (word, expression, role)
    }
}

extension Statement {
    /// Every repository this statement names, each with its clause's word and role (`use REPO`;
    /// `to`/`from`/`in REPO`); empty for a statement that acts on none. Each must be written or
    /// in effect: the checker says "needs a repository" for every one.
    public var repositoryClauses: [RepositoryClause] {
        switch kind {
        case .use(let s): [RepositoryClause("use", s.repository, .inEffect)]
        case .upload(let s): [RepositoryClause("to", s.repository, .written)]
        case .download(let s): [RepositoryClause("from", s.repository, .read)]
        case .delete(let s): [RepositoryClause("from", s.repository, .written)]
        case .prune(let s): [RepositoryClause("in", s.repository, .written)]
        case .list(let s): [RepositoryClause("in", s.repository, .read)]
        case .verify(let s): [RepositoryClause("in", s.repository, .read)]
        case .checksums(let s): [RepositoryClause("in", s.repository, .read)]
        case .trust(let s): [RepositoryClause("in", s.repository, .read)]
        case .let, .print, .assert, .fail, .if, .for, .addonUpdate, .addonDelete, .linkers, .linker: []
        }
    }

    /// The expressions written in the statement itself, not in its nested blocks, in source order.
    public var expressions: [Expression] {
        switch kind {
        case .use(let s): [s.repository]
        case .let(let s): [s.value]
        case .upload(let s): [s.pattern, s.asName, s.repository].compactMap { $0 }
        case .download(let s): [s.pattern, s.repository, s.directory].compactMap { $0 }
        case .delete(let s): [s.pattern, s.repository].compactMap { $0 }
        case .prune(let s):
            [s.pattern, s.repository].compactMap { $0 } + s.keeps.map(\.count) + [s.olderThan].compactMap { $0 }
        case .list(let s): [s.pattern, s.repository].compactMap { $0 }
        case .print(let s): s.values
        case .assert(let s): [s.condition, s.message].compactMap { $0 }
        case .fail(let s): [s.message]
        case .if(let s): s.branches.map(\.condition)
        case .for(let s): [s.sequence]
        case .addonUpdate(let s):
            switch s.source {
            case .registered: []
            case .descriptor(let e), .url(let e): [e]
            }
        case .addonDelete, .linkers: []
        case .linker(let s): [s.key] + s.action.expressions
        case .checksums(let s): [s.manifest, s.repository].compactMap { $0 }
        case .verify(let s): [s.pattern, s.repository].compactMap { $0 }
        case .trust(let s): [s.key, s.repository].compactMap { $0 }
        }
    }

    /// The blocks nested in this statement, in source order.
    public var blocks: [Block] {
        switch kind {
        case .if(let s): s.branches.map(\.body) + (s.elseBlock.map { [$0] } ?? [])
        case .for(let s): [s.body]
        case .use, .let, .upload, .download, .delete, .prune, .list, .print, .assert, .fail, .addonUpdate,
            .addonDelete, .linkers, .linker, .checksums, .verify, .trust:
            []
        }
    }
}

extension LinkerAction {
    public var expressions: [Expression] {
        switch self {
        case .show, .values, .clear: []
        case .value(let e), .add(let e), .set(let e), .remove(let e): [e]
        }
    }
}

extension Expression {
    /// The expressions directly inside this one (operands, arguments, items, interpolations).
    public var children: [Expression] {
        switch kind {
        case .string(let parts):
            parts.compactMap { part in
                if case .interpolation(let inner) = part { inner } else { nil }
            }
        case .integer, .duration, .boolean, .repository, .name: []
        case .list(let items): items
        case .member(let base, _): [base]
        case .call(_, let arguments): arguments
        case .not(let inner), .parenthesized(let inner): [inner]
        case .binary(_, let left, let right): [left, right]
        case .exists(let pattern, let repository): [pattern] + (repository.map { [$0] } ?? [])
        }
    }

    /// The repository positions inside this expression: `exists … in REPO`, and each call
    /// argument for which `isRepositoryArgument(function, index)` holds (`artifacts(GLOB, REPO)`).
    public func repositoryPositions(isRepositoryArgument: (String, Int) -> Bool) -> [Expression] {
        var found: [Expression] = []
        switch kind {
        case .exists(_, let repository?): found.append(repository)
        case .call(let function, let arguments):
            for (index, argument) in arguments.enumerated() where isRepositoryArgument(function.name, index) {
                found.append(argument)
            }
        default: break
        }
        return found + children.flatMap { $0.repositoryPositions(isRepositoryArgument: isRepositoryArgument) }
    }
}

extension Block {
    /// Whether a statement in this block (or a block nested in it) acts on the repository bound
    /// to `name`: names it in its repository clause (`prune … in r`, `use r`), or passes it as a
    /// function's repository (`artifacts("*", r)`, `exists "x" in r`). Planning lists such a
    /// loop's repositories ahead, together.
    public func actsOn(_ name: String) -> Bool {
        func isName(_ expression: Expression?) -> Bool {
            guard let expression else { return false }
            switch expression.kind {
            case .name(let found): return found == name
            case .parenthesized(let inner): return isName(inner)
            default: return false
            }
        }
        func passes(_ expression: Expression) -> Bool {
            switch expression.kind {
            case .call(_, let arguments):
                return arguments.dropFirst().contains(where: isName) || arguments.contains(where: passes)
            case .exists(let pattern, let repository): return isName(repository) || passes(pattern)
            case .list(let items): return items.contains(where: passes)
            case .member(let base, _), .not(let base), .parenthesized(let base): return passes(base)
            case .binary(_, let left, let right): return passes(left) || passes(right)
            case .string(let parts):
                return parts.contains {
                    if case .interpolation(let inner) = $0 { return passes(inner) }
                    return false
                }
            case .integer, .duration, .boolean, .repository, .name: return false
            }
        }
        return statements.contains { statement in
            statement.repositoryClauses.contains { isName($0.expression) }
                || statement.expressions.contains(where: passes)
                || statement.blocks.contains { $0.actsOn(name) }
        }
    }
}
