import BBXFuzzChecks
import Foundation

/// libFuzzer's entry point: a violated invariant aborts, and libFuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: size))
    if let violation = FuzzChecks.jwt(bytes) {
        FileHandle.standardError.write(Data("invariant violated: \(violation)\n".utf8))
        abort()
    }
    return 0
}
