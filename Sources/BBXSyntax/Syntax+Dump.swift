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
        case .use(let s): return "(use \(s.repository.dump))"
        case .let(let s): return "(let \(s.name.name) \(s.value.dump))"
        case .upload(let s):
            return "(upload \(s.pattern.dump)\(opt("as", s.asName))\(opt("to", s.repository))"
                + (s.conflict.map { " conflict \($0.value.rawValue)" } ?? "") + ")"
        case .download(let s):
            return "(download \(s.pattern.dump)\(opt("from", s.repository))\(opt("to", s.directory))"
                + (s.conflict.map { " conflict \($0.value.rawValue)" } ?? "") + ")"
        case .delete(let s): return "(delete \(s.pattern.dump)\(opt("from", s.repository)))"
        case .prune(let s):
            return "(prune" + (s.pattern.map { " \($0.dump)" } ?? "") + opt("in", s.repository)
                + s.keeps.map {
                    opt(
                        $0.order == .newest
                            ? "keep" : "keep-" + $0.order.rawValue.replacingOccurrences(of: " ", with: "-"), $0.count)
                }.joined()
                + opt("older-than", s.olderThan) + ")"
        case .list(let s):
            return "(list" + (s.pattern.map { " \($0.dump)" } ?? "") + opt("in", s.repository) + ")"
        case .print(let s): return "(print " + s.values.map(\.dump).joined(separator: " ") + ")"
        case .assert(let s): return "(assert \(s.condition.dump)\(opt("message", s.message)))"
        case .fail(let s): return "(fail \(s.message.dump))"
        case .if(let s):
            return "(if " + s.branches.map { "\($0.condition.dump) \($0.body.dump)" }.joined(separator: " elif ")
                + (s.elseBlock.map { " else \($0.dump)" } ?? "") + ")"
        case .for(let s): return "(for \(s.variable.name) \(s.sequence.dump) \(s.body.dump))"
        case .addonUpdate(let s):
            switch s.source {
            case .registered: return "(addon-update)"
            case .descriptor(let file): return "(addon-update descriptor \(file.dump))"
            case .url(let url): return "(addon-update url \(url.dump))"
            }
        case .addonDelete: return "(addon-delete)"
        case .linkers: return "(linkers)"
        case .checksums(let s):
            return "(checksums \(s.manifest.dump)\(s.signed ? " signed" : "")\(opt("in", s.repository)))"
        case .trust(let s): return "(trust\(s.fromFile ? " key" : "") \(s.key.dump)\(opt("in", s.repository)))"
        case .verify(let s):
            return "(verify" + (s.pattern.map { " \($0.dump)" } ?? "") + opt("in", s.repository) + ")"
        case .linker(let s):
            let rest: String
            switch s.action {
            case .show: rest = ""
            case .values: rest = " values"
            case .value(let id): rest = " value \(id.dump)"
            case .add(let v): rest = " add \(v.dump)"
            case .set(let v): rest = " set \(v.dump)"
            case .remove(let id): rest = " remove \(id.dump)"
            case .clear: rest = " clear"
            }
            return "(linker \(s.key.dump)\(rest))"
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
