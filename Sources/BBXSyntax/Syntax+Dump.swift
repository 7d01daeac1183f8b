/// A compact, position-free rendering of the syntax tree as s-expressions. Tests compare trees
/// through it (a formatted script must dump exactly as the original), and so can a reader.
extension Script {
    public var dump: String { statements.map(\.dump).joined(separator: "\n") }
}

extension Block {
    var dump: String { "{" + statements.map(\.dump).joined(separator: " ") + "}" }
}

extension Statement {
    public var dump: String {
        func opt(_ label: String, _ e: Expression?) -> String { e.map { " \(label) \($0.dump)" } ?? "" }
        switch kind {
        case .use(let repo): return "(use \(repo.dump))"
        case .let(let name, let value): return "(let \(name.name) \(value.dump))"
        case .upload(let pattern, let asName, let to, let conflict):
            return "(upload \(pattern.dump)\(opt("as", asName))\(opt("to", to))"
                + (conflict.map { " conflict \($0.value.rawValue)" } ?? "") + ")"
        case .download(let pattern, let from, let to, let conflict):
            return "(download \(pattern.dump)\(opt("from", from))\(opt("to", to))"
                + (conflict.map { " conflict \($0.value.rawValue)" } ?? "") + ")"
        case .delete(let pattern, let from): return "(delete \(pattern.dump)\(opt("from", from)))"
        case .prune(let pattern, let repo, let keep, let older):
            return "(prune" + (pattern.map { " \($0.dump)" } ?? "") + opt("in", repo) + opt("keep", keep)
                + opt("older-than", older) + ")"
        case .list(let pattern, let repo):
            return "(list" + (pattern.map { " \($0.dump)" } ?? "") + opt("in", repo) + ")"
        case .print(let values): return "(print " + values.map(\.dump).joined(separator: " ") + ")"
        case .assert(let condition, let message): return "(assert \(condition.dump)\(opt("message", message)))"
        case .fail(let message): return "(fail \(message.dump))"
        case .if(let branches, let elseBlock):
            return "(if " + branches.map { "\($0.condition.dump) \($0.body.dump)" }.joined(separator: " elif ")
                + (elseBlock.map { " else \($0.dump)" } ?? "") + ")"
        case .for(let name, let sequence, let body): return "(for \(name.name) \(sequence.dump) \(body.dump))"
        case .addonUpdate(.registered): return "(addon-update)"
        case .addonUpdate(.descriptor(let file)): return "(addon-update descriptor \(file.dump))"
        case .addonUpdate(.url(let url)): return "(addon-update url \(url.dump))"
        case .addonDelete: return "(addon-delete)"
        case .linkers: return "(linkers)"
        case .linker(let key, let action):
            let rest: String
            switch action {
            case .show: rest = ""
            case .values: rest = " values"
            case .value(let id): rest = " value \(id.dump)"
            case .add(let v): rest = " add \(v.dump)"
            case .set(let v): rest = " set \(v.dump)"
            case .remove(let id): rest = " remove \(id.dump)"
            case .clear: rest = " clear"
            }
            return "(linker \(key.dump)\(rest))"
        }
    }
}

extension Expression {
    public var dump: String {
        switch kind {
        case .string(let parts):
            return "\""
                + parts.map { part -> String in
                    switch part {
                    case .text(let text, _): return text.debugEscaped
                    case .interpolation(let e): return "${\(e.dump)}"
                    }
                }.joined() + "\""
        case .integer(let n): return "\(n)"
        case .duration(let s): return formatDuration(seconds: s)
        case .boolean(let b): return "\(b)"
        case .list(let items): return "[" + items.map(\.dump).joined(separator: " ") + "]"
        case .repository(let r): return "repo:\(r)"
        case .name(let n): return n
        case .member(let base, let member): return "\(base.dump).\(member.name)"
        case .call(let f, let args): return "(call \(f.name)" + args.map { " \($0.dump)" }.joined() + ")"
        case .not(let e): return "(not \(e.dump))"
        case .binary(let op, let l, let r): return "(\(op.rawValue) \(l.dump) \(r.dump))"
        case .exists(let p, let repo): return "(exists \(p.dump)" + (repo.map { " in \($0.dump)" } ?? "") + ")"
        case .parenthesized(let e): return e.dump
        }
    }
}

extension String {
    /// Escapes quotes, backslashes and control characters so dumps stay on one line.
    var debugEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "$": out += "\\$"
            default:
                if scalar.value < 0x20 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
