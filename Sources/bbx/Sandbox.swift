import BBXSyntax
import BitbucketAPI
import BitbucketEmulator
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
    static func start(repositories: [String], linkers: [String], data: String? = nil, anyName: Bool = false)
        async throws -> Sandbox
    {
        var configuration = EmulatorConfiguration()
        configuration.createsOnFirstUse = anyName
        configuration.port = 0
        configuration.storagePort = 0
        configuration.repositories = repositories
        configuration.dataDirectory = data
        if let data {
            try? FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        }
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
            do { try await task.value } catch { throw Failure(description: "the sandbox did not start: \(error)") }
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

    /// The repositories and linker keys a script names, as far as can be seen without running
    /// it: bare repositories, strings in repository positions or bound by `let` that read as
    /// one, the default repository, and literal linker keys.
    static func names(in script: Script, defaultRepository: String?) -> (repositories: [String], linkers: [String]) {
        var repositories: [String] = defaultRepository.map { [$0] } ?? []
        var linkers: [String] = []
        func note(_ expression: Expression?) {
            guard let expression else { return }
            switch expression.kind {
            case .repository(let name): repositories.append(name)
            case .string:
                if let text = expression.literalText, let name = RepositoryName(parsing: text) {
                    repositories.append(name.description)
                }
            case .call(_, let arguments): arguments.forEach { note($0) }
            case .binary(_, let left, let right):
                note(left)
                note(right)
            case .not(let inner), .parenthesized(let inner): note(inner)
            case .exists(_, let clause): note(clause)
            default: break
            }
        }
        func visit(_ statements: [Statement]) {
            for statement in statements {
                switch statement.kind {
                case .use(let repository): note(repository)
                case .let(_, let value): note(value)
                case .upload(_, _, let to, _): note(to)
                case .download(_, let from, _, _), .delete(_, let from): note(from)
                case .prune(_, let clause, _, _), .list(_, let clause): note(clause)
                case .assert(let condition, _): note(condition)
                case .if(let branches, let elseBlock):
                    for branch in branches {
                        note(branch.condition)
                        visit(branch.body.statements)
                    }
                    visit(elseBlock?.statements ?? [])
                case .for(_, let sequence, let body):
                    note(sequence)
                    visit(body.statements)
                case .linker(let key, _):
                    if let text = key.literalText { linkers.append(text) }
                default: break
                }
            }
        }
        visit(script.statements)
        var seen = Set<String>()
        return (repositories.filter { seen.insert($0).inserted }, Array(Set(linkers)).sorted())
    }
}
