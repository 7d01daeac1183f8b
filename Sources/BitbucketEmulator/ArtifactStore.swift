import BitbucketModel
import Crypto
import Foundation
import GRDB

/// The emulator's state: artifacts (metadata in SQLite, bytes in files) and the Connect app's
/// linkers.
///
/// Metadata lives in `state.sqlite` (WAL): artifacts indexed by repository and creation time, so
/// a listing page reads 100 rows whatever the repository holds, and each upload, replace or
/// delete is one small transaction instead of a rewrite of everything. Reads run beside writes.
/// Bytes never pass through here: an upload streams into a new file of `blobs/` (named by a new
/// UUID) that no artifact refers to until `commit` records it, so a cut upload leaves the
/// previous artifact untouched and its own file is removed. No rename: renames between two
/// folders took a lock on both, and concurrent uploads queued on it. Times are formatted
/// once, when stored (`BitbucketTime.format`: UTC, six fraction digits, `+00:00`), so their
/// text order is their time order and no listing parses a date.
final class ArtifactStore: Sendable {
    let root: URL
    private let database: DatabasePool
    private let createsOnFirstUse: Bool
    let storageKey: String

    /// Artifacts' bytes, and uploads in progress under a name no artifact has yet.
    var blobs: URL { root.appendingPathComponent("blobs") }

    init(root: URL, repositories: [String], linkers: [String], createsOnFirstUse: Bool = false) throws {
        self.root = root
        self.createsOnFirstUse = createsOnFirstUse
        // Before anything is written or removed: the folder must be bbx's (new, empty, or made by bbx serve).
        try DataFolder.claim(root)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // WAL with NORMAL: a commit is one append to the log, without an fsync each (a crash
        // keeps the database whole; a power cut may lose the last transactions).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let path = root.appendingPathComponent("state.sqlite").path
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrate(database)
        } catch let error as DatabaseError {
            // A --data folder holding another file of that name, or a damaged one.
            throw Emulator.StartFailure(
                description:
                    "\(path) is not a database bbx serve can use (SQLite: \(error.message ?? "\(error.resultCode)")); move it away, or give --data another folder"
            )
        }
        storageKey =
            try database.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'storage_key'")
            } ?? ""
        try removeUnreferencedBlobs()
        try database.write { db in
            for repository in repositories {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO repository (key) VALUES (?)", arguments: [repository.lowercased()])
            }
            for key in linkers {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO linker (key, json) VALUES (?, ?)",
                    arguments: [key, try Self.encode(Linker.declared(key))])
            }
        }
    }

    /// Uploads cut by a crash leave files no artifact refers to: they never count, and go. Only
    /// regular files of a name bbx gives an upload (a UUID) are removed; anything else in
    /// `blobs/` was not put there by bbx and stays.
    private func removeUnreferencedBlobs() throws {
        let referenced = Set(try database.read { db in try String.fetchAll(db, sql: "SELECT blob FROM artifact") })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? []
        where !referenced.contains(name) && DataFolder.isBlobName(name) {
            var status = stat()
            let path = blobs.appendingPathComponent(name).path
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            unlink(path)
        }
    }

    static func migrate(_ database: DatabasePool) throws {
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS repository (key TEXT PRIMARY KEY NOT NULL);
                    CREATE TABLE IF NOT EXISTS artifact (
                        repository TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
                        created_on TEXT NOT NULL, downloads INTEGER NOT NULL,
                        uploader_name TEXT NOT NULL, uploader_uuid TEXT NOT NULL, uploader_account TEXT NOT NULL,
                        blob TEXT NOT NULL,
                        PRIMARY KEY (repository, name)) WITHOUT ROWID;
                    CREATE INDEX IF NOT EXISTS artifact_listing ON artifact (repository, created_on DESC, name);
                    CREATE TABLE IF NOT EXISTS setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS linker (key TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL);
                    """)
            // In the transaction that made the tables: a database holding the storage key is
            // how a later start knows the folder is bbx's (`DataFolder`).
            if try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'storage_key'") == nil {
                try db.execute(
                    sql: "INSERT INTO setting (key, value) VALUES ('storage_key', ?)",
                    arguments: [UUID().uuidString + UUID().uuidString])
            }
        }
    }

    /// Closes the database (at the end of a run, before a temporary folder is removed).
    func close() throws { try database.close() }

    // MARK: - Repositories

    /// The repository's key for `workspace` and `slug` as they appear in a path (slugs, or UUIDs
    /// in braces); nil when it was never declared.
    func repository(workspace: String, slug: String) throws -> String? {
        let key = "\(workspace)/\(slug)".lowercased()
        // By name first, with the table's index: a workspace of hundreds is read per request.
        let exact = try database.read { db in
            try String.fetchOne(db, sql: "SELECT key FROM repository WHERE key = ?", arguments: [key])
        }
        if let exact { return exact }
        let declared = try database.read { db in try String.fetchAll(db, sql: "SELECT key FROM repository") }
        for candidate in declared {
            let parts = candidate.split(separator: "/").map(String.init)
            let ws =
                workspace.lowercased() == parts[0] || workspace.lowercased() == RepositoryIdentity.uuid(of: parts[0])
            let repo = slug.lowercased() == parts[1] || slug.lowercased() == RepositoryIdentity.uuid(of: candidate)
            if ws, repo { return candidate }
        }
        // A name, not a UUID (which says nothing of the name): created, empty, when allowed.
        if createsOnFirstUse, !workspace.hasPrefix("{"), !slug.hasPrefix("{") {
            try declare(key)
            return key
        }
        return nil
    }

    /// The repositories of a workspace (by slug or `{uuid}`), sorted by full name; nil when
    /// none is declared there (an unknown workspace).
    func repositories(workspace: String) throws -> [String]? {
        let wanted = workspace.lowercased()
        let keys = try database.read { db in try String.fetchAll(db, sql: "SELECT key FROM repository ORDER BY key") }
        let found = keys.filter { key in
            let owner = String(key.split(separator: "/")[0])
            return owner == wanted || RepositoryIdentity.uuid(of: owner) == wanted
        }
        return found.isEmpty ? nil : found
    }

    func declare(_ repository: String) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO repository (key) VALUES (?)", arguments: [repository.lowercased()])
        }
    }

    // MARK: - Artifacts

    /// One page, newest first, ties by name, and how many there are in all.
    func page(in repository: String, offset: Int, limit: Int) throws -> (total: Int, artifacts: [StoredArtifact]) {
        try database.read { db in
            let total =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM artifact WHERE repository = ?", arguments: [repository]) ?? 0
            // The page's names from the listing index alone (skipping `offset` entries of it
            // costs no row reads), then those rows by their key.
            let names = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM artifact WHERE repository = ?
                    ORDER BY created_on DESC, name ASC LIMIT ? OFFSET ?
                    """, arguments: [repository, limit, offset])
            guard !names.isEmpty else { return (total, []) }
            let placeholders = Array(repeating: "?", count: names.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM artifact WHERE repository = ? AND name IN (\(placeholders))",
                arguments: StatementArguments([repository] + names))
            // Keyed by bytes, as SQLite compares them: `café` with `é` and with `e` and a
            // combining accent are two artifacts, and String's own equality would merge them.
            var byName: [ExactName: StoredArtifact] = [:]
            for row in rows {
                let artifact = Self.artifact(row)
                byName[ExactName(artifact.name)] = artifact
            }
            return (total, names.compactMap { byName[ExactName($0)] })
        }
    }

    func artifact(_ name: String, in repository: String) throws -> StoredArtifact? {
        try database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM artifact WHERE repository = ? AND name = ?", arguments: [repository, name]
            ).map(Self.artifact)
        }
    }

    /// Counts a download (the 302 to storage) and returns the artifact.
    func recordDownload(_ name: String, in repository: String) throws -> StoredArtifact? {
        try database.write { db in
            try db.execute(
                sql: "UPDATE artifact SET downloads = downloads + 1 WHERE repository = ? AND name = ?",
                arguments: [repository, name])
            return try Row.fetchOne(
                db, sql: "SELECT * FROM artifact WHERE repository = ? AND name = ?", arguments: [repository, name]
            ).map(Self.artifact)
        }
    }

    struct Upload: Sendable {
        let name: String
        let file: URL
        let size: Int64
    }

    /// Makes finished uploads visible, all at once (one transaction), replacing any artifact of
    /// the same name, whose bytes are removed after. Each upload's file is in `blobs/` already.
    func commit(_ uploads: [Upload], in repository: String, by uploader: Uploader, createdOn: Date = Date()) throws
        -> [StoredArtifact]
    {
        let created = BitbucketTime.format(createdOn)
        let stored = uploads.map { upload in
            StoredArtifact(
                name: upload.name, size: upload.size, createdOn: created, downloads: 0, uploader: uploader,
                blob: upload.file.lastPathComponent)
        }
        // Within one request, a later part of the same name wins (as a replace would).
        var latest: [ExactName: Int] = [:]
        for (index, artifact) in stored.enumerated() { latest[ExactName(artifact.name)] = index }
        let replaced = try database.write { db in
            var replaced: [String] = []
            for (index, artifact) in stored.enumerated() where latest[ExactName(artifact.name)] == index {
                if let old = try String.fetchOne(
                    db, sql: "SELECT blob FROM artifact WHERE repository = ? AND name = ?",
                    arguments: [repository, artifact.name])
                {
                    replaced.append(old)
                }
                try Self.insert(artifact, in: repository, db)
            }
            return replaced
        }
        for (index, artifact) in stored.enumerated() where latest[ExactName(artifact.name)] != index {
            unlink(blobs.appendingPathComponent(artifact.blob).path)
        }
        for blob in replaced { unlink(blobs.appendingPathComponent(blob).path) }
        return stored
    }

    func delete(_ name: String, in repository: String) throws -> Bool {
        let blob = try database.write { db -> String? in
            let blob = try String.fetchOne(
                db, sql: "SELECT blob FROM artifact WHERE repository = ? AND name = ?", arguments: [repository, name])
            if blob != nil {
                try db.execute(
                    sql: "DELETE FROM artifact WHERE repository = ? AND name = ?", arguments: [repository, name])
            }
            return blob
        }
        guard let blob else { return false }
        try? FileManager.default.removeItem(at: blobs.appendingPathComponent(blob))
        return true
    }

    func blobURL(_ blob: String) -> URL? {
        guard !blob.contains("/"), !blob.contains("..") else { return nil }
        let url = blobs.appendingPathComponent(blob)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static func insert(_ artifact: StoredArtifact, in repository: String, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO artifact
                    (repository, name, size, created_on, downloads, uploader_name, uploader_uuid, uploader_account, blob)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                repository, artifact.name, artifact.size, artifact.createdOn, artifact.downloads,
                artifact.uploader.displayName, artifact.uploader.uuid, artifact.uploader.accountID, artifact.blob,
            ])
    }

    /// A row of `SELECT *`, read by column position (the table's order), not by name.
    static func artifact(_ row: Row) -> StoredArtifact {
        StoredArtifact(
            name: row[1], size: row[2], createdOn: row[3], downloads: row[4],
            uploader: Uploader(displayName: row[5], uuid: row[6], accountID: row[7]), blob: row[8])
    }

    // MARK: - Connect

    var appInstalled: Bool {
        get throws {
            try database.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'app_installed'") != "0"
            }
        }
    }

    func setAppInstalled(_ installed: Bool) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO setting (key, value) VALUES ('app_installed', ?)",
                arguments: [installed ? "1" : "0"])
        }
    }

    func linkers() throws -> [Linker] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT json FROM linker ORDER BY key").map(Self.decode)
        }
    }

    func linker(_ key: String) throws -> Linker? {
        try database.write { db in
            if createsOnFirstUse {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO linker (key, json) VALUES (?, ?)",
                    arguments: [key, try Self.encode(Linker.declared(key))])
            }
            return try Self.linker(key, db)
        }
    }

    /// Linkers declared by a descriptor's `modules.linkers`: kept with their values if known.
    func defineLinkers(_ definitions: [Linker]) throws {
        try database.write { db in
            for definition in definitions {
                var linker = definition
                linker.values = try Self.linker(definition.key, db)?.values ?? []
                try Self.save(linker, db)
            }
        }
    }

    enum LinkerChange: Error { case noLinker, duplicate, noValue }

    func addLinkerValue(_ value: String, to key: String) throws -> LinkerValue {
        try database.write { db in
            guard var linker = try Self.linker(key, db) else { throw LinkerChange.noLinker }
            if linker.values.contains(where: { $0.value == value }) { throw LinkerChange.duplicate }
            let entry = LinkerValue(id: try Self.nextValueID(db), value: value)
            linker.values.append(entry)
            try Self.save(linker, db)
            return entry
        }
    }

    /// Replaces every value; values already present keep their ids.
    func setLinkerValues(_ values: [String], of key: String) throws {
        try database.write { db in
            guard var linker = try Self.linker(key, db) else { throw LinkerChange.noLinker }
            var next: [LinkerValue] = []
            for value in values where !next.contains(where: { $0.value == value }) {
                if let existing = linker.values.first(where: { $0.value == value }) {
                    next.append(existing)
                } else {
                    next.append(LinkerValue(id: try Self.nextValueID(db), value: value))
                }
            }
            linker.values = next
            try Self.save(linker, db)
        }
    }

    func removeLinkerValues(of key: String, id: Int? = nil) throws {
        try database.write { db in
            guard var linker = try Self.linker(key, db) else { throw LinkerChange.noLinker }
            if let id {
                guard let index = linker.values.firstIndex(where: { $0.id == id }) else { throw LinkerChange.noValue }
                linker.values.remove(at: index)
            } else {
                linker.values.removeAll()
            }
            try Self.save(linker, db)
        }
    }

    static func linker(_ key: String, _ db: Database) throws -> Linker? {
        try String.fetchOne(db, sql: "SELECT json FROM linker WHERE key = ?", arguments: [key]).map(decode)
    }

    static func save(_ linker: Linker, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO linker (key, json) VALUES (?, ?)", arguments: [linker.key, try encode(linker)])
    }

    static func nextValueID(_ db: Database) throws -> Int {
        let next =
            Int(try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'next_linker_value_id'") ?? "1")
            ?? 1
        try db.execute(
            sql: "INSERT OR REPLACE INTO setting (key, value) VALUES ('next_linker_value_id', ?)",
            arguments: [String(next + 1)])
        return next
    }

    static func encode(_ linker: Linker) throws -> String {
        String(decoding: try JSONEncoder().encode(linker), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> Linker {
        try JSONDecoder().decode(Linker.self, from: Data(json.utf8))
    }
}

/// Stable UUIDs for workspaces and repositories, so `{uuid}` paths work as on Bitbucket.
enum RepositoryIdentity {
    static func uuid(of name: String) -> String {
        "{" + uuidString(Array(SHA256.hash(data: Data(name.lowercased().utf8)))) + "}"
    }
}
