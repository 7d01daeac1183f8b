import Foundation

/// The seedable generator the emulator uses, for tests that must replay a failing input.
@_exported import struct BitbucketEmulator.SplitMix64

/// Places in the repository the tests read from.
public enum Paths {
    /// The package's root folder (this file is Sources/BBXTestSupport/Paths.swift).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let examples = root.appendingPathComponent("examples")
    public static let grammar = root.appendingPathComponent("grammar")

    /// Files in a folder with an extension, sorted by name.
    public static func files(in folder: URL, withExtension ext: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted().map { folder.appendingPathComponent($0) }
    }
}
