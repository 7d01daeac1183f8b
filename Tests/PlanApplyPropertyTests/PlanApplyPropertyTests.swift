import AsyncHTTPClient
import BBXApply
import BBXBridge
import BBXEvaluate
import BBXPlan
import BBXRepl
import BBXSyntax
import BBXTestSupport
import BitbucketAPI
import BitbucketEmulator
import BitbucketModel
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Generated cases of the whole promise, against `bbx serve` over real HTTP: remote states as
/// Bitbucket's look (names with spaces, `%`, `#`, non-ASCII; microsecond times; equal sizes;
/// 0–300 artifacts), scripts of upload/replace/skip/delete/prune/download, and faults (503, 429,
/// a cut connection, a lost response, a delay). Each case is planned and applied, and checked:
/// every step reported done is in the remote as predicted; every step failed or not started left
/// its artifact as it was; no delete ran after a failed upload; a dry run wrote nothing and left
/// the REPL's view unchanged. A failure names the seed that reproduces it
/// (`BBX_PROPERTY_SEED=… swift test --filter PlanApplyPropertyTests`).
@Suite("Plan and apply: generated cases")
struct PlanApplyPropertyTests {
    static let cases = Int(ProcessInfo.processInfo.environment["BBX_PROPERTY_CASES"] ?? "") ?? 200
    static let token = "property-token"

    @Test func thePlanHoldsOnGeneratedCases() async throws {
        let fixed = UInt64(ProcessInfo.processInfo.environment["BBX_PROPERTY_SEED"] ?? "")
        let base = fixed ?? UInt64(Date().timeIntervalSince1970 * 1000)
        let count = fixed == nil ? Self.cases : 1
        let emulator = try await RunningEmulator.start { configuration in
            configuration.repositories = (0..<count).map { "acme/r\($0)" }
            configuration.tokens = [AccessToken(token: Self.token)]
        }
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var failures = 0
        for index in 0..<count where failures < 3 {
            let seed = base &+ UInt64(index)
            var generated = Case(seed: seed, repository: "acme/r\(index)", emulator: emulator, root: folder)
            let problems = try await generated.run()
            if !problems.isEmpty {
                failures += 1
                let details = problems.joined(separator: "\n  ")
                Issue.record(
                    Comment(
                        rawValue:
                            "seed \(seed) (BBX_PROPERTY_SEED=\(seed) swift test --filter PlanApplyPropertyTests):\n  \(details)"
                    ))
            }
        }
        await emulator.stop()
    }
}

/// What a case draws from its seeded generator.
extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
    mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
}

/// One generated case.
struct Case {
    let seed: UInt64
    let repository: String
    let emulator: RunningEmulator
    let root: URL
    var generator: SplitMix64

    init(seed: UInt64, repository: String, emulator: RunningEmulator, root: URL) {
        self.seed = seed
        self.repository = repository
        self.emulator = emulator
        self.root = root
        generator = SplitMix64(seed: seed)
    }

    /// `caf\u{E9}` and `cafe\u{301}` are one word in two Unicode spellings: two artifacts.
    static let stems = [
        "app", "my app", "100%", "#7 build", "ünï", "old", "nightly", "release'q", "caf\u{E9}", "cafe\u{301}",
    ]
    static let extensions = [".zip", ".tar.gz", ""]
    static let sizes: [Int64] = [10, 10, 20, 4096]

    mutating func name() -> String {
        "\(generator.pick(Self.stems))-\(generator.int(1...12))\(generator.pick(Self.extensions))"
    }

    /// `2026-11-20T08:19:49.123456+00:00`, within the last 60 days.
    mutating func created() -> String {
        let date = Date().addingTimeInterval(-Double(generator.int(60...60 * 86_400)))
        let micros = generator.int(0...999_999)
        let base = date.ISO8601Format().dropLast()  // no Z
        return "\(base).\(String(format: "%06d", micros))+00:00"
    }

    mutating func run() async throws -> [String] {
        // The remote: mostly a few artifacts, sometimes hundreds.
        let remoteCount = generator.chance(92) ? generator.int(0...12) : generator.int(13...300)
        var seeds: [[String: Any]] = []
        for _ in 0..<remoteCount {
            seeds.append([
                "repo": repository, "name": name(), "size": generator.pick(Self.sizes), "created_on": created(),
            ])
        }
        try await admin("POST", "/_emulator/artifacts", seeds)
        // Local files, some named like remote artifacts.
        let folder = root.appendingPathComponent(repository.replacingOccurrences(of: "/", with: "-"))
        let files = folder.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        var local: [String] = []
        for _ in 0..<generator.int(1...4) {
            let file =
                seeds.isEmpty || generator.chance(50)
                ? name() : seeds[generator.int(0...seeds.count - 1)]["name"] as! String
            let size = Int(generator.pick(Self.sizes))
            try Data(repeating: UInt8(generator.int(65...90)), count: size).write(
                to: files.appendingPathComponent(file))
            local.append(file)
        }
        let script = makeScript(local: local, remote: seeds.map { $0["name"] as! String })
        let faults = makeFaults()

        let client = try BitbucketClient(configuration: configuration(dryRun: false))
        let dryClient = try BitbucketClient(configuration: configuration(dryRun: true))
        // The test's own listings (before and after) wait as long as a loaded machine needs.
        var patient = configuration(dryRun: true)
        patient.readTimeout = .seconds(30)
        let observer = try BitbucketClient(configuration: patient)
        defer {
            Task {
                try? await client.shutdown()
                try? await dryClient.shutdown()
                try? await observer.shutdown()
            }
        }
        let service = BitbucketService(client: client)
        let name = try #require(RepositoryName(parsing: repository))
        let before = try await observer.artifacts(in: name)
        var problems: [String] = []
        let source = SourceFile(name: "case.bbx", text: script)
        problems.append("script:\n" + script)

        // A dry run, in the REPL: zero writes, and the session's view as it was.
        try await admin("DELETE", "/_emulator/requests", nil)
        var options = EvaluationOptions()
        options.defaultRepository = name
        let previousDirectory = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(folder.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previousDirectory) }
        let dryService = BitbucketService(client: dryClient)
        let session = Session(
            evaluator: Evaluator(options: options, reader: dryService), dryRun: true,
            output: ReplOutput(out: { _ in }, error: { _ in })
        ) { plan, _ in .applied(plan, Report(plan: plan)) }
        await session.handle("list")
        let view = session.evaluator.knownArtifactNames(in: name)
        await session.handle(script)
        let viewAfter = session.evaluator.knownArtifactNames(in: name)
        if view != viewAfter { problems.append("the dry run changed the REPL's view: \(view) → \(viewAfter)") }
        let dryWrites = try await requests().filter { $0.method != "GET" }
        if !dryWrites.isEmpty { problems.append("the dry run wrote: \(dryWrites)") }

        // Plan and apply, with the faults.
        for fault in faults { try await admin("POST", "/_emulator/faults", fault) }
        var evaluator = Evaluator(options: options, reader: service)
        let plan: Plan
        do {
            plan = try await evaluator.plan(Parser.parse(source).script, in: source)
        } catch {
            try await admin("DELETE", "/_emulator/faults", nil)
            let writes = try await requests().filter { $0.method != "GET" }
            if !writes.isEmpty { problems.append("planning failed (\(error)) yet writes were sent: \(writes)") }
            return problems.count > 1 ? problems : []
        }
        let report = await Executor(service: service, jobs: generator.int(1...4)).apply(plan)
        try await admin("DELETE", "/_emulator/faults", nil)
        // Keyed by bytes: two Unicode spellings of a name are two artifacts (String would merge them).
        let after = Dictionary(
            try await observer.artifacts(in: name).map { (ExactName($0.name), $0) },
            uniquingKeysWith: { a, _ in a })

        // The remote predicted from what was done: the listing before, changed by each step done.
        var predicted = Dictionary(before.map { (ExactName($0.name), $0.size) }, uniquingKeysWith: { a, _ in a })
        var firstFailedUpload: Int?
        for (index, entry) in report.entries.enumerated() {
            let step = entry.step
            switch (entry.outcome, step.kind) {
            case (.done, .upload), (.done, .replace): predicted[ExactName(step.name)] = step.size
            case (.done, .delete): predicted[ExactName(step.name)] = nil
            case (.done, .download):
                let size =
                    (try? FileManager.default.attributesOfItem(
                        atPath: folder.appendingPathComponent(step.localPath!).path))?[.size] as? Int64
                if size != step.size {
                    problems.append(
                        "download \(step.name) done, but the local file has \(String(describing: size)) bytes")
                }
            case (.failed, .upload), (.failed, .replace):
                firstFailedUpload = firstFailedUpload ?? index
            default: break
            }
            if step.kind == .delete, entry.outcome == .done, let failed = firstFailedUpload, failed < index {
                problems.append("delete \(step.name) ran after the failed upload at step \(failed)")
            }
        }
        let actual = after.mapValues(\.size)
        if actual != predicted {
            let wrong = Set(actual.keys).union(predicted.keys).filter { actual[$0] != predicted[$0] }.sorted()
            problems.append(
                "remote differs from the prediction: "
                    + wrong.map {
                        "\($0): predicted \(predicted[$0].map(String.init) ?? "absent"), listed \(actual[$0].map(String.init) ?? "absent")"
                    }
                    .joined(separator: "; "))
        }
        if report.entries.allSatisfy({ $0.outcome == .done || $0.outcome == .skipped }), !report.differences.isEmpty {
            problems.append("every step went, yet bbx saw differences: \(report.differences)")
        }
        problems.append("faults: \(faults)")
        problems.append(
            "report: "
                + report.entries.map { "\($0.outcome.label) \($0.step.kind) \($0.step.name)" }.joined(separator: ", "))
        return problems.count > 3 ? problems : []
    }

    mutating func makeScript(local: [String], remote: [String]) -> String {
        var lines = ["use \(repository)"]
        for _ in 0..<generator.int(1...5) {
            let existing = remote.isEmpty ? name() : generator.pick(remote)
            let pattern = generator.pick([
                Glob.escaping(existing).replacingOccurrences(of: "\\", with: "\\\\"), "old-*", "nightly-*", "app-*",
                "nothing-*", "caf*",
            ])
            switch generator.int(0...5) {
            case 0, 1:
                let file = generator.pick(local)
                let policy = generator.pick(["replace", "skip", "replace", "fail"])
                lines.append(
                    "upload \"files/\(Glob.escaping(file).replacingOccurrences(of: "\\", with: "\\\\"))\" on conflict \(policy)"
                )
            case 2:
                lines.append("delete \"\(pattern)\"")
            case 3:
                lines.append("prune \"\(pattern)\" keep \(generator.int(0...3))")
            case 4:
                lines.append("prune \"\(pattern)\" older than \(generator.int(1...40))d")
            default:
                if !remote.isEmpty {
                    lines.append("download \"\(pattern)\" to \"out/\" on conflict replace")
                }
            }
        }
        return lines.joined(separator: "\n").replacingOccurrences(of: "$", with: "\\$") + "\n"
    }

    mutating func makeFaults() -> [[String: Any]] {
        guard generator.chance(60) else { return [] }
        let path = "/2.0/repositories/\(repository)/downloads**"
        var faults: [[String: Any]] = []
        for _ in 0..<generator.int(1...2) {
            var fault: [String: Any] = ["count": generator.int(1...2), "path": path]
            fault["method"] = generator.pick(["POST", "DELETE", "GET"])
            switch generator.int(0...9) {
            case 0, 6: fault["status"] = 503
            case 1, 7: fault["status"] = 429
            case 2, 8: fault["cut"] = true
            case 3:
                // A lost response: answered after the client stopped waiting (rare: each costs
                // the read timeout).
                fault["delay_ms"] = 1500
                fault["count"] = 1
            default: fault["delay_ms"] = 30
            }
            faults.append(fault)
        }
        return faults
    }

    func configuration(dryRun: Bool) -> ClientConfiguration {
        var configuration = ClientConfiguration()
        configuration.baseURL = emulator.api
        configuration.credential = .accessToken(Secret(PlanApplyPropertyTests.token))
        configuration.retry = RetryPolicy(
            maxAttempts: 5, initialDelay: .milliseconds(5), maxDelay: .milliseconds(40), maxTotalDelay: .seconds(5))
        configuration.connectTimeout = .seconds(2)
        configuration.readTimeout = .seconds(1)
        configuration.dryRun = dryRun
        return configuration
    }

    /// The admin endpoints, through async-http-client (Foundation's URLSession is slow here).
    func admin(_ method: String, _ path: String, _ body: Any?) async throws {
        var request = HTTPClientRequest(url: emulator.api + path)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
    }

    func requests() async throws -> [(method: String, path: String)] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: emulator.api + "/_emulator/requests"), timeout: .seconds(30))
        let data = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        let entries = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
        return entries.compactMap { entry in
            guard let path = entry["path"] as? String, path.contains("/\(repository)/") else { return nil }
            return (entry["method"] as? String ?? "", path)
        }
    }
}
