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
            let file = store.blobs.appendingPathComponent(UUID().uuidString)
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

    /// `bbx serve --data d` on a folder that is not bbx's deleted `d/uploads` and every file of
    /// `d/blobs` (issue 33). Now it is refused, naming what it holds, and nothing is touched.
    @Test func aFolderThatIsNotBbxsIsRefusedAndLeftAsItWas() throws {
        let root = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let thesis = root.appendingPathComponent("uploads/sub/thesis.tex")
        let photo = root.appendingPathComponent("blobs/photo.jpg")
        for file in [thesis, photo] {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("precious".utf8).write(to: file)
        }
        let error = #expect(throws: DataFolder.Refused.self) {
            _ = try ArtifactStore(root: root, repositories: ["acme/app"], linkers: [])
        }
        #expect(error?.description.contains("is not a bbx data folder: it holds 'blobs', 'uploads'") == true)
        #expect(try String(contentsOf: thesis, encoding: .utf8) == "precious")
        #expect(try String(contentsOf: photo, encoding: .utf8) == "precious")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("state.sqlite").path))
    }

    /// Another program's `state.sqlite` is not bbx's: refused, and not changed by the look.
    @Test func anotherProgramsDatabaseIsRefusedUnchanged() async throws {
        let root = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("state.sqlite")
        let made = try await Tools.run([
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table notes (t text)'); c.commit()",
            file.path,
        ])
        #expect(made == 0)
        let before = try Data(contentsOf: file)
        let error = #expect(throws: DataFolder.Refused.self) {
            _ = try ArtifactStore(root: root, repositories: [], linkers: [])
        }
        #expect(error?.description.contains("is not a database bbx serve made (it has no storage key)") == true)
        #expect(try Data(contentsOf: file) == before)
    }

    /// A pre-SQLite data folder is said to be one, not read and not changed.
    @Test func anOldStateFileIsNotRead() throws {
        let root = try BBXProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("{}".utf8).write(to: root.appendingPathComponent("state.json"))
        let error = #expect(throws: DataFolder.Refused.self) {
            _ = try ArtifactStore(root: root, repositories: [], linkers: [])
        }
        #expect(error?.description.contains("an earlier bbx serve (state.json)") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["state.json"])
    }

    /// In bbx's own folder, the start-up clean-up removes only files of names bbx gives uploads:
    /// a file someone put among the blobs, and a folder there, stay.
    @Test func theCleanUpRemovesOnlyWhatBbxNamed() throws {
        try withStore { store, root in
            let orphan = store.blobs.appendingPathComponent(UUID().uuidString)
            let foreign = store.blobs.appendingPathComponent("photo.jpg")
            let folder = store.blobs.appendingPathComponent(UUID().uuidString + "-dir")
            try Data("half".utf8).write(to: orphan)
            try Data("p2".utf8).write(to: foreign)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            _ = try ArtifactStore(root: root, repositories: [], linkers: [])
            #expect(!FileManager.default.fileExists(atPath: orphan.path))
            #expect(try String(contentsOf: foreign, encoding: .utf8) == "p2")
            #expect(FileManager.default.fileExists(atPath: folder.path))
        }
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
