import BBXEvaluate
import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation
import SafeFiles
import SafeText

/// `bbx plan -o FILE`: a plan to apply later, with what it was made against. `bbx apply`
/// refuses it when the API differs or anything it touches changed since.
struct SavedPlan: Codable {
    var format = "bbx-plan"
    var version = 1
    /// The API the plan was made against.
    let url: String
    let script: String
    var planned = Date()
    /// The directory the plan was made in: its local paths are relative to it.
    var directory: String?
    let plan: Plan
    /// What `print` and `list` showed after changes: written once those are applied.
    var outputs: [Output]?

    struct Output: Codable {
        let text: String
        /// How many steps stand before it; it is written only if they all succeed.
        let afterSteps: Int
    }

    init(plan: Plan, url: String, script: String, directory: String, outputs: [Output]) {
        self.plan = plan
        self.url = url
        self.script = script
        self.directory = directory
        self.outputs = outputs
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
        let data: Data
        do {
            // A plan of 10,000 steps is a few MiB.
            data = Data(try WholeFile.read(path, limit: 256 << 20))
        } catch {
            throw Unusable(description: "cannot read '\(path)': \(error)")
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
        let saved: SavedPlan
        do {
            saved = try decoder.decode(SavedPlan.self, from: data)
        } catch {
            throw Unusable(description: "'\(path)' is damaged: \(Self.describe(error))")
        }
        if let problem = saved.validationProblem() {
            throw Unusable(description: "'\(path)' is not a plan bbx would make: \(problem)")
        }
        return saved
    }

    /// Where a decoding error is, as a field path (`plan.steps[2].kind`).
    static func describe(_ error: any Error) -> String {
        (error as? DecodingError)?.fieldDescription ?? "\(error)"
    }

    /// A plan file is input from disk: every field is checked by the rules a script's plan
    /// obeys, so a hand-edited or hostile file cannot make bbx write where no script could.
    /// The first problem, naming its field; nil when the plan holds.
    func validationProblem() -> String? {
        if URL(string: url)?.scheme.map({ $0 == "https" || $0 == "http" }) != true {
            return "url: '\(url)' is not an http(s) URL"
        }
        if let directory, !directory.hasPrefix("/") || directory.contains("\u{0}") {
            return "directory: '\(directory)' is not an absolute path"
        }
        for (index, step) in plan.steps.enumerated() {
            let field = "plan.steps[\(index)]"
            // Reading the plan built each step's action, so what a kind needs is there (a
            // repository, checked as it was read; a Connect call); what remains is its values.
            if let size = step.size, size < 0 { return "\(field).size is negative" }
            // The name first (of every step that sends, deletes or reads one by it), then the path.
            var path: (text: String, written: Bool)?
            switch step.action {
            case .upload(let file), .replace(let file): path = (file.localPath, false)
            case .download(let download): path = (download.localPath, true)
            case .delete, .checksums: break
            case .skip, .connect, .verify: continue
            }
            if let problem = FileNameRule.problem(with: step.name) {
                return "\(field).name: '\(step.name)' cannot be an artifact's name: \(problem)"
            }
            guard let path else { continue }
            if let problem = Self.pathProblem(path.text) { return "\(field).localPath \(problem)" }
            if path.written, let problem = FileNameRule.problem(with: (path.text as NSString).lastPathComponent) {
                return "\(field).localPath: '\(path.text)' cannot be written: \(problem)"
            }
        }
        if let outputs, let bad = outputs.firstIndex(where: { $0.afterSteps < 0 || $0.afterSteps > plan.steps.count }) {
            return "outputs[\(bad)].afterSteps is out of range"
        }
        return nil
    }

    static func pathProblem(_ path: String) -> String? {
        path.isEmpty || path.contains("\u{0}") ? "is missing or not a path" : nil
    }

    /// Everything that changed since the plan was made: remote artifacts it touches (listed now
    /// in `listings`), local files it uploads (size and modification time, measured by
    /// `measure`), and local files a download must not overwrite. Empty when the plan holds.
    func drift(
        listings: [RepositoryName: [Artifact]], measure: (String) -> LocalFile?, exists: (String) -> Bool
    ) -> [String] {
        var changes: [String] = []
        for fingerprint in plan.fingerprints {
            let now = listings[fingerprint.repository]?.first { $0.name.isExactly(fingerprint.name) }
            let name = fingerprint.name.terminalSafe
            switch (fingerprint.exists, now) {
            case (false, nil): break
            case (false, .some(let artifact)):
                changes.append("\(fingerprint.repository): \(name) was uploaded since (\(formatBytes(artifact.size)))")
            case (true, nil):
                changes.append("\(fingerprint.repository): \(name) was deleted since")
            case (true, .some(let artifact)):
                if !fingerprint.stillMatches(artifact) {
                    changes.append(
                        "\(fingerprint.repository): \(name) was replaced since (now \(formatBytes(artifact.size)), created \(artifact.createdOn ?? formatTime(artifact.created)))"
                    )
                }
            }
        }
        for step in plan.steps {
            switch step.action {
            // An upload, or a skip that `on conflict update` decided on the file's hash.
            case .upload(let upload), .replace(let upload), .skip(.unchanged(let upload, _)):
                let shown = upload.localPath.terminalSafe
                guard let file = measure(upload.localPath) else {
                    changes.append("\(shown) is gone")
                    continue
                }
                if file.size != upload.size {
                    changes.append(
                        "\(shown) changed size (\(formatBytes(upload.size ?? 0)) planned, \(formatBytes(file.size)) now)"
                    )
                } else if let planned = upload.localModified, file.modified != planned {
                    changes.append("\(shown) was modified since (same size, another modification time)")
                }
            case .download(let download) where (download.localConflict ?? .fail) == .fail:
                if exists(download.localPath) {
                    changes.append("\(download.localPath.terminalSafe) exists now; the download would not overwrite it")
                }
            case .download, .delete, .skip, .connect, .verify, .checksums:
                break
            }
        }
        return changes
    }
}
