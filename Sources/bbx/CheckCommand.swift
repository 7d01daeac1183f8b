import ArgumentParser
import BBXCheck
import BBXSyntax
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check scripts for syntax and static errors, without any network access.",
        discussion: """
            Reports every error of every file, each as file:line:col with the source line and a caret. Exits 0 when all files are clean, 65 when any has an error, 64 when a file cannot be read. Inside Bitbucket Pipelines, BITBUCKET_REPO_FULL_NAME counts as the default repository.
            """
    )

    @Argument(help: "The scripts to check ('-' reads standard input).")
    var files: [String]

    @Option(
        name: .customLong("var"),
        help: ArgumentHelp("Bind NAME before the script runs, as 'bbx run' would.", valueName: "NAME=VALUE"))
    var variables: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one script to check") }
        _ = try VariableBinding.parse(variables)
    }

    func run() throws {
        let names = try VariableBinding.parse(variables).map(\.name)
        let hasPipelineRepository = try pipelineRepository(ProcessInfo.processInfo.environment) != nil
        let options = CheckOptions(predefinedNames: names, hasDefaultRepository: hasPipelineRepository)
        var errorCount = 0
        var filesWithErrors = 0
        let unreadable = ScriptFiles.forEach(files) { _, source in
            let diagnostics = Checker.diagnose(source, options: options)
            Console.report(diagnostics, in: source)
            let errors = diagnostics.filter(\.isError).count
            errorCount += errors
            if errors > 0 { filesWithErrors += 1 }
        }
        let fileWord = files.count == 1 ? "file" : "files"
        if errorCount > 0 {
            Console.error(
                "\(errorCount) error\(errorCount == 1 ? "" : "s") in \(filesWithErrors) of \(files.count) \(fileWord)\n"
            )
        }
        if unreadable { throw ExitStatus.usage }
        if errorCount > 0 { throw ExitStatus.scriptError }
        Console.out("checked \(files.count) \(fileWord): no errors\n")
    }
}

/// `--var NAME=VALUE`.
struct VariableBinding: Equatable {
    let name: String
    let value: String

    static func parse(_ arguments: [String]) throws -> [VariableBinding] {
        var seen = Set<String>()
        return try arguments.map { argument in
            guard let equals = argument.firstIndex(of: "=") else {
                throw ValidationError("--var takes NAME=VALUE, found '\(argument)'")
            }
            let name = String(argument[..<equals])
            let valid =
                name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } ?? false
                && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard valid else { throw ValidationError("--var: '\(name)' is not a name (letters, digits and '_')") }
            if Keyword(rawValue: name) != nil {
                throw ValidationError("--var: '\(name)' is a reserved word of the language and cannot be a name")
            }
            guard seen.insert(name).inserted else {
                throw ValidationError("--var: '\(name)' is given twice; give each name once")
            }
            return VariableBinding(name: name, value: String(argument[argument.index(after: equals)...]))
        }
    }
}
