import BBXTestSupport
import Foundation
import Testing

@Suite("Ctrl-C, SIGTERM and SIGHUP during apply")
struct InterruptTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let signal: Int32
        let status: Int32
        let word: String
        var testDescription: String { word }
    }

    /// Each signal is treated like Ctrl-C (stop, clean up, report), and exits 128 + its number.
    static let cases = [
        Case(signal: SIGINT, status: 130, word: "interrupted"),
        Case(signal: SIGTERM, status: 143, word: "terminated"),
        Case(signal: SIGHUP, status: 129, word: "hung up"),
    ]

    /// Three downloads one at a time; the second one's answer is held back, and Ctrl-C arrives
    /// while bbx waits for it (its hidden partial file exists). The first file is complete, the
    /// second leaves nothing behind, the third never starts, and the report says so.
    @Test(arguments: cases)
    func stopsStartingStepsLeavesNothingHalfWrittenAndReports(_ example: Case) async throws {
        try await EndToEnd.with { world in
            for name in ["a.bin", "b.bin", "c.bin"] {
                try await world.serve.seed("acme/app", name, size: 300_000)
            }
            try await world.serve.addFault(
                #"{"delay_ms": 20000, "count": 1, "method": "GET", "path": "/2.0/repositories/acme/app/downloads/b.bin"}"#
            )
            try world.write("fetch.bbx", "use acme/app\ndownload \"*.bin\" to \"out\"\n")
            let child = try ChildProcess(
                BBXProcess.executable, ["run", "fetch.bbx", "--jobs", "1"], environment: world.environment,
                in: world.folder)
            let out = world.folder.appendingPathComponent("out").path
            let waiting = await child.waitUntil {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
                return names.contains { $0.hasPrefix(".b.bin.") }
            }
            #expect(waiting, "bbx never asked for b.bin: \(child.stdout)\(child.stderr)")
            child.signal(example.signal)
            let result = await child.wait()
            #expect(result.status == example.status, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("bbx: \(example.word): no new step starts"), "\(result.stderr)")
            #expect(
                result.stdout.contains("Apply interrupted: 1 done, 1 interrupted, 1 not started"), "\(result.stdout)")
            #expect(result.stdout.contains("not started  ↓ download c.bin"))
            let left = try FileManager.default.contentsOfDirectory(atPath: out)
            #expect(left == ["a.bin"])
            #expect(world.contents("out/a.bin")?.count == 300_000)
        }
    }

    /// While planning nothing is written yet: a signal stops the reads in flight, and that is
    /// what bbx says, with 128 + the signal's number.
    @Test(arguments: cases)
    func duringPlanningNothingWasChanged(_ example: Case) async throws {
        try await EndToEnd.with { world in
            try await world.serve.addFault(
                #"{"delay_ms": 20000, "count": 1, "method": "GET", "path": "/2.0/repositories/acme/app/downloads"}"#)
            let child = try ChildProcess(
                BBXProcess.executable, ["run", "-e", "use acme/app\nupload \"dist/*\"\nlist"],
                environment: world.environment, in: world.folder)
            // The listing's answer is held back 20 s (the log records it only when answered).
            try await Task.sleep(for: .milliseconds(1500))
            child.signal(example.signal)
            let result = await child.wait()
            #expect(result.status == example.status, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("bbx: \(example.word); nothing was changed"), "\(result.stderr)")
            #expect(try await world.writes().isEmpty)
        }
    }
}
