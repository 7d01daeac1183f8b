import BitbucketModel
import Foundation

/// A Connect app call that changes something, as a plan step carries it.
public enum ConnectCall: Hashable, Sendable, Codable {
    /// `addon update`: reload the registered descriptor (`PUT /2.0/addon` with `{}`).
    case updateRegistered
    /// `addon update descriptor FILE`: the file's JSON, read while planning.
    case updateDescriptor(file: String, json: String)
    /// `addon update url URL`
    case updateURL(String)
    case deleteApp
    case addValue(linker: String, value: String)
    case setValues(linker: String, values: [String])
    case removeValue(linker: String, id: Int)
    case clearValues(linker: String)

    /// The request as a plan shows it: `PUT /2.0/addon`.
    public var request: String {
        switch self {
        case .updateRegistered, .updateDescriptor, .updateURL: "PUT /2.0/addon"
        case .deleteApp: "DELETE /2.0/addon"
        case .addValue(let linker, _): "POST /2.0/addon/linkers/\(linker)/values"
        case .setValues(let linker, _): "PUT /2.0/addon/linkers/\(linker)/values"
        case .removeValue(let linker, let id): "DELETE /2.0/addon/linkers/\(linker)/values/\(id)"
        case .clearValues(let linker): "DELETE /2.0/addon/linkers/\(linker)/values"
        }
    }

    /// What the call does, in the words of the statement: `set jira-issues to PROJ, OPS`.
    public var summary: String {
        switch self {
        case .updateRegistered: "reload the registered descriptor"
        case .updateDescriptor(let file, _): "send the descriptor \(file)"
        case .updateURL(let url): "register the descriptor at \(url)"
        case .deleteApp: "uninstall the app"
        case .addValue(let linker, let value): "add \(value) to linker \(linker)"
        case .setValues(let linker, let values): "set linker \(linker) to [\(values.joined(separator: ", "))]"
        case .removeValue(let linker, let id): "remove value \(id) of linker \(linker)"
        case .clearValues(let linker): "clear linker \(linker)"
        }
    }
}

/// What a remote artifact looked like when the plan was made (nil size: it was not there).
/// `bbx apply` compares these with the repository before changing anything.
public struct Fingerprint: Hashable, Sendable, Codable {
    public let repository: RepositoryName
    public let name: String
    public let size: Int64?
    /// The artifact's `stamp`: `created_on` exactly as listed.
    public let created: String?

    public init(repository: RepositoryName, name: String, artifact: Artifact?) {
        self.repository = repository
        self.name = name
        self.size = artifact?.size
        self.created = artifact?.stamp
    }

    /// Whether `artifact` (listed now) is still the version this fingerprint saw.
    public func stillMatches(_ artifact: Artifact?) -> Bool {
        guard let artifact else { return !exists }
        return exists && artifact.size == size && artifact.stamp == created
    }

    public var exists: Bool { size != nil }
}
