import BBXTestSupport
import Foundation
import Testing

@testable import BitbucketEmulator

/// The emulator's SQLite store: what a listing page, a replace and a restart see.
@Suite("Emulator: the store")
struct StoreTests {
    func withStore(_ body: (ArtifactStore, URL) throws -> Void) throws {
        let root = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try body(try ArtifactStore(root: root, repositories: ["acme/app"], linkers: []), root)
    }

    func upload(_ store: ArtifactStore, _ root: URL, _ names: [String], at date: Date) throws -> [StoredArtifact] {
        let uploads = try names.map { name in
            let file = store.uploads.appendingPathComponent(UUID().uuidString)
            try Data(name.utf8).write(to: file)
            return ArtifactStore.Upload(name: name, file: file, size: Int64(name.utf8.count))
        }
        return try store.commit(uploads, in: "acme/app", by: .named("test"), createdOn: date)
    }

    @Test func pagesAreNewestFirstWithTiesByName() throws {
        try withStore { store, root in
            let base = Date(timeIntervalSince1970: 1_790_000_000.123456)
            for index in 0..<250 {
                _ = try upload(
                    store, root, ["b-\(index)", "a-\(index)"], at: base.addingTimeInterval(Double(index) * 0.000001))
            }
            let first = try store.page(in: "acme/app", offset: 0, limit: 4)
            #expect(first.total == 500)
            #expect(first.artifacts.map(\.name) == ["a-249", "b-249", "a-248", "b-248"])
            let last = try store.page(in: "acme/app", offset: 498, limit: 100)
            #expect(last.artifacts.map(\.name) == ["a-0", "b-0"])
            #expect(try store.page(in: "acme/app", offset: 600, limit: 10).artifacts.isEmpty)
        }
    }

    @Test func aReplaceKeepsOneRowAndRemovesTheOldBytes() throws {
        try withStore { store, root in
            let old = try upload(store, root, ["app.zip"], at: Date())
            _ = try upload(store, root, ["app.zip", "app.zip"], at: Date())
            #expect(try store.page(in: "acme/app", offset: 0, limit: 10).total == 1)
            #expect(store.blobURL(old[0].blob) == nil)
            let blobs = try FileManager.default.contentsOfDirectory(atPath: store.blobs.path)
            #expect(blobs.count == 1)
            #expect(try store.delete("app.zip", in: "acme/app"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.blobs.path).isEmpty)
            #expect(try !store.delete("app.zip", in: "acme/app"))
        }
    }

    /// An upload cut by a crash left its file among the blobs: the next start removes it, and
    /// keeps every artifact's.
    @Test func aCrashedUploadsFileGoesAtTheNextStart() throws {
        try withStore { store, root in
            let kept = try upload(store, root, ["kept.zip"], at: Date())
            try Data("half".utf8).write(to: store.blobs.appendingPathComponent(UUID().uuidString))
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.blobs.path).count == 2)
            let again = try ArtifactStore(root: root, repositories: [], linkers: [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: again.blobs.path) == [kept[0].blob])
        }
    }

    /// A data folder from before SQLite: its state.json is imported once, then set aside.
    @Test func anOldStateFileIsImported() throws {
        let root = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try Data("hello".utf8).write(to: root.appendingPathComponent("blobs/B1"))
        var old = StoredState()
        old.artifacts["acme/old"] = [
            StoredArtifact(
                name: "old.zip", size: 5, createdOn: "2026-01-02T03:04:05.123456+00:00", downloads: 7,
                uploader: .named("someone"), blob: "B1")
        ]
        old.linkers["jira"] = Linker.declared("jira")
        old.storageKey = "kept-storage-key"
        try JSONEncoder().encode(old).write(to: root.appendingPathComponent("state.json"))

        let store = try ArtifactStore(root: root, repositories: [], linkers: [])
        #expect(try store.repository(workspace: "acme", slug: "old") == "acme/old")
        let page = try store.page(in: "acme/old", offset: 0, limit: 10)
        #expect(page.artifacts.map(\.name) == ["old.zip"])
        #expect(page.artifacts.first?.downloads == 7)
        #expect(page.artifacts.first?.createdOn == "2026-01-02T03:04:05.123456+00:00")
        #expect(store.storageKey == "kept-storage-key")
        #expect(try store.linkers().map(\.key) == ["jira"])
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("state.json").path))
        // A second start reads the database, not the file.
        let again = try ArtifactStore(root: root, repositories: [], linkers: [])
        #expect(try again.page(in: "acme/old", offset: 0, limit: 10).total == 1)
    }
}

/// The listing's hand-written JSON reads back as what was stored, for any name.
@Suite("Emulator: JSON text")
struct JSONTextTests {
    @Test(arguments: [
        "plain.zip", "quote\"and\\backslash", "new\nline\ttab\r", "\u{01}\u{1f}\u{7f}", "é 漢字 🚀", "\u{2028}\u{2029}",
        "a/b%20#?&=", "",
    ])
    func stringsRoundTrip(_ text: String) throws {
        let object = JSONText.Value.object([("name", .string(text)), ("size", .integer(-5)), ("list", .array([]))])
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(object.text.utf8)) as? [String: Any])
        #expect(parsed["name"] as? String == text)
        #expect(parsed["size"] as? Int == -5)
        #expect(object.text.hasPrefix("{\"list\":[],\"name\":"))
    }
}
