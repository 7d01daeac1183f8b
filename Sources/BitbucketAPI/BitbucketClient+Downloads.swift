import AsyncHTTPClient
import BitbucketModel
import Foundation
import NIOCore
import NIOHTTP1

extension BitbucketClient {
    /// How far the server's clock may run behind this one for an upload to be confirmed by listing.
    static let clockTolerance: TimeInterval = 2

    /// The most pages a listing may take (100 artifacts a page): a server whose pages never end
    /// would otherwise spend the hour's rate limit (1,000 requests) in minutes.
    public static let maximumListingPages = 500

    /// Every artifact, all pages (100 a page), `next` followed exactly as given. A listing that
    /// does not end is an error that says why: a `next` seen before, a page without artifacts
    /// that still has a `next`, or more pages than `maximumListingPages`.
    public func artifacts(in repository: RepositoryName) async throws -> [Artifact] {
        try await listing(of: repository).artifacts
    }

    /// A repository's Downloads, and what the credential may do there as the first page's
    /// headers say (`X-Credential-Type`, `X-OAuth-Scopes`; nil when they are absent).
    ///
    /// Pages are numbered, so another job writing while they are read shifts the artifacts
    /// between pages: an upload repeats one at a page boundary, and a delete makes one skip a
    /// page unseen, which would let a plan miss an artifact it then overwrites. A listing whose
    /// total (`size`, when the pages give it) changes from page to page, or that lists a name
    /// twice, is read again from the start, up to `listingReads` times.
    public func listing(of repository: RepositoryName) async throws -> (artifacts: [Artifact], grant: CredentialGrant?)
    {
        var reason = ""
        for read in 1...Self.listingReads {
            let (artifacts, grant, unsettled) = try await readListing(of: repository)
            guard let unsettled else { return (artifacts, grant) }
            reason = unsettled
            logger.notice("\(repository)'s downloads changed while they were listed (\(unsettled)); reading them again")
            if read < Self.listingReads { try await Task.sleep(for: .milliseconds(100 * read)) }
        }
        throw BitbucketError.unexpectedResponse(
            method: "GET", path: repository.downloadsPath,
            reason:
                "the downloads kept changing while they were listed (\(reason)), \(Self.listingReads) times; another job may be writing to \(repository): try again"
        )
    }

    /// How many times a listing that changed while it was read is read again before giving up.
    static let listingReads = 3

    /// One reading of every page. `unsettled` says why the pages do not describe one state.
    private func readListing(of repository: RepositoryName) async throws -> (
        artifacts: [Artifact], grant: CredentialGrant?, unsettled: String?
    ) {
        var grant: CredentialGrant?
        var artifacts: [Artifact] = []
        var names = Set<ExactName>()
        var uploaders: [Artifact.Uploader: Artifact.Uploader] = [:]
        var totals: (first: Int, last: Int)?
        var unsettled: String?
        var pages = 0
        try await readPages(
            ArtifactJSON.self, at: repository.downloadsPath, maximum: Self.maximumListingPages, noun: "artifacts",
            what: "listing \(repository)'s downloads"
        ) { result, headers, number in
            pages = number
            if number == 1 {
                grant = CredentialGrant(
                    type: headers.first(name: "X-Credential-Type"), scopes: headers.first(name: "X-OAuth-Scopes"))
            }
            for var artifact in result.values.map(\.artifact) {
                // Most artifacts of a repository have one uploader (the CI's token): one copy of
                // its three strings, not one per artifact (a workspace's listings hold 30,000).
                if let uploader = artifact.uploader {
                    if let known = uploaders[uploader] {
                        artifact = artifact.uploaded(by: known)
                    } else if uploaders.count < 1000 {
                        uploaders[uploader] = uploader
                    }
                }
                // A size below zero is no size: the server is broken (or lying), and no plan is
                // made on what it says.
                guard artifact.size >= 0 else {
                    throw BitbucketError.unexpectedResponse(
                        method: "GET", path: repository.downloadsPath,
                        reason: "'\(artifact.name)' is listed with a size of \(artifact.size) bytes")
                }
                if names.insert(ExactName(artifact.name)).inserted {
                    artifacts.append(artifact)
                } else {
                    unsettled = unsettled ?? "'\(artifact.name)' was listed twice"
                }
            }
            if let total = result.size { totals = (totals?.first ?? total, total) }
        }
        if let totals, totals.first != totals.last {
            unsettled = unsettled ?? "the first page counted \(totals.first) artifacts, the last \(totals.last)"
        } else if let totals, unsettled == nil, pages > 1, totals.last != artifacts.count {
            unsettled = "the pages counted \(totals.last) artifacts and held \(artifacts.count)"
        }
        return (artifacts, grant, unsettled)
    }

    /// Uploads files in one multipart request, streamed from disk and hashed (SHA-256) in the
    /// same read. If an attempt fails, the
    /// Downloads list is read before trying again: a file already there with the expected size
    /// (and not the artifact that `previous` says was there before) was stored by the attempt
    /// whose answer was lost, and is not sent again.
    @discardableResult
    public func upload(
        _ files: [UploadFile], to repository: RepositoryName, previous: [ExactName: Artifact] = [:],
        hashing: Bool = false, progress: ProgressHandler? = nil
    ) async throws -> UploadResult {
        var remaining = try files.map { file in (path: file.path, name: file.name, size: try Self.fileSize(file.path)) }
        guard !remaining.isEmpty else { return UploadResult(uploaded: [], confirmedByListing: [], sha256: [:]) }
        let target = url(repository.downloadsPath)
        var confirmed: [String] = []
        let label = files.count == 1 ? files[0].name : "\(files.count) files"
        // Only an artifact created after the first attempt began can be that attempt's upload:
        // an older one of the same name and size is someone else's (or the one being replaced).
        // A server clock behind this one only makes bbx send the file again, which is harmless.
        let started = Date().addingTimeInterval(-Self.clockTolerance)
        let digests = hashing ? MultipartBody.Digests() : nil
        /// Takes out of `remaining` the files the listing shows stored by an attempt of this call.
        func confirmByListing() async throws {
            let stored = Dictionary(
                try await self.artifacts(in: repository).map { (ExactName($0.name), $0) },
                uniquingKeysWith: { a, _ in a })
            remaining.removeAll { file in
                // Bitbucket has been seen storing spaces as `_`.
                guard
                    let artifact = stored[ExactName(file.name)]
                        ?? stored[ExactName(file.name.replacingOccurrences(of: " ", with: "_"))],
                    artifact.size == file.size, previous[ExactName(file.name)]?.stamp != artifact.stamp,
                    artifact.isCreationKnown, artifact.created >= started
                else { return false }
                confirmed.append(file.name)
                return true
            }
        }
        do {
            try await withRetries(
                "uploading \(label) to \(repository)",
                beforeRetry: {
                    try await confirmByListing()
                    if !confirmed.isEmpty {
                        self.logger.notice("already in \(repository)'s downloads: \(confirmed.joined(separator: ", "))")
                    }
                    return remaining.isEmpty ? () : nil
                }
            ) { _ in
                let body = MultipartBody(files: remaining)
                let total = remaining.map(\.size).clampedSum()
                let stream = body.stream(chunkSize: configuration.uploadChunkSize, digests: digests) { sent in
                    progress?(TransferProgress(name: label, bytes: sent, total: total))
                }
                let response = try await send(
                    .POST, target, signing: .credential,
                    headers: [("Accept", "application/json"), ("Content-Type", body.contentType)],
                    body: .stream(stream, length: .known(body.length)))
                guard (200..<300).contains(response.status.code) else {
                    throw await statusFailure(response, method: .POST, url: target)
                }
                _ = try? await readBody(of: response, upTo: 1024 * 1024, method: "POST", url: target)
            }
        } catch {
            // Several files in one request: which of them landed is read from the listing, so
            // that they are reported done (and not sent again by a later run's retry).
            guard files.count > 1, !(error is CancellationError), !Task.isCancelled else { throw error }
            try? await confirmByListing()
            throw UploadFailure(
                confirmed: confirmed, sha256: digests?.byName.withLock { $0 } ?? [:], underlying: error)
        }
        let uploaded = files.map(\.name).filter { name in !confirmed.contains(where: name.isExactly) }
        return UploadResult(
            uploaded: uploaded, confirmedByListing: confirmed, sha256: digests?.byName.withLock { $0 } ?? [:])
    }

    /// Downloads an artifact to `destination`: the API's 302 is followed by hand to the storage
    /// host with neither `Authorization` nor a JSON `Accept`; bytes go to a hidden file beside the
    /// destination, renamed into place once the byte count matches. A retry resumes with a
    /// `Range` request from a fresh storage link, guarded by `If-Range` with the first
    /// response's ETag: if the artifact was replaced meanwhile, the whole new version comes
    /// instead of its second half. A link the storage host refuses (expired: 403) is asked for
    /// again once. Returns the number of bytes.
    ///
    /// With `checksum` (the manifest's name and its SHA-256 for this artifact), the bytes are
    /// hashed as they arrive and a mismatch fails the download with nothing kept.
    @discardableResult
    public func download(
        _ name: String, from repository: RepositoryName, to destination: String, expectedSize: Int64? = nil,
        replacing: Bool = true, checksum: ExpectedChecksum? = nil, progress: ProgressHandler? = nil
    ) async throws -> Int64 {
        let partial = try PartialFile(beside: destination)
        defer { partial.discard() }
        let size = try await receive(
            name, from: repository, into: partial, expectedSize: expectedSize, progress: progress)
        if let checksum, partial.sha256 != checksum.sha256.lowercased() {
            throw BitbucketError.checksumMismatch(
                name: name, manifest: checksum.manifest, expected: checksum.sha256.lowercased(),
                received: partial.sha256)
        }
        try partial.commit(to: destination, replacing: replacing)
        return size
    }

    /// Streams an artifact through SHA-256 and keeps nothing (`verify`): its size and hash.
    public func digest(
        of name: String, in repository: RepositoryName, expectedSize: Int64? = nil, progress: ProgressHandler? = nil
    ) async throws -> (size: Int64, sha256: String) {
        let sink = PartialFile(hashingOnly: name)
        let size = try await receive(name, from: repository, into: sink, expectedSize: expectedSize, progress: progress)
        return (size, sink.sha256)
    }

    /// Reads a small artifact (a checksum manifest) into memory: nil when there is none (404 for
    /// the artifact), an error when it is bigger than `limit`.
    public func text(of name: String, in repository: RepositoryName, limit: Int) async throws -> String? {
        let sink = PartialFile(inMemory: name, limit: limit)
        do {
            _ = try await receive(name, from: repository, into: sink, expectedSize: nil, progress: nil)
        } catch BitbucketError.status(let failure)
            where failure.status == 404 && failure.storageHost == nil
            && !failure.message.lowercased().contains("repository")
        {
            return nil
        }
        guard let text = String(validating: Array(sink.memory?.readableBytesView ?? []), as: UTF8.self) else {
            throw BitbucketError.file(path: name, reason: "is not UTF-8 text")
        }
        return text
    }

    /// The API's answer and its redirects into `partial`, with retries and a renewed link.
    private func receive(
        _ name: String, from repository: RepositoryName, into partial: PartialFile, expectedSize: Int64?,
        progress: ProgressHandler?
    ) async throws -> Int64 {
        let apiURL = url(repository.artifactPath(name))
        if let expectedSize { partial.ceiling = (name, expectedSize) }
        var renewedLink = false
        let size = try await withRetries("downloading \(name) from \(repository)") { _ in
            while true {
                if let size = try await downloadOnce(
                    name, apiURL: apiURL, into: partial, expectedSize: expectedSize, progress: progress,
                    mayRenewLink: !renewedLink)
                {
                    return size
                }
                renewedLink = true
                logger.notice("the storage host refused the link to \(name); asking Bitbucket for a fresh one")
            }
        }
        if let expectedSize, size != expectedSize {
            throw BitbucketError.unexpectedResponse(
                method: "GET", path: apiURL.pathAndQuery.path,
                reason: "\(name) has \(size) bytes, not the \(expectedSize) listed; it may have been replaced meanwhile"
            )
        }
        return size
    }

    /// One attempt: the API's answer, then its redirects. Nil when the storage host refused the
    /// link and `mayRenewLink` allows asking the API for another.
    private func downloadOnce(
        _ name: String, apiURL: String, into partial: PartialFile, expectedSize: Int64?,
        progress: ProgressHandler?, mayRenewLink: Bool
    ) async throws -> Int64? {
        // No JSON Accept: the answer is a redirect to bytes, not JSON.
        let first = try await send(.GET, apiURL, signing: .credential, headers: [("Accept", "*/*")])
        guard Self.redirects.contains(first.status.code) else {
            // Bitbucket always redirects to storage; a server that answers itself is
            // streamed from here, and anything else is an error with its message.
            guard first.status.code == 200 else {
                throw await statusFailure(first, method: .GET, url: apiURL)
            }
            try partial.truncate()
            let announced = first.headers.first(name: "Content-Length").flatMap { Int64($0) }
            try partial.checkAnnounced(announced)
            do {
                let received = ReceivedBytes()
                try await withStallGuard(
                    window: configuration.stallWindow, minimum: configuration.stallMinimumBytes, received: received
                ) {
                    for try await chunk in first.body {
                        received.add(chunk.readableBytes)
                        try partial.write(chunk)
                        progress?(TransferProgress(name: name, bytes: partial.size, total: announced ?? expectedSize))
                    }
                }
            } catch is Stalled {
                throw stallFailure(method: "GET", origin: apiOrigin, path: apiURL.pathAndQuery.path)
            } catch let error as BitbucketError {
                throw error
            } catch {
                throw connectionFailure(
                    error, method: "GET", origin: apiOrigin, path: apiURL.pathAndQuery.path, viaProxy: false)
            }
            if let announced, partial.size != announced {
                throw BitbucketError.incompleteDownload(name: name, expected: announced, received: partial.size)
            }
            return partial.size
        }
        _ = try? await readBody(of: first, upTo: 64 * 1024, method: "GET", url: apiURL)
        var location = first.headers.first(name: "Location")
        var current = apiURL
        var hops = 0
        while true {
            guard hops < 5, let next = location else {
                throw BitbucketError.unexpectedResponse(
                    method: "GET", path: current.pathAndQuery.path,
                    reason: hops < 5 ? "a redirect without a Location" : "more than five redirects")
            }
            let previous = current
            current = resolve(next, against: current)
            hops += 1
            if let problem = Self.linkProblem("a redirect", to: current, api: apiOrigin) {
                throw BitbucketError.unexpectedResponse(
                    method: "GET", path: previous.pathAndQuery.path, reason: problem)
            }
            // The storage link is signed in its query: sending credentials there is refused
            // (and would leak them), and a JSON Accept header is not what it serves.
            var headers = [("Accept", "*/*")]
            if partial.size > 0 {
                if let validator = partial.validator {
                    headers.append(("Range", "bytes=\(partial.size)-"))
                    headers.append(("If-Range", validator))
                } else {
                    // Nothing says which version the bytes so far belong to: start over.
                    try partial.truncate()
                }
            }
            let delegate = FileWritingDelegate(
                file: partial, name: name, expectedSize: expectedSize, progress: progress)
            let result = try await get(current, headers: headers, into: delegate)
            let status = result.head.status.code
            if Self.redirects.contains(status) {
                location = result.head.headers.first(name: "Location")
                continue
            }
            if status == 416, expectedSize == partial.size, partial.validator != nil { return partial.size }
            guard result.wroteBody else {
                if status == 416 { try partial.truncate() }
                // 403: the link expired or was refused; 404: the artifact was replaced between
                // the API's redirect and this request, so the link names a blob that is gone
                // (two writers of a checksum manifest meet this). Either way, ask the API again.
                if status == 403 || status == 404, mayRenewLink, Origin(current) != apiOrigin { return nil }
                throw statusFailure(
                    status: result.head.status, headers: result.head.headers, body: result.otherBody, method: .GET,
                    url: current)
            }
            if let announced = result.announced, partial.size != announced {
                throw BitbucketError.incompleteDownload(name: name, expected: announced, received: partial.size)
            }
            return partial.size
        }
    }

    /// Deletes an artifact. A 404 after an attempt whose answer was lost means that attempt
    /// deleted it.
    /// Deletes an artifact. A 404 for the artifact means the goal is met (it is already gone:
    /// deleted by an earlier attempt whose answer was lost or failed, or by someone else), so
    /// it is done; a 404 for the repository itself is still an error.
    public func delete(_ name: String, from repository: RepositoryName) async throws {
        let target = url(repository.artifactPath(name))
        let (status, body) = try await call(
            .DELETE, target, signing: .credential, expected: [200, 204, 404],
            what: "deleting \(name) from \(repository)")
        if status == 404, ErrorBody(parsing: body).message.lowercased().contains("repository") {
            throw statusFailure(
                status: .notFound, headers: [:], body: ByteBuffer(bytes: body), method: .DELETE, url: target)
        }
    }

    // MARK: - Helpers

    /// The response that carries an artifact's bytes: the API's redirect followed (up to five
    /// hops) without credentials, or the API's own 200 if it answers with the file.
    static let redirects: Set<UInt> = [301, 302, 303, 307, 308]

    static func fileSize(_ path: String) throws -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw BitbucketError.file(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw BitbucketError.file(path: path, reason: "not a regular file")
        }
        return Int64(info.st_size)
    }

    /// Why a link from the server (a download's redirect, a listing's next page) is not
    /// followed: another scheme than http(s), or plain http when the API is https (what it
    /// serves would travel unencrypted, open to change on the way) unless it stays on this
    /// machine (`bbx serve` with TLS keeps its storage listener on http, on loopback). Nil when
    /// it may be followed. The link's query (a storage link's signature) is not shown.
    static func linkProblem(_ link: String, to url: String, api: Origin) -> String? {
        let shown = url.withoutUserInfo.withoutQuery
        guard let target = Origin(url), ["http", "https"].contains(target.scheme) else {
            return "\(link) to \(shown), which is not an http(s) URL; not followed"
        }
        if api.scheme == "https", target.scheme == "http", !target.isLoopback {
            return "\(link) from https to plain http (\(shown)); not followed, it would not be encrypted"
        }
        return nil
    }

    /// A `next` link or `Location` resolved against the URL it came from.
    func resolve(_ reference: String, against base: String) -> String {
        guard let baseURL = URL(string: base), let resolved = URL(string: reference, relativeTo: baseURL) else {
            return reference
        }
        return resolved.absoluteString
    }
}

/// `Content-Range: bytes START-END/TOTAL`.
struct ContentRange: Equatable {
    let start: Int64
    let end: Int64
    let total: Int64?

    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("bytes ") else { return nil }
        let parts = trimmed.dropFirst(6).split(separator: "/")
        guard parts.count == 2 else { return nil }
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]) else { return nil }
        self.start = start
        self.end = end
        total = parts[1] == "*" ? nil : Int64(parts[1])
    }
}
