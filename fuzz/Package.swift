// swift-tools-version:5.3
// libFuzzer targets for bbx, one per check of Sources/BBXFuzzChecks. A package of its own, at
// tools version 5.3, because packages from 5.5 on have SwiftPM rename an executable's entry
// point (for testable executables), which leaves libFuzzer's own `main` unreachable. Build and
// run them with `make fuzz` or `scripts/fuzz.sh` (they pass -sanitize=fuzzer -parse-as-library).
import PackageDescription

let targets = ["syntax", "glob", "listing", "multipart", "jwt"]

let package = Package(
    name: "bbx-fuzz",
    platforms: [.macOS("13.0")],
    dependencies: [.package(name: "bbx", path: "..")],
    targets: targets.map { name in
        .target(
            name: "fuzz-\(name)", dependencies: [.product(name: "BBXFuzzChecks", package: "bbx")],
            path: "Sources/\(name)")
    }
)
