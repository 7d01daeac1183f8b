import BBXPlan
import BitbucketModel
import Foundation
import Testing

@Suite("Remote state during planning")
struct RemoteStateTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func listing() -> [Artifact] {
        (1...4).map {
            Artifact(
                name: "app-\($0).zip", size: Int64($0 * 10), created: now.addingTimeInterval(-Double(5 - $0) * 86_400))
        }
            + [Artifact(name: "notes.txt", size: 1, created: now.addingTimeInterval(-100 * 86_400))]
    }

    @Test func plannedChangesAreSeenByLaterStatements() {
        var state = RemoteState(listing: listing())
        #expect(state.matching(Glob("app-*")).map(\.name) == ["app-1.zip", "app-2.zip", "app-3.zip", "app-4.zip"])
        state.upload("app-5.zip", size: 50, at: now)
        state.delete("app-1.zip")
        #expect(state.contains("app-5.zip"))
        #expect(!state.contains("app-1.zip"))
        #expect(state.matching(Glob("app-*")).map(\.name) == ["app-2.zip", "app-3.zip", "app-4.zip", "app-5.zip"])
    }

    @Test func pruneSeesTheUploadAndNeverDeletesIt() {
        var state = RemoteState(listing: listing())
        state.upload("app-5.zip", size: 50, at: now)
        // keep 2 of app-*: app-5 (new) and app-4 stay.
        #expect(
            state.pruned(Glob("app-*"), by: PruneRule(keep: 2), now: now).map(\.name) == [
                "app-1.zip", "app-2.zip", "app-3.zip",
            ])
        // keep 0 still spares what this run uploaded.
        #expect(!state.pruned(Glob("app-*"), by: PruneRule(keep: 0), now: now).map(\.name).contains("app-5.zip"))
        // The pattern limits the candidates: notes.txt is old but not an app-* artifact.
        #expect(
            !state.pruned(Glob("app-*"), by: PruneRule(olderThan: 86_400), now: now).map(\.name).contains("notes.txt"))
    }

    @Test func replacingKeepsOneArtifactOfThatName() {
        var state = RemoteState(listing: listing())
        state.upload("app-2.zip", size: 999, at: now)
        #expect(state.artifacts["app-2.zip"]?.size == 999)
        #expect(state.artifacts["app-2.zip"]?.created == now)
        #expect(state.uploadedInThisRun == ["app-2.zip"])
        #expect(state.artifacts.count == 5)
    }
}
