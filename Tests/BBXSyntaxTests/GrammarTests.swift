import BBXSyntax
import BBXTestSupport
import Foundation
import Testing

@Suite("Grammar")
struct GrammarTests {
    /// Production names defined in grammar/bbx.ebnf (`name = ...`).
    static func productions() throws -> [String] {
        let text = try String(contentsOf: Paths.grammar.appendingPathComponent("bbx.ebnf"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !line.hasPrefix(" "), !line.hasPrefix("("), !line.hasPrefix("\t") else {
                return nil
            }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            return name.allSatisfy { $0.isLetter || $0 == "_" } && !name.isEmpty ? name : nil
        }
    }

    @Test func everyStatementProductionHasParserTests() throws {
        let statements = try Self.productions().filter { $0.hasSuffix("_stmt") }
        #expect(statements.count == 18)
        let tested = Set(ParserTests.statements.map(\.production))
        for production in statements {
            #expect(tested.contains(production), "no parser test for \(production)")
        }
    }

    @Test func everyExpressionProductionHasParserTests() throws {
        let expressionRules = [
            "or_expr", "and_expr", "not_expr", "comparison", "match_expr", "coalesce_expr", "postfix", "primary",
            "call", "list", "parenthesized", "exists_expr", "string",
        ]
        let defined = Set(try Self.productions())
        let tested = Set(ParserTests.expressions.map(\.production))
        for rule in expressionRules {
            #expect(defined.contains(rule), "\(rule) is not in grammar/bbx.ebnf")
            #expect(tested.contains(rule), "no parser test for \(rule)")
        }
    }

    /// Each production in the grammar stands above its parse function, word for word.
    @Test func parserSourceCarriesEveryProduction() throws {
        let grammar = try String(contentsOf: Paths.grammar.appendingPathComponent("bbx.ebnf"), encoding: .utf8)
        var parserSource = ""
        for file in ["Parser.swift", "Parser+Statements.swift", "Parser+Expressions.swift"] {
            parserSource += try String(
                contentsOf: Paths.root.appendingPathComponent("Sources/BBXSyntax/\(file)"), encoding: .utf8)
        }
        let normalizedParser = parserSource.split(separator: "\n").map { line -> String in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("//") ? String(trimmed.dropFirst(2)) : ""
        }.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for production in try Self.productions() where production == production.lowercased() {
            // The rule's text up to its ';', with whitespace normalised and comments dropped.
            guard let start = grammar.range(of: "\n\(production) ") ?? grammar.range(of: "\n\(production)=") else {
                continue
            }
            let rest = grammar[start.upperBound...]
            guard let end = rest.range(of: " ;") else { continue }
            var rule = "\(production) " + rest[..<end.upperBound]
            while let comment = rule.range(of: "(*"),
                let close = rule.range(of: "*)", range: comment.upperBound..<rule.endIndex)
            {
                rule.removeSubrange(comment.lowerBound..<close.upperBound)
            }
            let normalized = rule.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if ["letter", "digit", "slug_char", "escape", "comment", "separator"].contains(production) { continue }
            #expect(normalizedParser.contains(normalized), "parser comments lack: \(normalized)")
        }
    }
}

@Suite("Grammar files in step with the lexer")
struct ReservedWordTests {
    @Test func theEBNFListsEveryReservedWord() throws {
        let grammar = try String(contentsOf: Paths.grammar.appendingPathComponent("bbx.ebnf"), encoding: .utf8)
        guard let start = grammar.range(of: "Reserved words:"), let end = grammar.range(of: "Contextual words") else {
            Issue.record("bbx.ebnf has no list of reserved words")
            return
        }
        let listed = Set(
            grammar[start.upperBound..<end.lowerBound].split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(listed == Set(Keyword.allCases.map(\.rawValue)))
    }

    @Test func theTextMateGrammarColoursEveryReservedWord() throws {
        let data = try Data(contentsOf: Paths.grammar.appendingPathComponent("bbx.tmLanguage.json"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(json?["scopeName"] as? String == "source.bbx")
        let text = String(decoding: data, as: UTF8.self)
        for keyword in Keyword.allCases {
            #expect(
                text.contains("|\(keyword.rawValue)|") || text.contains("(\(keyword.rawValue)|")
                    || text.contains("|\(keyword.rawValue))"), "\(keyword.rawValue)")
        }
    }
}
