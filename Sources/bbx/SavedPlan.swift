import BBXPlan
import BitbucketModel
import Foundation

/// `bbx plan -o FILE`: a plan to apply later, with what it was made against. `bbx apply`
/// refuses it when the API differs or anything it touches changed since.
struct SavedPlan: Codable {
    var format = "bbx-plan"
    var version = 1
    /// The API the plan was made against.
    let url: String
    let script: String
    var planned = Date()
    let plan: Plan

    init(plan: Plan, url: String, script: String) {
        self.plan = plan
        self.url = url
        self.script = script
    }

    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try ScriptFiles.replaceContents(
                of: path, with: String(decoding: try encoder.encode(self), as: UTF8.self) + "\n")
        } catch {
            throw Unusable(description: "cannot write the plan to '\(path)': \(error)")
        }
    }

    static func read(_ path: String) throws -> SavedPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unusable(description: "cannot read '\(path)'")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        struct Header: Decodable {
            let format: String?
            let version: Int?
        }
        guard let header = try? decoder.decode(Header.self, from: data), header.format == "bbx-plan" else {
            throw Unusable(description: "'\(path)' is not a plan saved by 'bbx plan -o'")
        }
        guard header.version == 1 else {
            throw Unusable(
                description: "'\(path)' is a plan of version \(header.version ?? 0); this bbx reads version 1")
        }
        do {
            return try decoder.decode(SavedPlan.self, from: data)
        } catch {
            throw Unusable(description: "'\(path)' is damaged: \(error)")
        }
    }

    /// Everything that changed since the plan was made: remote artifacts it touches (listed now
    /// in `listings`), and local files it uploads. Empty when the plan still holds.
    func drift(listings: [String: [Artifact]], localSize: (String) -> Int64?) -> [String] {
        var changes: [String] = []
        for fingerprint in plan.fingerprints {
            let now = listings[fingerprint.repository]?.first { $0.name == fingerprint.name }
            switch (fingerprint.exists, now) {
            case (false, nil): break
            case (false, .some(let artifact)):
                changes.append(
                    "\(fingerprint.repository): \(artifact.name) was uploaded since (\(formatBytes(artifact.size)))")
            case (true, nil):
                changes.append("\(fingerprint.repository): \(fingerprint.name) was deleted since")
            case (true, .some(let artifact)):
                if artifact.size != fingerprint.size || artifact.created != fingerprint.created {
                    changes.append(
                        "\(fingerprint.repository): \(artifact.name) was replaced since (now \(formatBytes(artifact.size)), created \(formatTime(artifact.created)))"
                    )
                }
            }
        }
        for step in plan.steps where step.kind == .upload || step.kind == .replace {
            guard let path = step.localPath else { continue }
            let size = localSize(path)
            if size == nil {
                changes.append("\(path) is gone")
            } else if size != step.size {
                changes.append(
                    "\(path) changed size (\(formatBytes(step.size ?? 0)) planned, \(formatBytes(size!)) now)")
            }
        }
        return changes
    }
}
