import BBXCheck
import BBXSyntax
import BitbucketAPI
import BitbucketEmulator
import BitbucketModel
import Foundation
import Logging

/// `--sandbox`: the emulator, started in this process on loopback with a temporary store, the
/// repositories a script names, a Connect app and the linkers the script names. It stops (and
/// its store is removed) when the run ends.
final class Sandbox: Sendable {
    let api: String
    let token: String
    let connect: ConnectInstallation
    let repositories: [String]
    let anyName: Bool
    private let task: Task<Void, any Error>

    private init(
        api: String, token: String, connect: ConnectInstallation, repositories: [String], anyName: Bool,
        task: Task<Void, any Error>
    ) {
        self.api = api
        self.token = token
        self.connect = connect
        self.repositories = repositories
        self.anyName = anyName
        self.task = task
    }

    /// With `anyName` (a REPL, which names repositories as it goes), every repository and
    /// linker asked for exists; otherwise those given, as the script names them.
    static func start(
        repositories: [String], linkers: [String], data: String? = nil, anyName: Bool = false, seed: Data? = nil
    ) async throws -> Sandbox {
        var configuration = EmulatorConfiguration()
        configuration.seed = seed
        configuration.createsOnFirstUse = anyName
        configuration.port = 0
        configuration.storagePort = 0
        configuration.repositories = repositories
        configuration.dataDirectory = data
        let token = "sandbox-" + UUID().uuidString
        configuration.tokens = [AccessToken(token: token)]
        let connect = ConnectInstallation(
            appKey: "bbx-sandbox-app", clientKey: "sandbox:" + UUID().uuidString, sharedSecret: UUID().uuidString)
        configuration.connect = connect
        configuration.linkers = linkers
        let emulator = Emulator(
            configuration: configuration, logger: Logger(label: "bbx.sandbox") { _ in SwiftLogNoOpLogHandler() })
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let task = Task {
            defer { continuation.finish() }
            try await emulator.run { api, _ in continuation.yield(api) }
        }
        var iterator = stream.makeAsyncIterator()
        guard let api = await iterator.next() else {
            do { try await task.value } catch let refused as DataFolder.Refused {
                throw refused
            } catch let refused as SeedRefused {
                throw refused
            } catch { throw Failure(description: "the sandbox did not start: \(error)") }
            throw Failure(description: "the sandbox did not start")
        }
        return Sandbox(
            api: api, token: token, connect: connect, repositories: repositories, anyName: anyName, task: task)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The client's settings for this sandbox: its URL and credentials, nothing from outside.
    func configuration() -> ClientConfiguration {
        var configuration = ClientConfiguration()
        configuration.baseURL = api
        configuration.credential = .accessToken(Secret(token))
        configuration.connect = ConnectCredentials(
            appKey: connect.appKey, clientKey: connect.clientKey, sharedSecret: Secret(connect.sharedSecret))
        return configuration
    }

    /// The first line of a sandboxed run.
    var banner: String {
        let names =
            anyName
            ? "any repository you name"
            : (repositories.isEmpty ? "no repositories" : repositories.joined(separator: ", "))
        return "sandbox: a local emulator at \(api) with \(names); nothing is sent to Bitbucket"
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// The repositories and linker keys a script uses, as far as can be seen without running
    /// it, found by where values flow: a value reaching a repository position (`use`, `to`,
    /// `from`, `in`, `artifacts(…, REPO)`) directly, through a `let`, a loop variable over a
    /// list, `env(NAME, DEFAULT)`'s default or either side of `??`. A string that only names a
    /// folder (`let dir = env("OUT", "out/deploy")` used in `to dir`) is no repository. Plus the
    /// default repository and literal linker keys.
    static func names(in script: Script, defaultRepository: RepositoryName?, variables: [String: String] = [:]) -> (
        repositories: [String], linkers: [String]
    ) {
        var repositories: [String] = defaultRepository.map { [$0.description] } ?? []
        var linkers: [String] = []
        // What each name may hold (names are few; scopes are merged, which only adds candidates);
        // `--var` values to start with.
        var bindings: [String: [String]] = variables.mapValues { [$0] }

        func values(_ expression: Expression?) -> [String] {
            guard let expression else { return [] }
            switch expression.kind {
            case .repository(let name): return [name]
            case .string: return expression.literalText.map { [$0] } ?? []
            case .list(let items): return items.flatMap(values)
            case .name(let name): return bindings[name] ?? []
            case .parenthesized(let inner): return values(inner)
            case .binary(.coalesce, let left, let right): return values(left) + values(right)
            case .call(let function, let arguments) where function.name == "env" && arguments.count == 2:
                return values(arguments[1])
            default: return []
            }
        }
        /// A repository position: what reaches it and reads as `workspace/slug` is a repository.
        func repository(_ expression: Expression?) {
            for text in values(expression) {
                if let name = RepositoryName(parsing: text) { repositories.append(name.description) }
            }
        }
        func visit(_ statements: [Statement]) {
            for statement in statements {
                // Where repositories are named: the statement's clause, then `exists … in REPO`
                // and `artifacts(GLOB, REPO)` in any of its expressions.
                statement.repositoryClauses.forEach { repository($0.expression) }
                for expression in statement.expressions {
                    expression.repositoryPositions(isRepositoryArgument: Builtins.isRepositoryArgument)
                        .forEach(repository)
                }
                // Where values flow into names, and the linker keys.
                switch statement.kind {
                case .let(let s): bindings[s.name.name, default: []] += values(s.value)
                case .for(let s): bindings[s.variable.name, default: []] += values(s.sequence)
                case .linker(let s): linkers += values(s.key)
                case .use, .upload, .download, .delete, .prune, .list, .print, .assert, .fail, .if, .addonUpdate,
                    .addonDelete, .linkers, .checksums, .verify, .trust:
                    break
                }
                statement.blocks.forEach { visit($0.statements) }
            }
        }
        // Twice: a name bound after its first use in a loop body still counts.
        visit(script.statements)
        visit(script.statements)
        var seen = Set<String>()
        return (repositories.filter { seen.insert($0).inserted }, Array(Set(linkers)).sorted())
    }
}
