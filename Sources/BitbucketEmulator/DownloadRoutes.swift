import ConnectJWT
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1

/// `/2.0/repositories/{workspace}/{repo_slug}/downloads[/{name}]`.
struct DownloadRoutes {
    let state: EmulatorState

    static let repositoryNotFound =
        "The requested repository either does not exist or you do not have access. If you believe this repository exists and you have access, make sure you're authenticated."

    func respond(_ exchange: Exchange, workspace rawWorkspace: String, slug rawSlug: String, encodedName: String?) async
        -> Response
    {
        let caller: Caller
        switch state.authenticator.authenticate(
            exchange.request.headers, anonymous: Reply.error(.notFound, Self.repositoryNotFound))
        {
        case .success(let accepted): caller = accepted
        case .failure(let response): return response
        }
        let method = exchange.request.method
        let needs: Scopes = method == .get || method == .head ? .read : .write
        var response = await answer(exchange, caller, needs, workspace: rawWorkspace, slug: rawSlug, encodedName)
        // What Bitbucket tells every authenticated caller: its kind of credential, the scopes it
        // holds and those the endpoint accepts, each in that credential's words.
        response.headers[.credentialType] = caller.credentialType
        response.headers[.oauthScopes] = caller.scopeNames(caller.scopes).joined(separator: ", ")
        response.headers[.acceptedOAuthScopes] = caller.scopeNames(needs).joined(separator: ", ")
        return response
    }

    /// The answer to a caller already authenticated (the headers about its scopes are added by
    /// `respond`).
    func answer(
        _ exchange: Exchange, _ caller: Caller, _ needs: Scopes, workspace rawWorkspace: String, slug rawSlug: String,
        _ encodedName: String?
    ) async -> Response {
        let workspace = rawWorkspace.removingPercentEncoding ?? rawWorkspace
        let slug = rawSlug.removingPercentEncoding ?? rawSlug
        let found: String?
        do {
            found = try state.store.repository(workspace: workspace, slug: slug)
        } catch {
            state.logger.error("reading the repositories failed: \(error)")
            return Reply.error(.internalServerError, "Something went wrong")
        }
        guard let repository = found else {
            return Reply.error(.notFound, Self.repositoryNotFound)
        }
        let method = exchange.request.method
        if !caller.scopes.isSuperset(of: needs) {
            return Authenticator.missingScope(caller, needs: needs)
        }
        let workspaceKey = String(repository.split(separator: "/")[0])
        if state.configuration.freePlanWorkspaces.contains(where: { $0.lowercased() == workspaceKey }) {
            return Reply.error(
                .init(code: 402),
                "This workspace is on the free plan, which does not include this feature. Upgrade the workspace's plan to use Downloads."
            )
        }
        do {
            switch (method, encodedName) {
            case (.get, nil): return try await list(exchange, repository)
            case (.post, nil): return try await upload(exchange, repository, caller)
            case (.get, let encoded?): return try await redirect(exchange, repository, encoded)
            case (.delete, let encoded?): return try await delete(exchange, repository, encoded)
            default: return Reply.error(.methodNotAllowed, "Method not allowed")
            }
        } catch {
            // Most often the client went away mid-upload; nothing was stored.
            state.logger.notice("\(exchange.method) \(exchange.path) abandoned: \(error)")
            return Reply.error(.internalServerError, "Something went wrong")
        }
    }

    // MARK: - List

    /// A page of artifacts, newest first, with real `next` and `previous` links.
    func list(_ exchange: Exchange, _ repository: String) async throws -> Response {
        let page: Int
        let pagelen: Int
        switch exchange.pagination() {
        case .success(let asked): (page, pagelen) = asked
        case .failure(let refusal): return refusal.response
        }
        // A page far beyond the end (page × pagelen overflowing) is simply empty.
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: pagelen)
        let (total, values) = try state.store.page(
            in: repository, offset: overflow ? Int(Int32.max) : offset, limit: pagelen)
        let collection = await apiBase(exchange) + Self.withoutTrailingSlash(exchange.path)
        return exchange.page(
            values.map { json($0, repository: repository, base: collection) }, total: total, page: page,
            pagelen: pagelen, linkBase: await apiBase(exchange) + exchange.path)
    }

    func json(_ artifact: StoredArtifact, repository: String, base: String) -> JSONText.Value {
        .object([
            ("type", .string("download")),
            ("name", .string(artifact.name)),
            ("size", .integer(artifact.size)),
            ("created_on", .string(artifact.createdOn)),
            ("downloads", .integer(Int64(artifact.downloads))),
            (
                "user",
                .object([
                    ("type", .string("user")),
                    ("display_name", .string(artifact.uploader.displayName)),
                    ("uuid", .string(artifact.uploader.uuid)),
                    ("account_id", .string(artifact.uploader.accountID)),
                    (
                        "links",
                        .object([
                            (
                                "avatar",
                                .object([
                                    (
                                        "href",
                                        .string(
                                            "https://avatar-management.example.com/\(artifact.uploader.accountID)/128")
                                    )
                                ])
                            )
                        ])
                    ),
                ])
            ),
            (
                "links",
                .object([("self", .object([("href", .string(base + "/" + percentEncodeSegment(artifact.name)))]))])
            ),
        ])
    }

    func apiBase(_ exchange: Exchange) async -> String {
        let listening = await state.listeners.api ?? "http://\(state.configuration.host):\(state.configuration.port)"
        return state.advertised(listening, for: exchange.request)
    }

    /// `…/downloads/` names the collection too; its artifacts' links have one slash.
    static func withoutTrailingSlash(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    // MARK: - Upload

    /// Streams every `files` part to its own temporary file, then makes them all visible at once.
    /// A body that fails or ends early leaves nothing behind and changes nothing.
    func upload(_ exchange: Exchange, _ repository: String, _ caller: Caller) async throws -> Response {
        guard let contentType = exchange.request.headers[.contentType],
            let boundary = MultipartParser.boundary(fromContentType: contentType)
        else {
            return Reply.error(.notAcceptable, "The request body must be multipart/form-data.")
        }
        var receiver = UploadReceiver(
            directory: state.store.blobs, underscoreSpaces: state.configuration.underscoreSpaces)
        defer { receiver.discard() }
        var parser = MultipartParser(boundary: boundary)
        do {
            for try await buffer in exchange.request.body {
                if state.isStopping {
                    return Reply.error(.serviceUnavailable, "The server is shutting down; the upload was discarded.")
                }
                try buffer.withUnsafeReadableBytes { bytes in
                    try parser.feed(bytes) { event in try receiver.handle(event) }
                }
            }
            try parser.finish()
        } catch let failure as MultipartParser.Failure {
            return Reply.error(.badRequest, "Malformed multipart body: \(failure)")
        } catch let refused as UploadReceiver.InvalidName {
            return Reply.error(.badRequest, refused.description)
        } catch let error as HTTPParserError {
            // A body the HTTP parser could not read (a chunk size past 64 bits, say) is the
            // client's mistake: 400, as Bitbucket's front end answers, not a server error.
            return Reply.error(.badRequest, "Malformed request body: \(error)")
        }
        if state.isStopping {
            return Reply.error(.serviceUnavailable, "The server is shutting down; the upload was discarded.")
        }
        guard !receiver.completed.isEmpty else {
            return Reply.error(
                .badRequest, "No file was uploaded: send one or more parts named 'files'.")
        }
        let created = try state.store.commit(receiver.completed, in: repository, by: caller.uploader)
        receiver.completed.removeAll()
        let base = await apiBase(exchange) + Self.withoutTrailingSlash(exchange.path)
        let page = JSONText.Value.object([
            ("type", .string("page")), ("values", .array(created.map { json($0, repository: repository, base: base) })),
        ])
        return Reply.json(text: page.text, status: .created)
    }

    // MARK: - Download and delete

    /// 302 to the storage listener, signed and expiring like Bitbucket's links to S3.
    func redirect(_ exchange: Exchange, _ repository: String, _ encodedName: String) async throws -> Response {
        guard let name = encodedName.removingPercentEncoding,
            let artifact = try state.store.recordDownload(name, in: repository)
        else {
            return Reply.error(.notFound, "The specified download does not exist.")
        }
        guard let listening = await state.listeners.storage else {
            return Reply.error(.serviceUnavailable, "Storage is not ready")
        }
        let storage = state.advertised(listening, for: exchange.request)
        let expires = Int(Date().timeIntervalSince1970 + state.configuration.storageLinkLifetime)
        let link = StorageLink(
            repositoryUUID: String(RepositoryIdentity.uuid(of: repository).dropFirst().dropLast()),
            blob: artifact.blob, name: artifact.name, expires: expires)
        let location = storage + link.signed(key: state.store.storageKey)
        return Reply.empty(.found, headers: [.location: location])
    }

    func delete(_ exchange: Exchange, _ repository: String, _ encodedName: String) async throws -> Response {
        guard let name = encodedName.removingPercentEncoding, try state.store.delete(name, in: repository) else {
            return Reply.error(.notFound, "The specified download does not exist.")
        }
        return Reply.empty(.noContent)
    }
}

/// Receives the parser's events: one temporary file per `files` part.
struct UploadReceiver {
    let directory: URL
    let underscoreSpaces: Bool
    var completed: [ArtifactStore.Upload] = []
    private var current: (name: String, file: URL, descriptor: Int32, size: Int64)?
    private var skipping = false

    init(directory: URL, underscoreSpaces: Bool) {
        self.directory = directory
        self.underscoreSpaces = underscoreSpaces
    }

    mutating func handle(_ event: MultipartParser.Event) throws {
        switch event {
        case .begin(let headers):
            let (field, filename) = MultipartParser.disposition(headers["content-disposition"] ?? "")
            guard field == "files", var name = filename else {
                skipping = true
                return
            }
            // A name that cannot be a file's is refused, as Bitbucket-like servers do (a
            // client that stores by name would write `..` as the parent folder).
            if name.isEmpty || name == "." || name == ".." || name.contains("/") {
                throw InvalidName(name: name)
            }
            if underscoreSpaces { name = name.replacingOccurrences(of: " ", with: "_") }
            let file = directory.appendingPathComponent(UUID().uuidString)
            let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
            current = (name, file, descriptor, 0)
            skipping = false
        case .data(let bytes):
            guard !skipping, var part = current else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(part.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CocoaError(.fileWriteUnknown)
                }
                offset += written
            }
            part.size += Int64(bytes.count)
            current = part
        case .end:
            if let part = current {
                close(part.descriptor)
                completed.append(.init(name: part.name, file: part.file, size: part.size))
            }
            current = nil
            skipping = false
        }
    }

    /// A `files` part whose name cannot be a file's: empty, `.`, `..`, or holding `/`.
    struct InvalidName: Error, CustomStringConvertible {
        let name: String
        var description: String {
            let shown = name.isEmpty ? "an empty name" : "'\(name)'"
            return "Invalid file name: \(shown) cannot be a download's name (no '.', '..', '/' or empty name)."
        }
    }

    /// Removes whatever was not committed: a cut upload leaves no file behind.
    mutating func discard() {
        if let part = current {
            close(part.descriptor)
            unlink(part.file.path)
            current = nil
        }
        for upload in completed { unlink(upload.file.path) }
        completed.removeAll()
    }
}

/// A name as one path segment: only RFC 3986's unreserved characters stay as they are (the
/// same encoding a Connect JWT's canonical query uses).
func percentEncodeSegment(_ text: String) -> String {
    CanonicalRequest.percentEncode(text)
}

/// A storage link shaped like the S3 links Bitbucket redirects to:
/// `/{repo-uuid}/downloads/{blob}/{name}?Signature=…&Expires=…&AWSAccessKeyId=…&versionId=…&response-content-disposition=…`.
/// The signature is base64 (so its query value holds `%2B`, `%2F`, `%3D`) over the path as
/// sent and the decoded parameters: a client that re-encodes or decodes the link breaks it,
/// as it would on S3.
struct StorageLink {
    let repositoryUUID: String
    let blob: String
    let name: String
    let expires: Int

    static let accessKeyID = "AKIAEMULATORSTORAGE0"

    var path: String { "/\(repositoryUUID)/downloads/\(blob)/\(percentEncodeSegment(name))" }
    var versionID: String { Self.versionID(of: blob) }
    var disposition: String { StorageRoutes.contentDisposition(name) }

    func signed(key: String) -> String {
        let signature = Self.signature(
            path: path, expires: expires, versionID: versionID, disposition: disposition, key: key)
        return path + "?Signature=\(percentEncodeSegment(signature))&Expires=\(expires)"
            + "&AWSAccessKeyId=\(Self.accessKeyID)&versionId=\(versionID)"
            + "&response-content-disposition=\(percentEncodeSegment(disposition))"
    }

    static func versionID(of blob: String) -> String {
        let digest = SHA256.hash(data: Data(("version\n" + blob).utf8))
        return Data(digest.prefix(24)).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }

    static func signature(path: String, expires: Int, versionID: String, disposition: String, key: String) -> String {
        let message =
            "GET\n\n\n\(expires)\n\(path)?response-content-disposition=\(disposition)&versionId=\(versionID)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString()
    }
}
