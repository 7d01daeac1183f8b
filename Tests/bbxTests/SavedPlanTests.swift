import BBXTestSupport
import Foundation
import Testing

/// `bbx plan -o` then `bbx apply` on data like Bitbucket's: artifacts stamped by real uploads
/// (microseconds), applied from another directory, and refused for every kind of drift.
@Suite("Saved plans on real data")
struct SavedPlanTests {
    static let release = """
        use acme/app
        upload "build/*.zip" on conflict replace
        prune "old-*" keep 1
        print "released"
        """

    /// Artifacts uploaded for real (the emulator stamps them as Bitbucket does, with
    /// microseconds), so the plan's fingerprints are not whole seconds.
    static func uploadReal(_ world: EndToEnd) async throws {
        try world.write("seed/old-1.bin", "one")
        try world.write("seed/old-2.bin", "two")
        let seeded = try await world.bbx(["run", "-e", "use acme/app\nupload \"seed/*.bin\"\nupload \"build/*.zip\""])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        try world.write("release.bbx", release)
    }

    @Test func appliesOnRealArtifactsFromAnotherDirectoryAndPrintsWhatWaited() async throws {
        try await EndToEnd.with { world in
            try await Self.uploadReal(world)
            let listing = try await Curl.run([
                "-H", "Authorization: Bearer \(EndToEnd.token)",
                "\(world.serve.api)/2.0/repositories/acme/app/downloads?pagelen=100",
            ])
            #expect(listing.text.contains(#/\.\d{6}\+00:00/#), "the emulator stamps microseconds")
            let planned = try await world.bbx(["plan", "release.bbx", "-o", "plan.json"])
            #expect(planned.status == 0, "\(planned.stderr)")
            let elsewhere = try BBXProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: elsewhere) }
            let applied = try await BBXProcess.launch(
                ["apply", world.folder.appendingPathComponent("plan.json").path], environment: world.environment,
                in: elsewhere)
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            #expect(applied.stderr.contains("applying in \(world.folder.path)"), "\(applied.stderr)")
            #expect(applied.stdout.contains("Applied: 2 replaced, 1 deleted"), "\(applied.stdout)")
            // The script's `print` after its changes is written once they are applied.
            let done = try #require(applied.stdout.range(of: "done        - delete"))
            #expect(applied.stdout[done.upperBound...].contains("\nreleased\n"), "\(applied.stdout)")
            let remote = try await world.remote().keys.sorted().map(\.text)
            #expect(remote.count == 3 && remote.filter { $0.hasPrefix("old-") }.count == 1, "\(remote)")
        }
    }

    /// A plan file is input from outside: the directory it names reaches the terminal escaped,
    /// whatever bytes its name holds.
    @Test func thePlansDirectoryIsShownEscaped() async throws {
        try await EndToEnd.with { world in
            let odd = world.folder.appendingPathComponent("made \u{1B}[31mhere")
            try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
            try Data("use acme/app\nlist\n".utf8).write(to: odd.appendingPathComponent("r.bbx"))
            let planned = try await BBXProcess.launch(
                ["plan", "r.bbx", "-o", "plan.json"], environment: world.environment, in: odd)
            #expect(planned.status == 0, "\(planned.stderr)")
            let applied = try await world.bbx(["apply", odd.appendingPathComponent("plan.json").path])
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            #expect(applied.stderr.contains("applying in "), "\(applied.stderr)")
            #expect(!applied.stderr.contains("\u{1B}"), "\(applied.stderr)")
        }
    }

    struct Drift: Sendable, CustomTestStringConvertible {
        let name: String
        let script: String
        let change: @Sendable (EndToEnd) async throws -> Void
        let says: String
        var testDescription: String { name }
    }

    static let drifts: [Drift] = [
        // Both old-* artifacts are the prune's candidates: the one it keeps decides as much as
        // the one it deletes.
        Drift(
            name: "an artifact replaced with the same size", script: release,
            change: { world in
                for name in ["old-1.bin", "old-2.bin"] {
                    try world.write("other/\(name)", "new")
                    let replaced = try await world.bbx([
                        "run", "-e", "upload \"other/\(name)\" to acme/app on conflict replace",
                    ])
                    #expect(replaced.status == 0)
                }
            }, says: "acme/app: old-1.bin was replaced since (now 3 B, created 20"),
        Drift(
            name: "an artifact deleted", script: release,
            change: { world in
                let deleted = try await world.bbx(["run", "-e", "delete \"old-*\" from acme/app"])
                #expect(deleted.status == 0)
            },
            says: "acme/app: old-2.bin was deleted since"),
        Drift(
            name: "a local file rewritten to the same size", script: release,
            change: { world in
                try await Task.sleep(for: .milliseconds(20))
                try world.write("build/app-1.4.0-macos.zip", String(repeating: "X", count: 2000))
            }, says: "build/app-1.4.0-macos.zip was modified since (same size"),
        Drift(
            name: "a local file gone", script: release,
            change: { world in
                try FileManager.default.removeItem(at: world.folder.appendingPathComponent("build/app-1.4.0-linux.zip"))
            }, says: "build/app-1.4.0-linux.zip is gone"),
        Drift(
            name: "a download target created since", script: "use acme/app\ndownload \"old-1.bin\" to \"out\"",
            change: { world in try world.write("out/old-1.bin", "mine") },
            says: "out/old-1.bin exists now; the download would not overwrite it"),
    ]

    @Test(arguments: drifts)
    func refusedForEachKindOfDrift(_ drift: Drift) async throws {
        try await EndToEnd.with { world in
            try await Self.uploadReal(world)
            try world.write("drift.bbx", drift.script)
            let planned = try await world.bbx(["plan", "drift.bbx", "-o", "plan.json"])
            #expect(planned.status == 0, "\(planned.stderr)")
            try await drift.change(world)
            let before = try await world.remote()
            try await world.serve.clearRequests()
            let refused = try await world.bbx(["apply", "plan.json"])
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("the plan is out of date; nothing was changed"))
            #expect(refused.stderr.contains(drift.says), "\(refused.stderr)")
            #expect(try await world.writes().isEmpty)
            #expect(try await world.remote() == before)
            if drift.name.hasPrefix("a download") { #expect(world.contents("out/old-1.bin") == Data("mine".utf8)) }
        }
    }

    struct Tamper: Sendable, CustomTestStringConvertible {
        let field: String
        let edit: @Sendable (inout [String: Any]) -> Void
        let says: String
        var testDescription: String { field }
    }

    static func step(_ plan: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var inner = plan["plan"] as! [String: Any]
        var steps = inner["steps"] as! [[String: Any]]
        edit(&steps[0])
        inner["steps"] = steps
        plan["plan"] = inner
    }

    static let tampers: [Tamper] = [
        Tamper(
            field: "repository", edit: { step(&$0) { $0["repository"] = "not a repo" } },
            says: "plan.steps[0].repository"),
        Tamper(field: "name", edit: { step(&$0) { $0["name"] = "../../etc/x" } }, says: "plan.steps[0].name"),
        Tamper(field: "localPath", edit: { step(&$0) { $0["localPath"] = "" } }, says: "plan.steps[0].localPath"),
        Tamper(field: "kind", edit: { step(&$0) { $0["kind"] = "format-disk" } }, says: "plan.steps[0].kind"),
        Tamper(field: "size", edit: { step(&$0) { $0["size"] = -5 } }, says: "plan.steps[0].size"),
        Tamper(field: "url", edit: { $0["url"] = "file:///etc" }, says: "url"),
        Tamper(field: "directory", edit: { $0["directory"] = "relative/dir" }, says: "directory"),
        Tamper(field: "version", edit: { $0["version"] = 9 }, says: "a plan of version 9"),
    ]

    /// A plan file is input from disk: every field is checked on load, and the error names it.
    @Test(arguments: tampers)
    func aTamperedPlanIsRefusedNamingTheField(_ tamper: Tamper) async throws {
        try await EndToEnd.with { world in
            try world.write("up.bbx", "use acme/app\nupload \"build/*.zip\"")
            #expect(try await world.bbx(["plan", "up.bbx", "-o", "plan.json"]).status == 0)
            var json = try #require(
                try JSONSerialization.jsonObject(with: world.contents("plan.json") ?? Data()) as? [String: Any])
            tamper.edit(&json)
            try world.write(
                "plan.json", String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
            let refused = try await world.bbx(["apply", "plan.json"])
            #expect(refused.status == 64, "\(refused.stderr)")
            #expect(refused.stderr.contains(tamper.says), "\(refused.stderr)")
            #expect(try await world.writes().isEmpty)
        }
    }
}
