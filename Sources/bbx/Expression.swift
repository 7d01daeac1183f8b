import BBXSyntax

/// The script's expressions, not Foundation's predicate `Expression`.
typealias Expression = BBXSyntax.Expression
