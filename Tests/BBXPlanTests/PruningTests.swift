import BBXPlan
import Foundation
import Testing

@Suite("Prune selection")
struct PruningTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day = 86_400.0

    /// app-1 … app-6, one a day, app-6 newest (created today).
    var artifacts: [(name: String, created: Date)] {
        (1...6).map { ("app-\($0).zip", now.addingTimeInterval(-Double(6 - $0) * day)) }
    }

    @Test func keepTheNewestN() {
        #expect(
            PruneRule(keep: 2).deletions(among: artifacts, now: now) == [
                "app-1.zip", "app-2.zip", "app-3.zip", "app-4.zip",
            ])
        #expect(PruneRule(keep: 6).deletions(among: artifacts, now: now).isEmpty)
        #expect(PruneRule(keep: 0).deletions(among: artifacts, now: now).count == 6)
    }

    @Test func olderThanADuration() {
        // Older than 3 days: app-1 (5 days) and app-2 (4 days); app-3 is exactly 3 days old and stays.
        #expect(PruneRule(olderThan: 3 * 86_400).deletions(among: artifacts, now: now) == ["app-1.zip", "app-2.zip"])
    }

    @Test func bothMeansOutsideTheNewestAndOld() {
        // keep 5 alone would delete app-1; older than 1d alone app-1…app-4; both: only app-1.
        #expect(PruneRule(keep: 5, olderThan: 86_400).deletions(among: artifacts, now: now) == ["app-1.zip"])
        #expect(PruneRule(keep: 1, olderThan: 4 * 86_400).deletions(among: artifacts, now: now) == ["app-1.zip"])
    }

    @Test func tiesAreBrokenByName() {
        let same = now.addingTimeInterval(-day)
        let tied = [("b.zip", same), ("a.zip", same), ("c.zip", same)].map { (name: $0.0, created: $0.1) }
        #expect(PruneRule(keep: 1).deletions(among: tied, now: now) == ["a.zip", "b.zip"])
    }

    @Test func artifactsUploadedInThisRunAreNeverDeleted() {
        // app-1 was (re)uploaded earlier in the run: it stays, even with keep 0.
        #expect(
            PruneRule(keep: 0).deletions(among: artifacts, now: now, protected: ["app-1.zip"]).contains("app-1.zip")
                == false)
        #expect(
            PruneRule(keep: 2).deletions(among: artifacts, now: now, protected: ["app-6.zip"]) == [
                "app-1.zip", "app-2.zip", "app-3.zip", "app-4.zip",
            ])
    }

    @Test func reasons() {
        #expect(PruneRule(keep: 5).reason == "prune keep 5")
        #expect(PruneRule(olderThan: 30 * 86_400).reason == "prune older than 30d")
        #expect(PruneRule(keep: 3, olderThan: 2 * 604_800).reason == "prune keep 3, older than 2w")
        #expect(PruneRule(olderThan: 90).reason == "prune older than 90s")
        #expect(PruneRule(olderThan: 5400).reason == "prune older than 90m")
    }
}
