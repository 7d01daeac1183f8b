import ArgumentParser
import BBXApply
import BBXBridge
import BBXEvaluate
import BBXPlan
import BitbucketModel
import Foundation

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply a plan saved by 'bbx plan -o', if nothing it touches changed since.",
        discussion: """
            The plan file is checked field by field first (exit 64 naming the field if it is not a plan bbx would make). bbx then works in the directory the plan was made in, lists the repositories it touches again and compares every artifact it touches with the plan (name, size, creation time exactly as listed), each local file it uploads with its planned size and modification time, and each file a download must not overwrite. Any difference refuses the plan (exit 1, nothing changed): plan again. After applying, the script's output that waited for its changes is written.

            Example:
                bbx plan release.bbx -o plan.json
                bbx apply plan.json
            """
    )

    @Argument(help: "The plan file.")
    var file: String

    @OptionGroup var output: OutputOptions
    @OptionGroup var applying: ApplyOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let reporter = makeReporter(
            json: output.json, command: "apply", junit: output.junit, suite: "bbx apply \(file)")
        let saved: SavedPlan
        do {
            saved = try SavedPlan.read(file)
        } catch {
            Console.fail("\(error)")
            throw ExitStatus.usage
        }
        let connection = try await Connection.open(
            connection, environment: ProcessInfo.processInfo.environment, dryRun: false, script: nil,
            defaultRepository: nil, quiet: reporter.isQuiet)
        let status: ExitCode
        do {
            status = try await apply(saved, connection: connection, reporter: reporter)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        if status != ExitStatus.success { throw status }
    }

    func apply(_ saved: SavedPlan, connection: Connection, reporter: any Reporter) async throws -> ExitCode {
        let url = connection.client.configuration.baseURL
        guard saved.url == url else {
            return refuse(
                "the plan was made against \(saved.url), not \(url); nothing was changed", reporter: reporter)
        }
        // Local paths are relative to where the plan was made: apply from there.
        if let directory = saved.directory, directory != FileManager.default.currentDirectoryPath {
            guard chdir(directory) == 0 else {
                return refuse(
                    "the plan was made in \(directory), which cannot be entered now (\(String(cString: strerror(errno)))); nothing was changed",
                    reporter: reporter)
            }
            reporter.note("bbx: applying in \(directory), where the plan was made")
        }
        var current: [RepositoryName: [Artifact]] = [:]
        let service = connection.service
        for repository in Set(saved.plan.fingerprints.map(\.repository)).sorted() {
            do {
                current[repository] = try await service.artifacts(in: repository)
            } catch {
                let status = error.cause == .credentials ? ExitStatus.credentials : ExitStatus.applyFailed
                return Pipeline.stop(error.description, status, reporter: reporter)
            }
        }
        let drift = saved.drift(listings: current, measure: DiskFiles.regularFile) { DiskFiles().exists($0) }
        if !drift.isEmpty {
            return refuse(
                "the plan is out of date; nothing was changed. Plan again. Changed since \(file) was made:\n"
                    + drift.map { "  \($0)" }.joined(separator: "\n"), reporter: reporter)
        }
        reporter.show(saved.plan)
        // What the script printed after its changes waits for them, as in `bbx run`.
        let printed = reporter.collector(deferring: true)
        for saved in saved.outputs ?? [] {
            printed.receive(.line(saved.text), afterSteps: saved.afterSteps)
        }
        let environment = ProcessInfo.processInfo.environment
        let driver = RunDriver(service: service, jobs: applying.jobs, filesPerRequest: applying.filesPerRequest) {
            try SigningKey.signing(for: $0, environment: environment)
        }
        let outcome = try await Pipeline.apply(saved.plan, driver: driver, output: printed, reporter: reporter)
        reporter.finish()
        return ExitCode(outcome.exitCode(detailed: output.detailedExitCode))
    }

    func refuse(_ message: String, reporter: any Reporter) -> ExitCode {
        Pipeline.stop(message, ExitStatus.applyFailed, reporter: reporter)
    }
}
