import BBXSyntax

extension Checker {
    /// Checks an expression where a kind is required; reports the mismatch once.
    mutating func expect(_ expression: Expression, _ expected: ValueKind, _ description: String) {
        let kind = kindOf(expression)
        if !kind.fits(expected) {
            diagnostics.append(.wrongKind(expected: description, found: kind, at: expression.range))
        }
    }

    /// A value of `expected`, or text that `reads` accepts (checked now when written literally,
    /// when planning otherwise).
    mutating func expect(
        _ expression: Expression, _ expected: ValueKind, _ description: String, orTextThat reads: (String) -> Bool
    ) {
        if let text = expression.literalText {
            if !reads(text) {
                diagnostics.append(.unreadableText(text, expected: description, at: expression.range))
            }
        } else if kindOf(expression) != .string {
            expect(expression, expected, description)
        }
    }

    /// An artifact pattern: a string, or an artifact (its exact name).
    mutating func expectPattern(_ expression: Expression) {
        let kind = kindOf(expression)
        if !kind.fits(.string), !kind.fits(.artifact) {
            diagnostics.append(
                .wrongKind(
                    expected: "an artifact pattern (a string, or an artifact)", found: kind, at: expression.range))
        }
    }

    mutating func expectCondition(_ expression: Expression) {
        let kind = kindOf(expression)
        if !kind.fits(.boolean) {
            diagnostics.append(.conditionNotBoolean(kind, at: expression.range))
        }
    }

    /// The kind of an expression, reporting every problem inside it.
    mutating func kindOf(_ expression: Expression) -> ValueKind {
        switch expression.kind {
        case .string(let parts):
            for case .interpolation(let inner) in parts { _ = kindOf(inner) }
            if let bound = textBound(of: expression), bound > ValueBudget.maximumBytes {
                diagnostics.append(.valueTooLarge(bytes: bound, at: expression.range))
            }
            return .string
        case .integer: return .integer
        case .duration: return .duration
        case .boolean: return .boolean
        case .repository: return .repository
        case .parenthesized(let inner): return kindOf(inner)

        case .list(let items):
            var element: ValueKind?
            for item in items {
                let kind = kindOf(item)
                guard let first = element, first != .unknown else {
                    element = kind
                    continue
                }
                if !kind.fits(first) {
                    diagnostics.append(.mixedList(first: first, other: kind, at: item.range))
                }
            }
            return .list(element ?? .unknown)

        case .name(let name):
            guard let binding = lookup(name) else {
                diagnostics.append(.unbound(name, candidates: visibleNames, at: expression.range))
                return .unknown
            }
            return binding.kind

        case .member(let base, let member):
            let baseKind = kindOf(base)
            if baseKind == .unknown { return .unknown }
            let fields = Builtins.fields[baseKind] ?? []
            if let field = fields.first(where: { $0.name == member.name }) { return field.kind }
            diagnostics.append(.noSuchField(member.name, of: baseKind, fields: fields.map(\.name), at: member.range))
            return .unknown

        case .call(let name, let arguments):
            return kindOfCall(name, arguments, range: expression.range)

        case .not(let operand):
            expectCondition(operand)
            return .boolean

        case .binary(let op, let left, let right):
            return kindOfBinary(op, left, right)

        case .exists(let pattern, let repository):
            expectPattern(pattern)
            requireRepository(repository, "'exists'", clause: "in", at: expression.range)
            return .boolean
        }
    }

    mutating func kindOfCall(_ name: Identifier, _ arguments: [Expression], range: SourceRange) -> ValueKind {
        guard let function = Builtins.functions[name.name] else {
            diagnostics.append(.unknownFunction(name.name, at: name.range))
            arguments.forEach { _ = kindOf($0) }
            return .unknown
        }
        guard arguments.count >= function.required, arguments.count <= function.parameters.count else {
            diagnostics.append(.wrongArgumentCount(function, given: arguments.count, at: range))
            arguments.forEach { _ = kindOf($0) }
            return function.result
        }
        for (argument, parameter) in zip(arguments, function.parameters) {
            switch parameter {
            case .repository:
                checkRepository(argument)
            case .list:
                let kind = kindOf(argument)
                if case .list = kind {
                } else if kind != .unknown {
                    diagnostics.append(.wrongKind(expected: "a list", found: kind, at: argument.range))
                }
            default:
                expect(argument, parameter, parameter.description)
            }
        }
        if function.optionalRepository, arguments.count < function.parameters.count, !hasRepository {
            diagnostics.append(
                .needsRepository("'\(function.name)(...)'", hint: "give it as the second argument", at: name.range))
        }
        return function.result
    }

    mutating func kindOfBinary(_ op: BinaryOperator, _ left: Expression, _ right: Expression) -> ValueKind {
        switch op {
        case .and, .or:
            expectCondition(left)
            expectCondition(right)
            return .boolean
        case .matches:
            expect(left, .string, "a string to match")
            expect(right, .string, "a glob pattern (a string)")
            return .boolean
        case .coalesce:
            let leftKind = kindOf(left)
            let rightKind = kindOf(right)
            if !rightKind.fits(leftKind) {
                diagnostics.append(.wrongKind(expected: "\(leftKind) after '??'", found: rightKind, at: right.range))
            }
            return leftKind == .unknown ? rightKind : leftKind
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            let leftKind = kindOf(left)
            let rightKind = kindOf(right)
            let range = left.range.union(right.range)
            if !leftKind.fits(rightKind) {
                diagnostics.append(.notComparable(op.rawValue, leftKind, rightKind, at: range))
            } else if op != .equal, op != .notEqual, !(leftKind.isOrdered && rightKind.isOrdered) {
                diagnostics.append(.notComparable(op.rawValue, leftKind, rightKind, at: range))
            }
            return .boolean
        }
    }
}

extension Checker {
    /// The most bytes a string expression's text can have, when the script shows it: literal
    /// text, and names bound to such strings, interpolated (saturating, so a doubling chain
    /// does not overflow). Nil where it depends on what runs (`env`, a field, a function).
    func textBound(of expression: Expression) -> Int? {
        switch expression.kind {
        case .string(let parts):
            var total = 0
            for part in parts {
                switch part {
                case .text(let piece, _): total = total.addingReportingOverflow(piece.utf8.count).partialValue
                case .interpolation(let inner):
                    guard let inner = textBound(of: inner) else { return nil }
                    let (sum, overflow) = total.addingReportingOverflow(inner)
                    total = overflow ? Int.max : sum
                }
            }
            return total
        case .name(let name): return lookup(name)?.textBound
        case .parenthesized(let inner): return textBound(of: inner)
        case .integer(let number): return String(number).utf8.count
        case .boolean: return 5
        default: return nil
        }
    }
}
