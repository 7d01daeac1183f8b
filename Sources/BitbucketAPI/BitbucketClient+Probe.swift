import AsyncHTTPClient
import BitbucketModel
import Foundation
import NIOCore
import NIOHTTP1

/// What `bbx doctor` asks: small requests that each answer one question about the setup.
extension BitbucketClient {
    /// A repository as one listing page of a single artifact shows it.
    public struct ListingProbe: Sendable {
        /// The newest artifact, if there is one (to try a download's redirect with).
        public let newest: String?
        /// What the credential may do there, from the answer's headers.
        public let grant: CredentialGrant?
        /// The API's clock (`Date`), to compare with this machine's.
        public let serverDate: Date?
    }

    public func probeListing(of repository: RepositoryName) async throws -> ListingProbe {
        let (page, headers) = try await getJSONAndHeaders(
            Page<ArtifactJSON>.self, url(repository.downloadsPath, query: "pagelen=1"), signing: .credential,
            what: "listing \(repository)'s downloads")
        return ListingProbe(
            newest: page.values.first?.artifact.name,
            grant: CredentialGrant(
                type: headers.first(name: "X-Credential-Type"), scopes: headers.first(name: "X-OAuth-Scopes")),
            serverDate: headers.first(name: "Date").flatMap(Self.httpDate))
    }

    /// Where a download of `name` is sent (the storage host), and how that host answers a
    /// request for its first byte, sent as downloads are: without credentials.
    public struct StorageProbe: Sendable {
        public let host: String
        public let status: Int
    }

    public func probeStorage(_ name: String, in repository: RepositoryName) async throws -> StorageProbe {
        let apiURL = url(repository.artifactPath(name))
        let first = try await send(.GET, apiURL, signing: .credential, headers: [("Accept", "*/*")])
        _ = try? await readBody(of: first, upTo: 64 * 1024, method: "GET", url: apiURL)
        guard Self.redirects.contains(first.status.code), let location = first.headers.first(name: "Location") else {
            guard first.status.code == 200 else { throw await statusFailure(first, method: .GET, url: apiURL) }
            return StorageProbe(host: "\(apiOrigin.host):\(apiOrigin.port)", status: 200)
        }
        let link = resolve(location, against: apiURL)
        if let problem = Self.linkProblem("a redirect", to: link, api: apiOrigin) {
            throw BitbucketError.unexpectedResponse(method: "GET", path: apiURL.pathAndQuery.path, reason: problem)
        }
        let answer = try await send(.GET, link, signing: .none, headers: [("Accept", "*/*"), ("Range", "bytes=0-0")])
        _ = try? await readBody(of: answer, upTo: 64 * 1024, method: "GET", url: link)
        return StorageProbe(
            host: Origin(link).map { "\($0.host):\($0.port)" } ?? "the storage host", status: Int(answer.status.code))
    }

    /// An HTTP date (`Tue, 01 Dec 2026 03:05:31 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
