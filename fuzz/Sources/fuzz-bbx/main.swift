import BBXFuzzChecks
import Foundation

/// The check libFuzzer drives, named by `BBX_FUZZ_TARGET` (scripts/fuzz.sh sets it): one
/// binary for every target, so the entry point is written once.
let check: ([UInt8]) -> String? = {
    let name = ProcessInfo.processInfo.environment["BBX_FUZZ_TARGET"] ?? ""
    guard let check = FuzzChecks.all[name] else {
        let known = FuzzChecks.all.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data("set BBX_FUZZ_TARGET to one of: \(known)\n".utf8))
        exit(2)
    }
    return check
}()

/// libFuzzer's entry point: a violated invariant aborts, and libFuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: size))
    if let violation = check(bytes) {
        FileHandle.standardError.write(Data("invariant violated: \(violation)\n".utf8))
        abort()
    }
    return 0
}
