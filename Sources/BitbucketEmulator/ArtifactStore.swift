import Crypto
import Foundation
import SafeFiles

/// The emulator's state: artifacts (metadata here, bytes in files) and the Connect app's linkers.
///
/// An actor, so concurrent uploads, deletes and lists each see one consistent state. Bytes never
/// pass through it: uploads stream into `uploads/` outside the actor and are renamed into
/// `blobs/` by `commit`, so a cut upload leaves the previous artifact untouched.
actor ArtifactStore {
    let root: URL
    private var state: StoredState
    private var declared: Set<String>
    private let createsOnFirstUse: Bool

    var blobs: URL { root.appendingPathComponent("blobs") }
    nonisolated var uploads: URL { root.appendingPathComponent("uploads") }

    init(root: URL, repositories: [String], linkers: [String], createsOnFirstUse: Bool = false) throws {
        self.root = root
        self.createsOnFirstUse = createsOnFirstUse
        let manager = FileManager.default
        try manager.createDirectory(at: root.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        // Uploads cut by a crash or a stop leave partial files: they never count.
        try? manager.removeItem(at: root.appendingPathComponent("uploads"))
        try manager.createDirectory(at: root.appendingPathComponent("uploads"), withIntermediateDirectories: true)
        let file = root.appendingPathComponent("state.json")
        if let data = try? Data(contentsOf: file) {
            state = try JSONDecoder().decode(StoredState.self, from: data)
        } else {
            state = StoredState()
        }
        if state.storageKey.isEmpty {
            state.storageKey = UUID().uuidString + UUID().uuidString
        }
        declared = Set(repositories.map { $0.lowercased() })
        for key in state.artifacts.keys { declared.insert(key) }
        for key in linkers where state.linkers[key] == nil {
            state.linkers[key] = Linker.declared(key)
        }
        try Self.write(state, to: root)
    }

    var storageKey: String { state.storageKey }

    /// The repository's key for `workspace` and `slug` as they appear in a path (slugs, or UUIDs
    /// in braces); nil when it was never declared.
    func repository(workspace: String, slug: String) -> String? {
        let key = "\(workspace)/\(slug)".lowercased()
        if declared.contains(key) { return key }
        for candidate in declared {
            let parts = candidate.split(separator: "/").map(String.init)
            let ws =
                workspace.lowercased() == parts[0] || workspace.lowercased() == RepositoryIdentity.uuid(of: parts[0])
            let repo = slug.lowercased() == parts[1] || slug.lowercased() == RepositoryIdentity.uuid(of: candidate)
            if ws, repo { return candidate }
        }
        // A name, not a UUID (which says nothing of the name): created, empty, when allowed.
        if createsOnFirstUse, !workspace.hasPrefix("{"), !slug.hasPrefix("{") {
            declared.insert(key)
            return key
        }
        return nil
    }

    func declare(_ repository: String) throws {
        declared.insert(repository.lowercased())
    }

    /// Newest first; ties by name. Times are compared as stored text: every `createdOn` is
    /// written by `BitbucketTime.format` (UTC, six fraction digits, `+00:00`), so text order is
    /// time order, and a listing no longer parses two dates per comparison.
    func artifacts(in repository: String) -> [StoredArtifact] {
        (state.artifacts[repository] ?? []).sorted {
            $0.createdOn != $1.createdOn ? $0.createdOn > $1.createdOn : $0.name < $1.name
        }
    }

    func artifact(_ name: String, in repository: String) -> StoredArtifact? {
        state.artifacts[repository]?.first { $0.name == name }
    }

    /// Counts a download (the 302 to storage) and returns the artifact.
    func recordDownload(_ name: String, in repository: String) throws -> StoredArtifact? {
        guard let index = state.artifacts[repository]?.firstIndex(where: { $0.name == name }) else { return nil }
        state.artifacts[repository]![index].downloads += 1
        try persist()
        return state.artifacts[repository]![index]
    }

    struct Upload: Sendable {
        let name: String
        let file: URL
        let size: Int64
    }

    /// Makes finished uploads visible, all at once: each file is renamed into `blobs/`, replacing
    /// any artifact of the same name.
    func commit(
        _ uploads: [Upload], in repository: String, by uploader: Uploader, createdOn: Date = Date(),
        persisting: Bool = true
    ) throws -> [StoredArtifact] {
        var created: [StoredArtifact] = []
        for upload in uploads {
            let blob = UUID().uuidString
            try FileManager.default.moveItem(at: upload.file, to: blobs.appendingPathComponent(blob))
            let artifact = StoredArtifact(
                name: upload.name, size: upload.size, createdOn: BitbucketTime.format(createdOn), downloads: 0,
                uploader: uploader, blob: blob)
            var list = state.artifacts[repository] ?? []
            if let index = list.firstIndex(where: { $0.name == upload.name }) {
                try? FileManager.default.removeItem(at: blobs.appendingPathComponent(list[index].blob))
                list[index] = artifact
            } else {
                list.append(artifact)
            }
            state.artifacts[repository] = list
            created.append(artifact)
        }
        if persisting { try persist() }
        return created
    }

    func delete(_ name: String, in repository: String) throws -> Bool {
        guard let index = state.artifacts[repository]?.firstIndex(where: { $0.name == name }) else { return false }
        let artifact = state.artifacts[repository]!.remove(at: index)
        try? FileManager.default.removeItem(at: blobs.appendingPathComponent(artifact.blob))
        try persist()
        return true
    }

    func blobURL(_ blob: String) -> URL? {
        guard !blob.contains("/"), !blob.contains("..") else { return nil }
        let url = blobs.appendingPathComponent(blob)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    // MARK: - Connect

    var appInstalled: Bool { state.appInstalled }

    func setAppInstalled(_ installed: Bool) throws {
        state.appInstalled = installed
        try persist()
    }

    func linkers() -> [Linker] { state.linkers.values.sorted { $0.key < $1.key } }

    func linker(_ key: String) -> Linker? {
        if createsOnFirstUse, state.linkers[key] == nil {
            state.linkers[key] = Linker.declared(key)
        }
        return state.linkers[key]
    }

    /// Linkers declared by a descriptor's `modules.linkers`: kept with their values if known.
    func defineLinkers(_ definitions: [Linker]) throws {
        for definition in definitions {
            var linker = definition
            linker.values = state.linkers[definition.key]?.values ?? []
            state.linkers[definition.key] = linker
        }
        try persist()
    }

    enum LinkerChange: Error { case noLinker, duplicate, noValue }

    func addLinkerValue(_ value: String, to key: String) throws -> LinkerValue {
        guard var linker = state.linkers[key] else { throw LinkerChange.noLinker }
        if linker.values.contains(where: { $0.value == value }) { throw LinkerChange.duplicate }
        let entry = LinkerValue(id: state.nextLinkerValueID, value: value)
        state.nextLinkerValueID += 1
        linker.values.append(entry)
        state.linkers[key] = linker
        try persist()
        return entry
    }

    /// Replaces every value; values already present keep their ids.
    func setLinkerValues(_ values: [String], of key: String) throws {
        guard var linker = state.linkers[key] else { throw LinkerChange.noLinker }
        var next: [LinkerValue] = []
        for value in values where !next.contains(where: { $0.value == value }) {
            if let existing = linker.values.first(where: { $0.value == value }) {
                next.append(existing)
            } else {
                next.append(LinkerValue(id: state.nextLinkerValueID, value: value))
                state.nextLinkerValueID += 1
            }
        }
        linker.values = next
        state.linkers[key] = linker
        try persist()
    }

    func removeLinkerValues(of key: String, id: Int? = nil) throws {
        guard var linker = state.linkers[key] else { throw LinkerChange.noLinker }
        if let id {
            guard let index = linker.values.firstIndex(where: { $0.id == id }) else { throw LinkerChange.noValue }
            linker.values.remove(at: index)
        } else {
            linker.values.removeAll()
        }
        state.linkers[key] = linker
        try persist()
    }

    /// The state file is replaced whole (write beside it, then rename), so a crash never leaves
    /// half of it.
    /// Writes the metadata now (after a batch committed with `persisting: false`).
    func persist() throws {
        try Self.write(state, to: root)
    }

    private static func write(_ state: StoredState, to root: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(state)
        try ExclusiveFile.replaceContents(of: root.appendingPathComponent("state.json").path, with: Array(data))
    }
}

/// Stable UUIDs for workspaces and repositories, so `{uuid}` paths work as on Bitbucket.
enum RepositoryIdentity {
    static func uuid(of name: String) -> String {
        "{" + uuidString(Array(SHA256.hash(data: Data(name.lowercased().utf8)))) + "}"
    }
}
