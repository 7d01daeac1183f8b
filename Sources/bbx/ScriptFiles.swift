import BBXSyntax
import Foundation

/// Reading scripts named on the command line; `-` is standard input.
enum ScriptFiles {
    struct Unreadable: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "cannot read '\(path)': \(reason)" }
    }

    /// Why a file could not be replaced (the caller names the file).
    struct Unwritable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    static func read(_ path: String) throws -> SourceFile {
        if path == "-" {
            return SourceFile(name: "<stdin>", bytes: Array(FileHandle.standardInput.readDataToEndOfFile()))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Unreadable(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw Unreadable(path: path, reason: "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unreadable(path: path, reason: "permission denied")
        }
        return SourceFile(name: path, bytes: Array(data))
    }

    /// Replaces a file's contents all at once: a temporary file beside it, given the same
    /// permissions, renamed over it. A crash leaves either the old file or the new one.
    static func replaceContents(of path: String, with text: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).bbx-fmt-\(getpid())")
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        do {
            try Data(text.utf8).write(to: temporary)
            if let permissions = attributes?[.posixPermissions] {
                try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
            }
            guard rename(temporary.path, path) == 0 else {
                throw Unwritable(reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
