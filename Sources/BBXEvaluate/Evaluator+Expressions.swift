import BBXCheck
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation

extension Evaluator {
    /// The value of an expression in the current scope and the state the plan has reached.
    mutating func evaluate(_ expression: Expression) async throws -> Value {
        switch expression.kind {
        case .string(let parts):
            var text = ""
            for part in parts {
                let piece: String
                switch part {
                case .text(let literal, _): piece = literal
                case .interpolation(let inner): piece = try await evaluate(inner).description
                }
                // Checked before the text is built, so a doubling chain stops at its budget.
                let size = text.utf8.count.addingReportingOverflow(piece.utf8.count)
                guard !size.overflow, size.partialValue <= ValueBudget.maximumBytes else {
                    throw PlanningError.valueTooLarge(
                        bytes: size.overflow ? Int.max : size.partialValue, at: expression.range)
                }
                text += piece
            }
            return .string(text)
        case .integer(let number): return .integer(number)
        case .duration(let seconds): return .duration(seconds)
        case .boolean(let flag): return .boolean(flag)
        case .repository(let text):
            // The lexer reads `workspace/slug` by shape; the name's own rules decide.
            guard let name = RepositoryName(parsing: text) else {
                throw PlanningError.invalidRepository(text, at: expression.range)
            }
            return .repository(name)
        case .parenthesized(let inner): return try await evaluate(inner)

        case .list(let items):
            var values: [Value] = []
            for item in items { values.append(try await evaluate(item)) }
            return .list(values)

        case .name(let name):
            for scope in scopes.reversed() {
                if let value = scope.names[name] { return value }
            }
            throw PlanningError.unbound(name, at: expression.range)

        case .member(let base, let field):
            return try member(try await evaluate(base), field, at: expression.range)

        case .call(let function, let arguments):
            return try await call(function, arguments, at: expression.range)

        case .not(let inner):
            return .boolean(!(try await boolean(inner)))

        case .binary(let op, let left, let right):
            return try await binary(op, left, right, at: expression.range)

        case .exists(let pattern, let clause):
            let name = try await repositoryInEffect(
                clause, for: "'exists'", hint: "add 'in workspace/slug'", at: expression.range)
            let glob = Glob(try await self.pattern(pattern) ?? "*")
            return .boolean(!(try await remote(name, at: expression.range)).matching(glob).isEmpty)
        }
    }

    func member(_ value: Value, _ field: Identifier, at range: SourceRange) throws -> Value {
        switch (value, field.name) {
        case (.artifact(let artifact, _), "name"): return .string(artifact.name)
        case (.artifact(let artifact, _), "size"): return .integer(Int(artifact.size))
        case (.artifact(let artifact, _), "created"): return .time(artifact.created)
        case (.artifact(let artifact, let now), "age"):
            return .duration(max(0, Int(now.timeIntervalSince(artifact.created))))
        case (.artifact(let artifact, _), "downloads"): return .integer(artifact.downloads)
        case (.artifact(let artifact, _), "uploader"):
            return .string(artifact.uploader?.displayName ?? artifact.uploader?.accountID ?? "")
        case (.file(let file), "path"): return .string(file.path)
        case (.file(let file), "name"): return .string(file.name)
        case (.file(let file), "size"): return .integer(Int(file.size))
        case (.artifact(let artifact, _), "version"):
            // From the whole name: a loop's pattern is not known here (`for a in artifacts(…)`).
            return .version(Version.read(from: artifact.name))
        case (.version(let version), "prerelease"): return .boolean(version?.isPrerelease ?? false)
        case (.version(let version), "major"), (.version(let version), "minor"), (.version(let version), "patch"):
            guard let version else { throw PlanningError.noVersion("none", at: field.range) }
            return .integer(
                field.name == "major" ? version.major : field.name == "minor" ? version.minor : version.patch)
        default:
            throw PlanningError.noSuchField(field.name, of: value, at: field.range)
        }
    }

    mutating func call(_ function: Identifier, _ arguments: [Expression], at range: SourceRange) async throws -> Value {
        var values: [Value] = []
        for argument in arguments { values.append(try await evaluate(argument)) }
        func text(_ index: Int) -> String? {
            guard index < values.count, case .string(let text) = values[index] else { return nil }
            return text
        }
        if function.name == "env", let name = text(0), CredentialVariables.isUnreadable(name) {
            throw PlanningError.credentialVariable(name, at: range)
        }
        // The arity and kinds come from the checker's table; what each function does, from here.
        guard let builtin = Builtins.functions[function.name], builtin.accepts(count: values.count),
            zip(values, builtin.parameters).allSatisfy(Self.fits)
        else {
            throw PlanningError.wrongArguments(function.name, at: range)
        }
        switch builtin.id {
        case .env:
            let name = text(0)!
            if values.count == 2 { return .string(options.environment[name] ?? text(1)!) }
            guard let value = options.environment[name] else {
                throw PlanningError.unsetVariable(name, at: range)
            }
            return .string(value)
        case .files:
            return .list(try expandLocal(text(0)!, at: arguments[0].range, allowEmpty: true).map { .file($0) })
        case .artifacts:
            let pattern = text(0)!
            let name = try await repositoryInEffect(
                values.count == 2 ? arguments[1] : nil, for: "'artifacts(...)'",
                hint: "give it as the second argument", at: function.range)
            let now = options.now
            // Newest first, as Bitbucket lists them and `prune keep N` ranks them.
            return .list(
                newestFirst(try await remote(name, at: range).matching(Glob(pattern))).map { .artifact($0, now: now) })
        case .basename:
            return .string((text(0)! as NSString).lastPathComponent)
        case .count:
            guard case .list(let items) = values[0] else { return .integer(0) }  // a list: `fits` checked it
            return .integer(items.count)
        case .exact:
            return .string(Glob.escaping(text(0)!))
        case .version:
            return .version(Version(text(0)!) ?? Version.read(from: text(0)!))
        case .repositories:
            let workspace = text(0)!
            guard RepositoryName.isWorkspace(workspace) else {
                throw PlanningError.notAWorkspace(workspace, at: arguments[0].range)
            }
            let glob = values.count == 2 ? Glob(text(1)!) : nil
            return .list(
                try await repositories(in: workspace, at: range).filter { glob?.matches($0.slug) ?? true }.map {
                    .repository($0)
                })
        case .latest, .newest:
            let pattern = text(0)!
            let name = try await repositoryInEffect(
                values.count == 2 ? arguments[1] : nil, for: "'\(function.name)(...)'",
                hint: "give it as the second argument", at: function.range)
            let found = try await remote(name, at: range).matching(Glob(pattern)).filter(\.isCreationKnown)
            let ordered = newestFirst(found)
            let chosen: Artifact?
            if builtin.id == .newest {
                chosen = ordered.first
            } else {
                // The highest release (not a pre-release); equal versions: the newest.
                let releases = ordered.compactMap { artifact in
                    Version.read(from: artifact.name, pattern: pattern).flatMap {
                        $0.isPrerelease ? nil : (artifact, $0)
                    }
                }
                chosen = releases.max { Version.compare($0.1, $1.1) < 0 }?.0
            }
            guard let chosen else {
                throw PlanningError.nothingLatest(
                    function.name, pattern: pattern, matched: found.count, in: name, at: range)
            }
            touch(name, chosen.name)
            return .artifact(chosen, now: options.now)
        }
    }

    /// Whether an argument's value fits a parameter's kind (a repository is read by
    /// `repository(_:)`, which says what is wrong with it).
    static func fits(_ value: Value, _ parameter: ValueKind) -> Bool {
        switch parameter {
        case .repository, .unknown: return true
        case .list:
            if case .list = value { return true }
            return false
        case .string, .integer, .duration, .boolean, .artifact, .file, .time, .version: return value.kind == parameter
        }
    }

    mutating func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, at range: SourceRange)
        async throws -> Value
    {
        switch op {
        case .or:
            return .boolean(try await boolean(left) ? true : try await boolean(right))
        case .and:
            return .boolean(try await boolean(left) ? try await boolean(right) : false)
        case .coalesce:
            // `env("X") ?? "y"`: the right side stands in for an unset variable only.
            if case .call(let function, let arguments) = left.kind, function.name == "env", arguments.count == 1,
                case .string(let name) = try await evaluate(arguments[0]), options.environment[name] == nil
            {
                return try await evaluate(right)
            }
            // `a.version ?? "0"`, `version(text) ?? …`: and for a name without a version.
            let value = try await evaluate(left)
            if case .version(nil) = value { return try await evaluate(right) }
            return value
        case .matches:
            let subject = try await evaluate(left)
            let pattern = try await evaluate(right)
            guard case .string(let text) = subject, case .string(let glob) = pattern else {
                throw PlanningError.matchesNeedsStrings(at: range)
            }
            return .boolean(Glob(glob).matches(text))
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            let a = try await evaluate(left)
            let b = try await evaluate(right)
            return .boolean(try compare(op, a, b, at: range))
        }
    }

    func compare(_ op: BinaryOperator, _ a: Value, _ b: Value, at range: SourceRange) throws -> Bool {
        let order: Int?
        switch (a, b) {
        case (.string(let x), .string(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.integer(let x), .integer(let y)), (.duration(let x), .duration(let y)):
            order = x < y ? -1 : (x == y ? 0 : 1)
        case (.time(let x), .time(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.version, .version), (.version, .string), (.string, .version):
            // A side that is text reads as a version; none (a name without one) orders nothing.
            func read(_ value: Value) -> Version? {
                switch value {
                case .version(let version): version
                case .string(let text): Version(text)
                default: nil
                }
            }
            let left = read(a)
            let right = read(b)
            guard let left, let right else {
                if op == .equal || op == .notEqual { order = nil; break }
                throw PlanningError.noVersion(left == nil ? a.description : b.description, at: range)
            }
            order = Version.compare(left, right)
        default: order = nil
        }
        switch op {
        case .equal: return order.map { $0 == 0 } ?? (a == b)
        case .notEqual: return order.map { $0 != 0 } ?? (a != b)
        default:
            guard let order else {
                throw PlanningError.notComparable(op, a, b, at: range)
            }
            switch op {
            case .less: return order < 0
            case .lessEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    // MARK: - Kinds

    mutating func boolean(_ expression: Expression) async throws -> Bool {
        let value = try await evaluate(expression)
        guard case .boolean(let flag) = value else {
            throw PlanningError.conditionNotBoolean(value, at: expression.range)
        }
        return flag
    }

    /// An artifact pattern: a string, or an artifact value, which means exactly its name
    /// (`download latest("app-*.zip")`, `delete a` in a loop); nil when the expression is absent.
    mutating func pattern(_ expression: Expression?) async throws -> String? {
        guard let expression else { return nil }
        switch try await evaluate(expression) {
        case .string(let text): return text
        case .artifact(let artifact, _): return Glob.escaping(artifact.name)
        case let other:
            throw PlanningError.wrongKind(
                expected: "an artifact pattern (a string, or an artifact)", found: other, at: expression.range)
        }
    }

    /// A string, or nil when the expression is absent.
    mutating func string(_ expression: Expression?) async throws -> String? {
        guard let expression else { return nil }
        let value = try await evaluate(expression)
        guard case .string(let text) = value else {
            throw PlanningError.wrongKind(expected: "a string", found: value, at: expression.range)
        }
        return text
    }

    /// An integer, or a string that reads as one: numbers from `env(…)` and `--var` are text.
    mutating func integer(_ expression: Expression) async throws -> Int {
        let value = try await evaluate(expression)
        switch value {
        case .integer(let number): return number
        case .string(let text):
            guard let number = parseWholeNumber(text) else {
                throw PlanningError.notANumber(text, at: expression.range)
            }
            return number
        default:
            throw PlanningError.wrongKind(expected: "an integer", found: value, at: expression.range)
        }
    }

    /// A duration, or a string that reads as one (`"30d"`, `"29d 15h 25m"`).
    mutating func duration(_ expression: Expression) async throws -> Int {
        let value = try await evaluate(expression)
        switch value {
        case .duration(let seconds): return seconds
        case .string(let text):
            guard let seconds = parseDuration(text) else {
                throw PlanningError.notADuration(text, at: expression.range)
            }
            return seconds
        default:
            throw PlanningError.wrongKind(expected: "a duration (such as 30d)", found: value, at: expression.range)
        }
    }

    /// `acme/app`, `"acme/app"`, or a name bound to either.
    mutating func repository(_ expression: Expression) async throws -> RepositoryName {
        switch try await evaluate(expression) {
        case .repository(let name):
            named(name, at: expression.range)
            return name
        case .string(let text):
            guard let name = RepositoryName(parsing: text) else {
                throw PlanningError.invalidRepository(text, at: expression.range)
            }
            named(name, at: expression.range)
            return name
        case let other:
            throw PlanningError.wrongKind(expected: "a repository (workspace/slug)", found: other, at: expression.range)
        }
    }

    /// Remembers where a repository was first named in this run (`use acme/app`, `in r`): a
    /// repository that turns out not to exist is reported there, not at the first statement
    /// that happened to read it.
    mutating func named(_ repository: RepositoryName, at range: SourceRange) {
        if namedAt[repository] == nil { namedAt[repository] = range }
    }
}
