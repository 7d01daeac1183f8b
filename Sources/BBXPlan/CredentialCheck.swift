import BitbucketModel
import SafeText

extension Plan {
    /// What `bbx run` and the REPL both say, in the same words, when the credential is known not
    /// to hold the scope this plan's writes need: nothing is sent.
    public func credentialRefusal(_ grant: (RepositoryName) -> CredentialGrant?) -> String? {
        credentialProblem(grant).map { $0 + "; nothing was changed (a credential with that scope can run it)" }
    }

    /// Why the credential cannot carry out this plan, as the listings' headers told what it may
    /// do (`grant`): the steps that change a repository's Downloads where it holds no write
    /// scope, the scope they need and the scopes it holds. nil when every step can run, or
    /// when nothing is known (Bitbucket did not say).
    public func credentialProblem(_ grant: (RepositoryName) -> CredentialGrant?) -> String? {
        var refused: [(repository: RepositoryName, grant: CredentialGrant, steps: [Step])] = []
        for step in steps where step.kind.changesDownloads {
            guard let repository = step.repository, let known = grant(repository), !known.canWrite else { continue }
            if let index = refused.firstIndex(where: { $0.repository == repository }) {
                refused[index].steps.append(step)
            } else {
                refused.append((repository, known, [step]))
            }
        }
        guard !refused.isEmpty else { return nil }
        return refused.map { repository, grant, steps in
            let shown = steps.prefix(5).map { "\($0.kind.rawValue) \($0.name.terminalSafe) (\($0.source))" }
            let more = steps.count > 5 ? " and \(steps.count - 5) more" : ""
            let held = grant.scopes.isEmpty ? "none" : grant.scopes.joined(separator: ", ")
            let kind = grant.type.isEmpty ? "" : " (\(grant.type))"
            return
                "the credential cannot change \(repository)'s Downloads: "
                + shown.joined(separator: ", ") + more + " need\(steps.count == 1 ? "s" : "") \(grant.writeScope); "
                + "the credential\(kind) holds \(held)"
        }.joined(separator: "\n")
    }
}
