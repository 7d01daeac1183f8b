// swift-tools-version:6.0
import PackageDescription

// One target per layer; each imports only the layers below it (the README's layout says more).
//   SafeText, SafeFiles  text from outside made safe to show; temporary files created exclusively
//   BBXSyntax        source → tokens → syntax tree + diagnostics (pure)
//   BBXCheck         static checks over the syntax tree; the built-in functions (pure)
//   BBXFormat        canonical formatting over the token stream (pure)
//   BitbucketModel   plain data both the client and the planner speak (an artifact as listed)
//   BBXPlan          the plan as data, globs, prune selection (pure)
//   BBXEvaluate      syntax tree + remote state (read through RemoteReader) → plan
//   ConnectJWT       Connect app JWTs (pure)
//   BitbucketAPI     the client (async-http-client): the only network I/O
//   BBXApply         the executor and its report, behind ApplyService (knows plans, not the evaluator)
//   BBXBridge        BitbucketService (planning's reads and applying's writes over the client), OutputGate
//   BBXRepl          the REPL's logic behind a line-reader protocol
//   BitbucketEmulator  `bbx serve` on Hummingbird, its metadata in SQLite (GRDB)
//   bbx              the command-line tool
let package = Package(
    name: "bbx",
    // macOS 15: `Mutex` (Synchronization), the one locking style of the code.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bbx", targets: ["bbx"]),
        // For the fuzz/ package only.
        .library(name: "BBXFuzzChecks", targets: ["BBXFuzzChecks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-crypto", "4.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Below every layer that writes text for people: escaping, display width, redaction.
        .target(name: "SafeText"),
        // Temporary files created exclusively (O_EXCL|O_NOFOLLOW, random names), replaced atomically.
        .target(name: "SafeFiles"),
        .target(name: "BBXSyntax", dependencies: ["SafeText"]),
        .target(name: "BBXCheck", dependencies: ["BBXSyntax", "BitbucketModel", "SafeText"]),
        .target(name: "BBXFormat", dependencies: ["BBXSyntax"]),
        // Plain data shared by the client and the planner (an artifact as listed).
        .target(name: "BitbucketModel", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "BBXPlan", dependencies: ["BBXSyntax", "BitbucketModel", "SafeText"]),
        .target(
            name: "BBXEvaluate",
            dependencies: [
                "BBXSyntax", "BBXCheck", "BBXPlan", "BitbucketModel", "SafeText", "SafeFiles", "Minisign",
                // `on conflict update` hashes local files while planning.
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "ConnectJWT", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // minisign's keys and signatures (BLAKE2b, Ed25519, scrypt): the signed manifests.
        .target(
            name: "Minisign",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .target(
            name: "BitbucketEmulator",
            dependencies: [
                "BBXPlan", "BitbucketModel", "ConnectJWT", "SafeFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BitbucketAPI",
            dependencies: [
                "ConnectJWT", "BitbucketModel", "SafeText", "SafeFiles",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Applying a plan: the executor and its report, behind the `ApplyService` protocol.
        .target(name: "BBXApply", dependencies: ["BBXPlan", "BitbucketModel", "SafeText"]),
        // Joins planning and applying to the client: `BitbucketService` (planning's reads and
        // applying's writes over `BitbucketClient`) and `OutputGate` (planning's output held back
        // until the steps before it are applied).
        .target(name: "BBXBridge", dependencies: ["BBXApply", "BBXEvaluate", "BBXPlan", "BitbucketAPI", "SafeFiles"]),
        // The REPL's logic (entries, meta-commands, completion, history file), behind a line-reader
        // protocol so it runs without a terminal; libedit is the bbx executable's edge.
        .target(
            name: "BBXRepl",
            dependencies: [
                "BBXSyntax", "BBXCheck", "BBXFormat", "BBXPlan", "BBXEvaluate", "BBXApply", "BBXBridge", "SafeText",
                "SafeFiles", "BitbucketModel",
            ]),
        .systemLibrary(
            name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"]), .brew(["libedit"])]),
        .executableTarget(
            name: "bbx",
            dependencies: [
                "BBXSyntax", "BBXCheck", "BBXFormat", "BBXPlan", "BBXEvaluate", "BBXApply", "BBXBridge", "BitbucketAPI",
                "BitbucketModel", "BitbucketEmulator", "BBXRepl", "CEditLine", "SafeText", "SafeFiles", "Minisign",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The invariants the fuzz targets check (the libFuzzer entry points are the fuzz/ package).
        .target(
            name: "BBXFuzzChecks",
            dependencies: [
                "BBXSyntax", "BBXCheck", "BBXFormat", "BBXPlan", "BitbucketAPI", "BitbucketEmulator", "ConnectJWT",
                "SafeText",
            ]),
        // Drives the client for benchmarks/client-transfer.sh (not shipped).
        .executableTarget(
            name: "bbx-bench-transfer", dependencies: ["BitbucketAPI", "BitbucketModel"],
            path: "benchmarks/client-transfer"),
        // Measures BLAKE2b and signing for benchmarks/signing.sh (not shipped).
        .executableTarget(name: "bbx-bench-signing", dependencies: ["Minisign"], path: "benchmarks/signing"),
        // Helpers shared by the tests: location markers, golden files, running the built bbx.
        .target(
            name: "BBXTestSupport",
            dependencies: [
                "BBXSyntax", "BBXEvaluate", "BBXPlan", "BitbucketModel", "BitbucketEmulator", "ConnectJWT",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "BBXSyntaxTests", dependencies: ["BBXSyntax", "BBXTestSupport"]),
        .testTarget(name: "SafeTextTests", dependencies: ["SafeText", "SafeFiles"]),
        .testTarget(name: "MinisignTests", dependencies: ["Minisign", "BBXTestSupport"]),
        .testTarget(
            name: "BBXCheckTests", dependencies: ["BBXCheck", "BBXSyntax", "BBXTestSupport"], exclude: ["Diagnostics"]),
        .testTarget(name: "BBXFormatTests", dependencies: ["BBXFormat", "BBXSyntax", "BBXTestSupport"]),
        .testTarget(name: "ConnectJWTTests", dependencies: ["ConnectJWT"]),
        .testTarget(
            name: "BBXPlanTests",
            dependencies: [
                "BBXPlan", "BitbucketModel", "BBXTestSupport", "SafeText",
                .product(name: "Crypto", package: "swift-crypto"),
            ], exclude: ["Golden"]),
        .testTarget(
            name: "BBXReplTests",
            dependencies: [
                "BBXRepl", "BBXApply", "BBXCheck", "BBXEvaluate", "BBXFormat", "BBXPlan", "BBXSyntax", "BitbucketModel",
                "BBXTestSupport",
            ]),
        .testTarget(
            name: "BBXApplyTests",
            dependencies: ["BBXApply", "BBXPlan", "BBXTestSupport", "BitbucketAPI", "BitbucketModel"]),
        .testTarget(
            name: "BBXEvaluateTests",
            dependencies: ["BBXCheck", "BBXEvaluate", "BBXPlan", "BBXSyntax", "BitbucketModel", "BBXTestSupport"]),
        .testTarget(
            name: "BitbucketEmulatorTests", dependencies: ["BitbucketEmulator", "ConnectJWT", "BBXTestSupport"]),
        .testTarget(
            name: "BitbucketAPITests",
            dependencies: [
                "BitbucketAPI", "BitbucketEmulator", "ConnectJWT", "BBXTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "bbxTests", dependencies: ["bbx", "BBXTestSupport", "BitbucketModel", "Minisign"]),
        .testTarget(
            name: "PlanApplyPropertyTests",
            dependencies: [
                "BBXApply", "BBXBridge", "BBXEvaluate", "BBXPlan", "BBXRepl", "BBXSyntax", "BBXTestSupport",
                "BitbucketAPI",
                "BitbucketEmulator", "BitbucketModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .testTarget(
            name: "FuzzCorpusTests", dependencies: ["BBXFuzzChecks", "BBXTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
