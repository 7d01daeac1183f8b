import Foundation
import GRDB

/// Whether a `--data` (or `--sandbox-data`) folder is bbx's to use, and what in it bbx may remove.
///
/// A folder is bbx's only when it is new, empty, or holds a `state.sqlite` that bbx serve made
/// (its `setting` table has the storage key). Anything else is refused before a byte is written
/// or removed: the store cleans up after itself at start (upload files no artifact refers to),
/// and that clean-up must never reach a user's thesis that happened to sit in `DIR/blobs`.
/// The clean-up itself only removes files of a name bbx chose (a UUID) in the folder bbx made.
public enum DataFolder {
    /// A folder bbx will not use, with what it holds; `bbx serve` exits 64 on it.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    static let database = "state.sqlite"
    /// SQLite's companions of the database, which bbx serve leaves beside it.
    static let companions: Set<String> = ["state.sqlite-wal", "state.sqlite-shm"]

    /// Creates `root` when missing; refuses a file, a folder of someone else's, or a
    /// `state.sqlite` that is not bbx's.
    static func claim(_ root: URL) throws {
        let path = root.path
        var status = stat()
        if lstat(path, &status) != 0 {
            guard errno == ENOENT else { throw Refused(description: "\(path): \(String(cString: strerror(errno)))") }
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            return
        }
        // A link to a folder is followed (a data folder kept elsewhere); anything but a folder is not one.
        var target = stat()
        guard stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFDIR else {
            throw Refused(description: "\(path) is not a folder; --data takes a folder (created if missing)")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
        if names.isEmpty { return }
        guard names.contains(database) else {
            if names.contains("state.json") {
                throw Refused(
                    description:
                        "\(path) holds a data folder of an earlier bbx serve (state.json), which this version does not read; give --data a new or empty folder"
                )
            }
            throw Refused(
                description:
                    "\(path) is not a bbx data folder: it holds \(listing(names)) and no state.sqlite of bbx serve; give --data a new or empty folder (bbx removes what it does not know in its own)"
            )
        }
        if let problem = problem(with: root.appendingPathComponent(database).path) {
            throw Refused(
                description:
                    "\(path)/\(database) is not a database bbx serve made (\(problem)); move it away, or give --data a new or empty folder"
            )
        }
    }

    private static func isOurs(_ path: String) -> Bool { problem(with: path) == nil }

    /// Why the database at `path` is not bbx serve's, or nil. Read-only, so a foreign database
    /// is left exactly as it was.
    private static func problem(with path: String) -> String? {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            let key = try queue.read { db in
                try db.tableExists("setting")
                    ? try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'storage_key'") : nil
            }
            return key == nil ? "it has no storage key" : nil
        } catch let error as DatabaseError {
            return "SQLite: \(error.message ?? "\(error.resultCode)")"
        } catch {
            return "\(error)"
        }
    }

    /// A few names of what the folder holds, for the message.
    static func listing(_ names: [String]) -> String {
        let shown = names.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        return names.count > 5 ? "\(shown) and \(names.count - 5) more" : shown
    }

    /// Whether `name` is one bbx gives an upload's file in `blobs/`: a UUID, as `UUID().uuidString` writes it.
    static func isBlobName(_ name: String) -> Bool {
        name.count == 36 && UUID(uuidString: name) != nil && name == name.uppercased()
    }

    // MARK: - Temporary data folders

    static let temporaryPrefix = "bbx-serve-"

    /// A new temporary data folder's place: `bbx-serve-PID-UUID` in the system's temporary folder,
    /// so a later start can tell whose it was.
    static func newTemporary(in parent: URL) -> URL {
        parent.appendingPathComponent("\(temporaryPrefix)\(getpid())-\(UUID().uuidString)")
    }

    /// Temporary data folders of processes that are gone (killed, crashed) are removed, file by
    /// file, and only when everything in them is what bbx serve writes; anything else is left.
    static func removeAbandoned(in parent: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for name in names where name.hasPrefix(temporaryPrefix) {
            let rest = name.dropFirst(temporaryPrefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0,
                UUID(uuidString: String(rest[rest.index(after: dash)...])) != nil
            else { continue }
            // Alive (or not ours to signal): not abandoned.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            removeIfOnlyOurs(parent.appendingPathComponent(name))
        }
    }

    /// Removes `folder` when it holds nothing but bbx serve's database and upload files.
    static func removeIfOnlyOurs(_ folder: URL) {
        func kind(_ path: String) -> mode_t? {
            var status = stat()
            return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : nil
        }
        guard kind(folder.path) == S_IFDIR,
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return }
        var files: [String] = []
        var blobFolder: String?
        for name in names {
            let path = folder.appendingPathComponent(name).path
            if name == database || companions.contains(name), kind(path) == S_IFREG {
                files.append(path)
            } else if name == "blobs", kind(path) == S_IFDIR,
                let blobs = try? FileManager.default.contentsOfDirectory(atPath: path),
                blobs.allSatisfy({ isBlobName($0) && kind(path + "/" + $0) == S_IFREG })
            {
                files += blobs.map { path + "/" + $0 }
                blobFolder = path
            } else {
                return
            }
        }
        if let database = files.first(where: { $0.hasSuffix("/" + database) }), !isOurs(database) { return }
        for file in files { unlink(file) }
        // The look at the database may have made SQLite's companions anew.
        for name in companions { unlink(folder.appendingPathComponent(name).path) }
        if let blobFolder { rmdir(blobFolder) }
        rmdir(folder.path)
    }
}
