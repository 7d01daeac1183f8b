import BBXFuzzChecks
import BBXTestSupport
import Foundation
import Testing

/// Every fuzz target's check over its committed corpus: the seeds and the hardest inputs
/// fuzzing found (each once a crash or a hang, now fixed) stay in the suite as regression tests.
@Suite("Fuzz corpora")
struct FuzzCorpusTests {
    @Test(arguments: ["syntax", "glob", "listing", "multipart", "jwt"])
    func replays(_ target: String) throws {
        let corpus = Paths.root.appendingPathComponent("fuzz/corpus/\(target)")
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        #expect(inputs.count >= 3, "the \(target) corpus has too few seeds")
        let check = try #require(FuzzChecks.all[target])
        for input in inputs {
            let bytes = try Array(Data(contentsOf: corpus.appendingPathComponent(input)))
            #expect(check(bytes) == nil, "\(target)/\(input)")
        }
    }

}
