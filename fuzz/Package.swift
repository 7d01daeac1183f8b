// swift-tools-version:5.3
// The libFuzzer target for bbx: one binary running the check of Sources/BBXFuzzChecks named by
// BBX_FUZZ_TARGET. A package of its own, at tools version 5.3, because packages from 5.5 on
// have SwiftPM rename an executable's entry point (for testable executables), which leaves
// libFuzzer's own `main` unreachable. Build and run it with `make fuzz` or `scripts/fuzz.sh`
// (they pass -sanitize=fuzzer -parse-as-library).
import PackageDescription

let package = Package(
    name: "bbx-fuzz",
    platforms: [.macOS("13.0")],
    dependencies: [.package(name: "bbx", path: "..")],
    targets: [
        .target(
            name: "fuzz-bbx", dependencies: [.product(name: "BBXFuzzChecks", package: "bbx")],
            path: "Sources/fuzz-bbx")
    ]
)
