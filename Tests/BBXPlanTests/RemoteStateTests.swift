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
        state.upload("app-2.zip", size: 999, at: now, line: 7)
        #expect(state["app-2.zip"]?.size == 999)
        #expect(state["app-2.zip"]?.created == now)
        #expect(state.confirmedInThisRun == ["app-2.zip": 7])
        #expect(state.count == 5)
    }

    /// Bitbucket keeps `café` spelled with `é` and with `e` and a combining accent as two
    /// artifacts (a macOS build makes the second); Swift's String equality holds them equal.
    @Test func namesThatDifferOnlyInUnicodeSpellingAreTwoArtifacts() {
        let composed = "caf\u{E9}.zip"
        let decomposed = "cafe\u{301}.zip"
        let old = Date(timeIntervalSince1970: 1_700_000_000)
        var state = RemoteState(listing: [
            Artifact(name: composed, size: 10, created: old),
            Artifact(name: decomposed, size: 20, created: old.addingTimeInterval(60)),
        ])
        #expect(state.count == 2)
        #expect(state[composed]?.size == 10)
        #expect(state[decomposed]?.size == 20)
        #expect(state.matching(Glob(composed)).map(\.size) == [10])
        #expect(state.pruned(Glob("caf*"), by: PruneRule(keep: 1), now: now).map(\.size) == [10])
        #expect(state.existingName(for: composed).map { Array($0.utf8) } == Array(composed.utf8))
        state.delete(decomposed)
        #expect(state.count == 1 && state[composed] != nil && state[decomposed] == nil)
        state.upload(decomposed, size: 30, at: now)
        #expect(state.count == 2 && state[composed]?.size == 10 && state[decomposed]?.size == 30)
    }
}
