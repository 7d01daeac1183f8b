import BBXApply
import BBXPlan
import BBXTestSupport
import BitbucketAPI
import BitbucketModel
import Foundation
import Synchronization
import Testing

/// Bitbucket as the executor sees it: records when each call starts and ends, and fails the
/// names it is told to. With `overlap`, a call does not end before `overlap` calls run at once
/// (or all `total` have started, or 60 s pass): whether the executor overlaps them is then not
/// a matter of timing.
final class FakeService: ApplyService {
    enum Event: Equatable { case start(String), end(String) }
    let failing: [String: any Error & Sendable]
    let overlap: Int
    let total: Int
    /// What the remote holds after the calls: name → size.
    private let state = Mutex<
        (
            events: [Event], running: Int, peak: Int, started: Int, stored: [String: Int64], texts: [String: String],
            requests: [[String]]
        )
    >(([], 0, 0, 0, [:], [:], []))
    /// What `digest` finds for each name (a verify); all zeros otherwise.
    let digests: [String: String]

    init(
        failing: [String: any Error & Sendable] = [:], overlap: Int = 1, total: Int = .max,
        digests: [String: String] = [:]
    ) {
        self.failing = failing
        self.overlap = overlap
        self.total = total
        self.digests = digests
    }

    var events: [Event] { state.withLock { $0.events } }
    var peak: Int { state.withLock { $0.peak } }

    func call(_ name: String) async throws {
        state.withLock {
            $0.events.append(.start(name))
            $0.running += 1
            $0.started += 1
            $0.peak = max($0.peak, $0.running)
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, state.withLock({ $0.running < overlap && $0.started < total }) {
            try? await Task.sleep(for: .milliseconds(1))
        }
        // Long enough for the other jobs to start meanwhile.
        try? await Task.sleep(for: .milliseconds(30))
        state.withLock {
            $0.events.append(.end(name))
            $0.running -= 1
        }
        if let error = failing[name] { throw error }
    }

    /// A group is sent file by file here, so each file's start and end are seen; a failure
    /// stops the group there: the files before it landed, the rest were never sent.
    func upload(
        _ files: [UploadItem], to repository: RepositoryName, hashing: Bool,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> [ExactName: String] {
        state.withLock { $0.requests.append(files.map(\.name)) }
        var landed: [ExactName: String?] = [:]
        for (offset, file) in files.enumerated() {
            do {
                try await call(file.name)
            } catch {
                throw UploadGroupFailure(
                    landed: landed, notSent: Set(names: files[(offset + 1)...].map(\.name)), underlying: error)
            }
            state.withLock { $0.stored[file.name] = 10 }
            landed[ExactName(file.name)] = hashing ? String(repeating: "a", count: 64) : nil
        }
        return landed.compactMapValues { $0 }
    }
    func download(
        _ name: String, from repository: RepositoryName, to path: String, expectedSize: Int64?, replacing: Bool,
        checksum: (manifest: String, sha256: String)?, progress: @escaping @Sendable (Int64) -> Void
    ) async throws { try await call(name) }
    func digest(
        of name: String, in repository: RepositoryName, expectedSize: Int64?,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> String {
        try await call(name)
        return digests[name] ?? String(repeating: "0", count: 64)
    }
    func delete(_ name: String, from repository: RepositoryName) async throws {
        try await call(name)
        state.withLock { _ = $0.stored.removeValue(forKey: name) }
    }
    func listing(of repository: RepositoryName) async throws -> [Artifact] {
        state.withLock { $0.stored.map { Artifact(name: $0.key, size: $0.value, created: Date(), createdOn: "now") } }
    }
    func readText(_ name: String, in repository: RepositoryName) async throws -> String? {
        state.withLock { $0.texts[name] }
    }
    func replaceTexts(_ texts: [(name: String, text: String)], in repository: RepositoryName) async throws {
        state.withLock {
            for (name, text) in texts {
                $0.texts[name] = text
                $0.stored[name] = Int64(text.utf8.count)
            }
        }
    }
    var requestCount: Int? { nil }
    /// The upload requests made, each with its files.
    var requests: [[String]] { state.withLock { $0.requests } }
    /// What the manifest-like artifacts hold now.
    func text(_ name: String) -> String? { state.withLock { $0.texts[name] } }
    func connect(_ call: ConnectCall) async throws { try await self.call(call.request) }
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "POST …/downloads: 503 Service Unavailable" }
}

func step(_ kind: Step.Kind, _ name: String, line: Int = 1) -> Step {
    Step(
        kind: kind, repository: "acme/app", name: name, localPath: kind == .delete ? nil : "build/\(name)", size: 10,
        source: SourcePosition(file: "t.bbx", line: line, column: 1))
}

@Suite("Applying a plan")
struct ExecutorTests {
    @Test(arguments: [1, 3, 8])
    func transfersOverlapUpToJobs(_ jobs: Int) async {
        let service = FakeService(overlap: jobs, total: 8)
        let plan = Plan(steps: (1...8).map { step(.upload, "f\($0).zip") })
        let report = await Executor(service: service, jobs: jobs).apply(plan)
        #expect(report.succeeded)
        #expect(report.count(.done) == 8)
        #expect(service.peak == jobs, "as many transfers at once as --jobs allows, and no more")
        // Consecutive uploads go several to a request, in as many requests as the jobs run at
        // once (never fewer); the requests start in plan order, each with the next files.
        #expect(service.requests.count == jobs)
        #expect(service.requests.flatMap { $0 } == (1...8).map { "f\($0).zip" })
    }

    @Test func theManifestRecordsWhatWasSentDropsWhatFailedAndKeepsTheRest() async throws {
        let service = FakeService(failing: ["b.zip": Boom()])
        let old = String(repeating: "1", count: 64)
        try await service.replaceTexts(
            [("SHA256SUMS", "\(old)  a.zip\n\(old)  b.zip\n\(old)  other.zip\n")], in: "acme/app")
        func replace(_ name: String) -> Step {
            Step(
                kind: .replace, repository: "acme/app", name: name, localPath: "build/\(name)", size: 10,
                source: SourcePosition(file: "t.bbx", line: 1, column: 1), manifest: "SHA256SUMS")
        }
        let update = Step(
            .checksums(
                Step.ChecksumsUpdate(
                    repository: "acme/app", manifest: "SHA256SUMS", entries: ["a.zip", "b.zip"], removals: [],
                    base: nil)), source: SourcePosition(file: "t.bbx", line: 1, column: 1))
        // Two jobs: each file in its own request, so that one fails and the other lands.
        let report = await Executor(service: service, jobs: 2).apply(
            Plan(steps: [replace("a.zip"), replace("b.zip"), update]))
        #expect(report.entries.map(\.outcome.label) == ["done", "failed", "done"])
        let sent = String(repeating: "a", count: 64)
        // a.zip has the hash it was sent with, and the listing it has now; b.zip's bytes are
        // unknown now, so no entry; the entry this run did not touch stays.
        #expect(
            service.text("SHA256SUMS") == "# bbx: size=10 created_on=now\n\(sent)  a.zip\n\(old)  other.zip\n")
        #expect(report.entries[2].note == "merged with changes made to SHA256SUMS since the plan")
    }

    @Test func aVerifyMismatchFailsTheRunButEveryArtifactIsChecked() async {
        let good = String(repeating: "0", count: 64)
        let service = FakeService(digests: ["bad.zip": String(repeating: "f", count: 64)])
        func verify(_ name: String, _ hash: String?) -> Step {
            Step(
                kind: .verify, repository: "acme/app", name: name, size: 10,
                source: SourcePosition(file: "t.bbx", line: 1, column: 1), manifest: "SHA256SUMS", sha256: hash)
        }
        let report = await Executor(service: service, jobs: 1).apply(
            Plan(steps: [verify("bad.zip", good), verify("good.zip", good), verify("new.zip", nil)]))
        #expect(!report.succeeded)
        #expect(report.entries.map(\.outcome.label) == ["failed", "done", "done"])
        #expect(report.entries.map(\.note) == [nil, "verified", "not in SHA256SUMS"])
        #expect(report.entries.allSatisfy { $0.sha256?.count == 64 })
    }

    /// A mismatch names the artifact exactly in the report's data (`--json`), and escaped once,
    /// where the text is written for a terminal.
    @Test func aMismatchedNameFromTheServerIsExactInDataAndEscapedOnScreen() async {
        let name = "evil\u{1B}[2J name #1%.zip"
        let service = FakeService(digests: [name: String(repeating: "f", count: 64)])
        let step = Step(
            kind: .verify, repository: "acme/app", name: name, size: 10,
            source: SourcePosition(file: "t.bbx", line: 1, column: 1), manifest: "SHA256SUMS",
            sha256: String(repeating: "0", count: 64))
        let report = await Executor(service: service, jobs: 1).apply(Plan(steps: [step]))
        guard case .failed(let message) = report.entries[0].outcome else {
            Issue.record("not failed: \(report.entries[0].outcome)")
            return
        }
        #expect(message.hasPrefix(name + " does not match SHA256SUMS"), "\(message)")
        let text = ReportText().render(report)
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("evil\\x1b[2J name #1%.zip does not match SHA256SUMS"), "\(text)")
    }

    @Test func uploadsGoInGroupsOfAtMost32FilesAnd64MiB() {
        func sized(_ count: Int, _ size: Int64) -> [Step] {
            (1...count).map { index in
                Step(
                    kind: .upload, repository: "acme/app", name: "f\(index)", localPath: "f\(index)", size: size,
                    source: SourcePosition(file: "t.bbx", line: 1, column: 1))
            }
        }
        // 200 files of 1 MiB at 4 jobs: 7 requests (32 files at most each).
        let small = Executor.units(of: sized(200, 1 << 20), jobs: 4, skipping: [])
        #expect(small.count == 7)
        #expect(small.allSatisfy { $0.count <= 32 })
        #expect(small.flatMap { $0 } == Array(0..<200))
        // --files-per-request 1: a request per file, as before grouping.
        #expect(Executor.units(of: sized(200, 1 << 20), jobs: 4, filesPerRequest: 1, skipping: []).count == 200)
        // 8 jobs: 8 requests, so that all eight run.
        #expect(Executor.units(of: sized(200, 1 << 20), jobs: 8, skipping: []).count == 8)
        // 10 files of 30 MiB: at most 64 MiB a request, so two files each.
        let big = Executor.units(of: sized(10, 30 << 20), jobs: 1, skipping: [])
        #expect(big.map(\.count) == [2, 2, 2, 2, 2])
        // A file bigger than the cap goes alone.
        #expect(Executor.units(of: sized(2, 100 << 20), jobs: 1, skipping: []).map(\.count) == [1, 1])
        // A delete between uploads ends a group; the same name twice is never in one request.
        let mixed = [
            step(.upload, "a"), step(.upload, "b"), step(.delete, "x"), step(.upload, "c"), step(.replace, "c"),
        ]
        #expect(Executor.units(of: mixed, jobs: 1, skipping: []) == [[0, 1], [2], [3], [4]])
    }

    @Test func noDeleteStartsBeforeTheUploadsAheadOfItSucceeded() async {
        let service = FakeService()
        let plan = Plan(steps: [
            step(.upload, "a.zip"), step(.download, "other.zip"), step(.replace, "b.zip"), step(.delete, "old.zip"),
            step(.upload, "c.zip"),
        ])
        let report = await Executor(service: service, jobs: 4).apply(plan)
        #expect(report.succeeded)
        let events = service.events
        let deleteStart = events.firstIndex(of: .start("old.zip"))!
        #expect(events.firstIndex(of: .end("a.zip"))! < deleteStart)
        #expect(events.firstIndex(of: .end("b.zip"))! < deleteStart)
        // A download ahead does not hold the delete back, and a later upload may overlap it.
        #expect(events.firstIndex(of: .start("c.zip"))! > deleteStart)
    }

    @Test func afterTheFirstFailureNothingNewStarts() async {
        let service = FakeService(failing: ["b.zip": Boom()])
        let plan = Plan(steps: [
            step(.upload, "a.zip"), step(.upload, "b.zip"), step(.skip, "s.zip"), step(.upload, "c.zip"),
            step(.delete, "old.zip"),
        ])
        let report = await Executor(service: service, jobs: 1).apply(plan)
        #expect(!report.succeeded)
        #expect(report.entries.map(\.outcome.label) == ["done", "failed", "skipped", "not started", "not started"])
        #expect(report.entries[1].outcome == .failed("POST …/downloads: 503 Service Unavailable"))
        #expect(!service.events.contains(.start("c.zip")))
        #expect(!service.events.contains(.start("old.zip")))
        #expect(!report.failedOnCredentials)
        let text = ReportText().render(report)
        #expect(text.hasPrefix("Apply failed: 1 done, 1 failed, 2 not started."))
        #expect(text.contains("  failed       + upload build/b.zip → b.zip  t.bbx:1\n"))
        #expect(text.contains("POST …/downloads: 503 Service Unavailable"))
    }

    @Test func refusedCredentialsAreTold() async {
        let service = FakeService(failing: ["a.zip": BitbucketError.missingConnectCredentials])
        let report = await Executor(service: service).apply(Plan(steps: [step(.upload, "a.zip")]))
        #expect(report.failedOnCredentials)
    }

    @Test func connectCallsRunAloneAndInOrder() async {
        let service = FakeService()
        let set = ConnectCall.setValues(linker: "k", values: ["A"])
        let plan = Plan(steps: [
            step(.upload, "a.zip"),
            Step(
                kind: .connect, repository: nil, name: set.request,
                source: SourcePosition(file: "t", line: 2, column: 1),
                connect: set),
            step(.upload, "b.zip"),
        ])
        _ = await Executor(service: service, jobs: 4).apply(plan)
        #expect(
            service.events == [
                .start("a.zip"), .end("a.zip"), .start(set.request), .end(set.request), .start("b.zip"), .end("b.zip"),
            ])
    }
}

@Suite("Report text")
struct ReportTextTests {
    /// A run that touches several repositories names each step's; a run of one does not.
    @Test func linesNameTheRepositoryWhenThereAreSeveral() {
        var one = Report(plan: Plan(steps: [step(.upload, "a.zip")]))
        one.entries[0].outcome = .failed("boom")
        #expect(ReportText().render(one).contains("failed  + upload build/a.zip → a.zip"))
        let web = Step(
            kind: .delete, repository: "acme/web", name: "b.zip", size: 10,
            source: SourcePosition(file: "t.bbx", line: 2, column: 1))
        var two = Report(plan: Plan(steps: [step(.upload, "a.zip"), web]))
        two.entries[0].outcome = .failed("boom")
        let text = ReportText().render(two)
        #expect(text.contains("+ upload acme/app: build/a.zip → a.zip"), "\(text)")
        #expect(text.contains("- delete acme/web: b.zip"), "\(text)")
    }

    @Test func oneConnectCallIsSingular() {
        let call = Step(
            kind: .connect, repository: nil, name: "PUT /2.0/addon",
            source: SourcePosition(file: "t", line: 1, column: 1),
            connect: .updateRegistered)
        var report = Report(plan: Plan(steps: [call]))
        report.entries[0].outcome = .done
        #expect(ReportText().render(report).contains("Applied: 1 Connect call made."))
    }
}
