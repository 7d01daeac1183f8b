import BBXRepl
import Foundation
import Testing

@Suite("History file")
struct HistoryFileTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: [
        (["BBX_HISTORY": "/x/h", "XDG_STATE_HOME": "/s", "HOME": "/home/u"], "/x/h"),
        (["XDG_STATE_HOME": "/s", "HOME": "/home/u"], "/s/bbx/history"),
        (["BBX_HISTORY": "", "XDG_STATE_HOME": "", "HOME": "/home/u"], "/home/u/.local/state/bbx/history"),
    ])
    func location(_ environment: [String: String], _ path: String) {
        #expect(HistoryFile.defaultPath(environment: environment) == path)
    }

    @Test func entriesSurviveWithNewlinesAndBackslashesAndDirectoriesAreCreated() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = HistoryFile(path: root.appendingPathComponent("state/bbx/history").path)
        let entries = ["use acme/app", "if true {\n    print \"a\\\\b\"\n}", #"print "tab\tand \n""#]
        for entry in entries { try history.append(entry) }
        #expect(history.load() == entries)
        let text = try String(contentsOfFile: history.path, encoding: .utf8)
        #expect(text.hasPrefix(HistoryFile.header + "\n"))
        #expect(text.split(separator: "\n").count == 4)
    }

    @Test func boundedToTheNewestEntriesKeepingTheHeader() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = HistoryFile(path: root.appendingPathComponent("history").path, limit: 5)
        for n in 1...12 { try history.append("print \(n)") }
        #expect(history.load() == (8...12).map { "print \($0)" })
        #expect(try String(contentsOfFile: history.path, encoding: .utf8).hasPrefix(HistoryFile.header))
    }

    /// Two sessions writing at once (each with its own file descriptor and lock) lose nothing,
    /// and the file is never seen half-written or empty.
    @Test func twoSessionsAtOnceLoseNothing() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("history").path
        try HistoryFile(path: path).append("first")
        await withTaskGroup(of: Void.self) { group in
            for session in ["a", "b"] {
                group.addTask {
                    let history = HistoryFile(path: path)
                    for n in 1...40 { try? history.append("\(session) \(n)") }
                }
            }
            group.addTask {
                for _ in 1...200 {
                    let entries = HistoryFile(path: path).load()
                    #expect(entries.first == "first")
                }
            }
        }
        let entries = HistoryFile(path: path).load()
        #expect(entries.count == 81)
        #expect(entries.filter { $0.hasPrefix("a ") } == (1...40).map { "a \($0)" })
        #expect(entries.filter { $0.hasPrefix("b ") } == (1...40).map { "b \($0)" })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    /// `BBX_HISTORY=/dev/null`, as with HISTFILE, means no history: the file there (here a
    /// named pipe, directly or through a link) is neither replaced nor waited on.
    @Test(arguments: [false, true])
    func aPathThatIsNoRegularFileKeepsNoHistory(throughALink: Bool) throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let pipe = root.appendingPathComponent("pipe").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let path = throughALink ? root.appendingPathComponent("history").path : pipe
        if throughALink { try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: pipe) }
        let history = HistoryFile(path: path)
        try history.append("print 1")
        #expect(history.load().isEmpty)
        var info = stat()
        #expect(stat(pipe, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(
            Set(try FileManager.default.contentsOfDirectory(atPath: root.path))
                == Set(["pipe", "history"].prefix(throughALink ? 2 : 1)))
    }

    /// A history file linked from elsewhere (a dotfile manager) is updated where it is, and the
    /// link stays a link.
    @Test func aLinkedHistoryIsWrittenWhereItPoints() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let real = root.appendingPathComponent("dotfiles-history").path
        let link = root.appendingPathComponent("history").path
        try HistoryFile(path: real).append("print 1")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try HistoryFile(path: link).append("print 2")
        #expect(HistoryFile(path: real).load() == ["print 1", "print 2"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
    }
}
