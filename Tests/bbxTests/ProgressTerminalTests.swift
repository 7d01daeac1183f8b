import BBXTestSupport
import Foundation
import Testing

/// Live progress as a terminal shows it (tmux): a bar with its rate for a large transfer while it
/// runs, plain lines for finished steps, and no bar left on the screen afterwards.
@Suite("Progress in a terminal")
struct ProgressTerminalTests {
    @Test func largeTransfersShowABarWhileTheyRun() async throws {
        try await EndToEnd.with { world in
            try world.write("big.bin", String(repeating: "B", count: 3 << 20))
            // The emulator stores the upload, then holds its answer: the bar stays on screen at 100%.
            try await world.serve.addFault(
                #"{"delay_ms": 4000, "count": 1, "method": "POST", "path": "/2.0/repositories/acme/app/downloads"}"#)
            var environment = world.environment
            environment["TERM"] = "xterm"
            let tmux = try await Tmux(
                ["/bin/sh", "-c", "'\(BBXProcess.executable.path)' run -e 'upload \"big.bin\" to acme/app'; sleep 60"],
                environment: environment, in: world.folder)
            let during = try await tmux.waitForScreen { $0.contains("↑ big.bin") && $0.contains("100%") }
            let bar = during.split(separator: "\n").first { $0.contains("↑ big.bin") }.map(String.init) ?? ""
            #expect(bar.contains("[####################] 100%  3.0 MiB/3.0 MiB"), "\(during)")
            #expect(bar.contains("/s"), "a rate: \(bar)")
            let after = try await tmux.waitForScreen { $0.contains("Applied: 1 uploaded") }
            #expect(after.contains("done        + upload big.bin  3.0 MiB"))
            #expect(!after.contains("↑ big.bin"), "the bar is gone: \(after)")
            await tmux.kill()
        }
    }
}
