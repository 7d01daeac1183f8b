import BitbucketModel

extension Step {
    /// A step as flat fields (`kind`, `repository`, `name`, `localPath`, …): the one adapter
    /// between `Step.Action` and the shape saved plans and `--json` write. Making a step from
    /// fields builds the action its kind needs and refuses fields that lack something.
    public struct Fields: Hashable, Sendable, Codable {
        public var kind: Kind
        public var repository: RepositoryName?
        public var name: String
        public var localPath: String?
        public var size: Int64?
        public var reason: String?
        public var source: SourcePosition
        public var connect: ConnectCall?
        public var localConflict: LocalConflict?
        public var localModified: String?
        /// The checksum manifest the step records into, checks against or replaces.
        public var manifest: String?
        /// The SHA-256 expected: a download's or verify's manifest entry; the one an unchanged
        /// file and the manifest agree on.
        public var sha256: String?
        /// A manifest replacement's entries to record and to remove, the SHA-256 of the text it
        /// replaces, the entries of artifacts already gone, and whether it is signed.
        public var entries: [String]?
        public var removals: [String]?
        public var base: String?
        public var orphans: [String]?
        public var signed: Bool?
        /// A verify of a manifest entry that no artifact has.
        public var orphan: Bool?

        public init(
            kind: Kind, repository: RepositoryName?, name: String, localPath: String? = nil, size: Int64? = nil,
            reason: String? = nil, source: SourcePosition, connect: ConnectCall? = nil,
            localConflict: LocalConflict? = nil, localModified: String? = nil, manifest: String? = nil,
            sha256: String? = nil
        ) {
            self.kind = kind
            self.repository = repository
            self.name = name
            self.localPath = localPath
            self.size = size
            self.reason = reason
            self.source = source
            self.connect = connect
            self.localConflict = localConflict
            self.localModified = localModified
            self.manifest = manifest
            self.sha256 = sha256
        }

        public init(_ step: Step) {
            self.init(
                kind: step.kind, repository: step.repository, name: step.name, localPath: step.localPath,
                size: step.size, reason: step.reason, source: step.source)
            switch step.action {
            case .upload(let upload), .replace(let upload):
                (localModified, manifest) = (upload.localModified, upload.manifest)
            case .download(let download):
                (localConflict, manifest, sha256) = (download.localConflict, download.manifest, download.sha256)
            case .verify(let verify):
                (manifest, sha256) = (verify.manifest, verify.sha256)
                orphan = verify.orphan ? true : nil
            case .checksums(let update):
                (manifest, entries, removals, base) = (update.manifest, update.entries, update.removals, update.base)
                orphans = update.orphans.isEmpty ? nil : update.orphans
                signed = update.signed ? true : nil
            case .connect(let call): connect = call
            case .skip(.upload(let upload)): localModified = upload.localModified
            case .skip(.unchanged(let upload, let hash)): (localModified, sha256) = (upload.localModified, hash)
            case .skip(.download(let download)): localConflict = download.localConflict
            case .delete, .skip(.delete), .skip(.connect): break
            }
        }

        enum CodingKeys: String, CodingKey {
            case kind, repository, name, localPath, size, reason, source, connect, localConflict, localModified
            case manifest, sha256, entries, removals, base, orphans, signed, orphan
        }

        /// The step these fields describe. A skip's reason follows from what it holds: a hash
        /// (unchanged), a local conflict (a download), a local path (an upload), a repository (a
        /// delete), or nothing (a Connect call). Throws, at `codingPath`, for what is missing or
        /// malformed.
        public func step(at codingPath: [any CodingKey] = []) throws -> Step {
            func missing(_ key: CodingKeys) -> DecodingError {
                .keyNotFound(key, .init(codingPath: codingPath, debugDescription: "\(key.stringValue) is missing"))
            }
            func required<T>(_ value: T?, _ key: CodingKeys) throws -> T {
                guard let value else { throw missing(key) }
                return value
            }
            for (value, key) in [(sha256, CodingKeys.sha256), (base, .base)]
            where value.map({ !$0.isSHA256Hex }) ?? false {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: codingPath + [key],
                        debugDescription: "\(key.stringValue) is not 64 hexadecimal digits"))
            }
            // An empty path is left for the plan's checks to name ("localPath is missing").
            func upload() throws -> Upload {
                Upload(
                    repository: try required(repository, .repository), name: name, localPath: localPath ?? "",
                    size: size, localModified: localModified, manifest: manifest)
            }
            func download() throws -> Download {
                Download(
                    repository: try required(repository, .repository), name: name, localPath: localPath ?? "",
                    size: size, localConflict: localConflict, manifest: manifest, sha256: sha256)
            }
            let action: Action
            switch kind {
            case .upload: action = .upload(try upload())
            case .replace: action = .replace(try upload())
            case .delete:
                action = .delete(Delete(repository: try required(repository, .repository), name: name, size: size))
            case .download: action = .download(try download())
            case .skip:
                if let repository {
                    if let sha256 {
                        action = .skip(.unchanged(try upload(), sha256: sha256))
                    } else if localConflict != nil {
                        action = .skip(.download(try download()))
                    } else if localPath != nil {
                        action = .skip(.upload(try upload()))
                    } else {
                        action = .skip(.delete(Delete(repository: repository, name: name, size: size)))
                    }
                } else {
                    action = .skip(.connect(request: name))
                }
            case .connect: action = .connect(try required(connect, .connect))
            case .verify:
                action = .verify(
                    Verify(
                        repository: try required(repository, .repository), name: name, size: size,
                        manifest: try required(manifest, .manifest), sha256: sha256, orphan: orphan ?? false))
            case .checksums:
                action = .checksums(
                    ChecksumsUpdate(
                        repository: try required(repository, .repository), manifest: name,
                        entries: try required(entries, .entries), removals: try required(removals, .removals),
                        base: base, orphans: orphans ?? [], signed: signed ?? false))
            }
            return Step(action, reason: reason, source: source)
        }
    }
}
