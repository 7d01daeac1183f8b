import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/_emulator/…`: the request log, fault injection and seeding, for tests. No credentials.
struct AdminRoutes {
    let state: EmulatorState

    func respond(_ request: Request, path: String) async throws -> Response {
        if let token = state.configuration.adminToken, request.headers[.authorization] != "Bearer \(token)" {
            return Reply.error(
                .unauthorized, "The admin endpoints need 'Authorization: Bearer ADMIN_TOKEN' (bbx serve --admin-token)")
        }
        switch (request.method, path) {
        case (.get, "/_emulator/requests"):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(await state.log.entries)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case (.delete, "/_emulator/requests"):
            await state.log.clear()
            return Response(status: .noContent)
        case (.post, "/_emulator/faults"):
            guard let body = try await Self.body(of: request, upTo: 64 * 1024) else { return Self.tooLarge(64 * 1024) }
            do {
                let fault = try JSONDecoder().decode(Fault.self, from: Data(body.readableBytesView))
                try fault.validate()
                await state.faults.add(fault)
                return Reply.json([:], status: .created)
            } catch {
                return Reply.error(.badRequest, "Invalid fault: \(error)")
            }
        case (.delete, "/_emulator/faults"):
            await state.faults.removeAll()
            return Response(status: .noContent)
        case (.delete, "/_emulator/rate-limits"):
            state.rateLimiter?.reset()
            return Response(status: .noContent)
        case (.post, "/_emulator/artifacts"):
            return try await seed(request)
        default:
            return Reply.error(.notFound, "No admin endpoint \(request.method.rawValue) \(path)")
        }
    }

    /// The whole body, or nil when it is longer than `limit`.
    static func body(of request: Request, upTo limit: Int) async throws -> ByteBuffer? {
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            return nil
        }
    }

    static func freeSpace(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    static func tooLarge(_ limit: Int) -> Response {
        Reply.error(.contentTooLarge, "The admin request body is larger than \(limit) bytes")
    }

    struct Seed: Decodable {
        let repo: String
        let name: String
        let size: Int64
        let created_on: String?
        /// How long ago it was created (`45d`, `12h`, `90m`, `30s`, `2w`), instead of `created_on`.
        let age: String?
    }

    /// `45d` → seconds; nil when it is not a number and one unit of s, m, h, d, w.
    static func seconds(of age: String) -> Int? {
        guard let unit = age.last, let count = Int(age.dropLast()), count >= 0 else { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let scale = units[unit] else { return nil }
        let (total, overflow) = count.multipliedReportingOverflow(by: scale)
        return overflow || total > 10_000 * 365 * 86_400 ? nil : total
    }

    /// An artifact with generated content (the same for the same name) and a chosen `created_on`;
    /// or, for a JSON array of such objects, each of them (tests seed hundreds at once).
    func seed(_ request: Request) async throws -> Response {
        // Room for a name of several MiB: tests seed hostile names.
        let limit = 8 << 20
        guard let body = try await Self.body(of: request, upTo: limit) else { return Self.tooLarge(limit) }
        let data = Data(body.readableBytesView)
        let expected = Self.expected
        if let seeds = try? JSONDecoder().decode([Seed].self, from: data) {
            for seed in seeds {
                if case .failure(let status, let message) = try await store(seed) {
                    return Reply.error(status, message)
                }
            }
            return Reply.json(["seeded": seeds.count], status: .created)
        }
        guard let seed = try? JSONDecoder().decode(Seed.self, from: data) else {
            return Reply.error(.badRequest, expected)
        }
        switch try await store(seed) {
        case .failure(let status, let message): return Reply.error(status, message)
        case .success(let artifact):
            return Reply.json(
                ["name": artifact.name, "size": artifact.size, "created_on": artifact.createdOn], status: .created)
        }
    }

    static let expected =
        "Expected {\"repo\", \"name\", \"size\", \"created_on\" or \"age\"} or an array of them"

    /// A seed given at start (`--sandbox-seed`): the JSON array the admin endpoint takes. Throws
    /// the emulator's refusal in words.
    func seedAtStart(_ data: Data) async throws {
        guard let seeds = try? JSONDecoder().decode([Seed].self, from: data) else {
            throw SeedRefused(description: Self.expected)
        }
        for seed in seeds {
            if case .failure(_, let message) = try await store(seed) {
                throw SeedRefused(description: "\(seed.repo) \(seed.name): \(message)")
            }
        }
    }

    enum Stored {
        case success(StoredArtifact)
        case failure(HTTPResponse.Status, String)
    }

    func store(_ seed: Seed) async throws -> Stored {
        guard seed.size >= 0, !seed.name.isEmpty else {
            return .failure(.badRequest, "A seed needs a name and a size of 0 or more")
        }
        let parts = seed.repo.split(separator: "/").map(String.init)
        guard parts.count == 2,
            let repository = try state.store.repository(workspace: parts[0], slug: parts[1])
        else {
            return .failure(.notFound, "Unknown repository \(seed.repo): declare it with --repo")
        }
        var created = Date()
        if let age = seed.age {
            guard seed.created_on == nil, let seconds = Self.seconds(of: age) else {
                return .failure(
                    .badRequest,
                    "Invalid age '\(age)': give a number and one unit of s, m, h, d, w (45d), or created_on, not both"
                )
            }
            created = Date().addingTimeInterval(-Double(seconds))
        } else if let text = seed.created_on {
            // Years outside 1…9999 cannot be written back as ISO 8601 that clients read.
            guard let date = BitbucketTime.parse(text), BitbucketTime.isWritable(date) else {
                return .failure(
                    .badRequest, "Invalid created_on: expected ISO 8601 with an offset, in the years 1 to 9999")
            }
            created = date
        }
        let maximum = state.configuration.maximumSeedSize
        guard seed.size <= maximum else {
            return .failure(.contentTooLarge, "A seed is at most \(maximum) bytes; \(seed.name) asks for \(seed.size)")
        }
        if let free = Self.freeSpace(at: state.store.blobs.path), seed.size > free - (64 << 20) {
            return .failure(.contentTooLarge, "A seed of \(seed.size) bytes would fill the disk (\(free) bytes free)")
        }
        let file = state.store.blobs.appendingPathComponent(UUID().uuidString)
        do {
            try SeedContent.write(name: seed.name, size: seed.size, to: file) { state.isStopping }
        } catch {
            try? FileManager.default.removeItem(at: file)
            if state.isStopping {
                return .failure(.serviceUnavailable, "The server is shutting down; the seed was discarded.")
            }
            throw error
        }
        let artifacts: [StoredArtifact]
        do {
            artifacts = try state.store.commit(
                [.init(name: seed.name, file: file, size: seed.size)], in: repository, by: .named("Seeded"),
                createdOn: created)
        } catch {
            unlink(file.path)
            throw error
        }
        return .success(artifacts[0])
    }
}

/// A seed given at start that the emulator refused, in its words.
public struct SeedRefused: Error, CustomStringConvertible {
    public let description: String
}

/// Deterministic bytes for a seeded artifact: a generator seeded from the name's hash.
public enum SeedContent {
    public static func write(name: String, size: Int64, to file: URL, stop: () -> Bool = { false }) throws {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var generator = generator(for: name)
        var remaining = size
        let chunk = 1 << 20
        var bytes = [UInt8](repeating: 0, count: chunk)
        while remaining > 0 {
            if stop() { throw CancellationError() }
            let count = Int(min(Int64(chunk), remaining))
            bytes.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for i in 0..<(count + 7) / 8 where i < words.count { words[i] = generator.next() }
            }
            try handle.write(contentsOf: bytes[0..<count])
            remaining -= Int64(count)
        }
    }

    /// The content itself, for tests that compare downloads with what was seeded.
    public static func bytes(name: String, size: Int) -> [UInt8] {
        var generator = generator(for: name)
        var out: [UInt8] = []
        out.reserveCapacity(size)
        while out.count < size {
            var word = generator.next()
            for _ in 0..<8 where out.count < size {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return out
    }

    static func generator(for name: String) -> SplitMix64 {
        let digest = Array(SHA256.hash(data: Data(name.utf8)))
        let seed = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return SplitMix64(state: seed)
    }
}

/// A small, fast, seedable generator: seeded content here, and reproducible inputs in tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(state: UInt64) { self.state = state }
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
