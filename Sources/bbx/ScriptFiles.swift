import BBXSyntax
import Foundation
import SafeFiles

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

    /// The most a script may have: far more than any script, and a bound on what
    /// `bbx check /dev/zero` reads.
    static let maximumBytes = 16 << 20

    /// Reads a script; a pipe works too (`bbx run <(envsubst < release.tmpl)`).
    static func read(_ path: String) throws -> SourceFile {
        do {
            if path == "-" {
                return SourceFile(
                    name: "<stdin>", bytes: try WholeFile.read(descriptor: STDIN_FILENO, limit: maximumBytes))
            }
            return SourceFile(name: path, bytes: try WholeFile.read(path, limit: maximumBytes))
        } catch {
            throw Unreadable(path: path == "-" ? "<stdin>" : path, reason: error.description)
        }
    }

    /// Reads each of `paths` in turn and hands it to `body`; a file that cannot be read is
    /// reported in its place and skipped. Returns whether any was (the commands then exit 64,
    /// after doing the others).
    static func forEach(_ paths: [String], _ body: (String, SourceFile) throws -> Void) rethrows -> Bool {
        var unreadable = false
        for path in paths {
            let source: SourceFile
            do {
                source = try read(path)
            } catch {
                Console.fail("\(error)")
                unreadable = true
                continue
            }
            try body(path, source)
        }
        return unreadable
    }

    /// Replaces a file's contents all at once, through a new exclusive temporary file beside it
    /// (see `ExclusiveFile`): a crash leaves the old file or the new one, and a link planted in
    /// the folder is never written through.
    static func replaceContents(of path: String, with text: String) throws {
        do {
            try ExclusiveFile.replaceContents(of: path, with: Array(text.utf8))
        } catch {
            throw Unwritable(reason: "\(error)")
        }
    }
}
