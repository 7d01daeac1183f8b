import BBXTestSupport
import Foundation
import Testing

@Suite("bbx fmt")
struct FormatCommandTests {
    let messy = "use acme/app;upload   \"a.zip\" # keep\nif true {print 1}\n"
    let tidy = "use acme/app\nupload \"a.zip\" # keep\nif true {\n    print 1\n}\n"

    @Test func rewritesInPlaceKeepingPermissions() throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("job.bbx")
        try messy.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let result = try BBXProcess.run(["fmt", "job.bbx"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: file, encoding: .utf8) == tidy)
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o640)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["job.bbx"])
        // A second run has nothing to do.
        let again = try BBXProcess.run(["fmt", "--check", "job.bbx"], in: folder)
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
    }

    @Test func checkWritesNothingAndNamesTheFiles() throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try messy.write(to: folder.appendingPathComponent("messy.bbx"), atomically: true, encoding: .utf8)
        try tidy.write(to: folder.appendingPathComponent("tidy.bbx"), atomically: true, encoding: .utf8)
        let result = try BBXProcess.run(["fmt", "--check", "messy.bbx", "tidy.bbx"], in: folder)
        #expect(result.status == 1)
        #expect(result.stdout == "would reformat messy.bbx\n")
        #expect(try String(contentsOf: folder.appendingPathComponent("messy.bbx"), encoding: .utf8) == messy)
    }

    @Test func aScriptWithSyntaxErrorsIsLeftAlone() throws {
        let folder = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = "upload   \"a\" to\n"
        try broken.write(to: folder.appendingPathComponent("broken.bbx"), atomically: true, encoding: .utf8)
        let result = try BBXProcess.run(["fmt", "broken.bbx"], in: folder)
        #expect(result.status == 65)
        #expect(result.stderr.contains("broken.bbx:1:16: error: expected a repository after 'to'"))
        #expect(try String(contentsOf: folder.appendingPathComponent("broken.bbx"), encoding: .utf8) == broken)
    }

    @Test func standardInputToStandardOutput() throws {
        let result = try BBXProcess.run(["fmt", "-"], stdin: messy)
        #expect(result.status == 0)
        #expect(result.stdout == tidy)
    }
}
