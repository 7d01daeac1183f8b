import BBXEvaluate
import BBXPlan
import BitbucketModel
import Foundation
import Synchronization

let now = Date(timeIntervalSince1970: 1_790_000_000)

func artifact(_ name: String, daysOld: Double, size: Int64 = 10) -> Artifact {
    Artifact(name: name, size: size, created: now.addingTimeInterval(-daysOld * 86_400))
}
