import Foundation
import SafeFiles
import Testing

@Suite("Temporary files")
struct ExclusiveFileTests {
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "bbx-exclusive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Another user plants a link at the temporary name bbx would use: bbx must neither write
    /// through it nor replace the file it points to.
    @Test func aLinkAtTheTemporaryNameIsNeverWrittenThrough() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim.txt"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: dir + "/.planted.tmp", withDestinationPath: victim)
        let script = dir + "/release.bbx"
        try Data("use acme/app\n".utf8).write(to: URL(fileURLWithPath: script))

        #expect(throws: ExclusiveFile.Failure.self) {
            try ExclusiveFile.replaceContents(of: script, with: Array("new".utf8)) { ".planted.tmp" }
        }
        #expect(String(decoding: FileManager.default.contents(atPath: victim)!, as: UTF8.self) == "precious")
        #expect(String(decoding: FileManager.default.contents(atPath: script)!, as: UTF8.self) == "use acme/app\n")
    }

    @Test func replacesContentsKeepingPermissionsAndLeavingNothingElse() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/plan.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o640)
        try ExclusiveFile.replaceContents(of: file, with: Array("new".utf8))
        #expect(String(decoding: FileManager.default.contents(atPath: file)!, as: UTF8.self) == "new")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["plan.json"])
    }

    @Test func anotherNameIsTriedWhileOneExists() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/taken", contents: nil)
        var names = ["taken", "free"].makeIterator()
        let (descriptor, path) = try ExclusiveFile.create(in: dir) { names.next()! }
        close(descriptor)
        #expect(path == dir + "/free")
    }

    /// The rename would put a regular file where a pipe, a device or a link was (`bbx plan -o
    /// /dev/stdout` run as root replaced /dev/stdout): refused, naming what is there, and
    /// nothing changes.
    @Test func onlyARegularFileIsReplaced() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/pipe", 0o600) == 0)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: dir + "/target"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/target")
        for (name, kind) in [("pipe", "a named pipe"), ("link", "a symbolic link"), ("", "a directory")] {
            let path = name.isEmpty ? dir : dir + "/" + name
            do {
                try ExclusiveFile.replaceContents(of: path, with: Array("new".utf8))
                Issue.record("\(path) was replaced")
            } catch {
                #expect("\(error)".hasPrefix("it is \(kind)"), "\(error)")
            }
        }
        var info = stat()
        #expect(lstat(dir + "/pipe", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link") == dir + "/target")
        #expect(String(decoding: FileManager.default.contents(atPath: dir + "/target")!, as: UTF8.self) == "precious")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["pipe", "target", "link"])
    }
}
