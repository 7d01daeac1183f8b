// swift-tools-version:6.0
import PackageDescription

// One target per layer; each imports only the layers below it.
//   BBXSyntax  source → tokens → syntax tree + diagnostics (pure, no I/O)
//   BBXCheck   static checks over the syntax tree (pure, no I/O)
//   BBXFormat  canonical formatting over the token stream (pure, no I/O)
//   bbx        the command-line tool (the only layer here that reads files)
// Later layers (the Bitbucket client, the emulator, the engine, the REPL) join as their issues land.
let package = Package(
    name: "bbx",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bbx", targets: ["bbx"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .target(name: "BBXSyntax"),
        .target(name: "BBXCheck", dependencies: ["BBXSyntax"]),
        .target(name: "BBXFormat", dependencies: ["BBXSyntax"]),
        .executableTarget(
            name: "bbx",
            dependencies: [
                "BBXSyntax", "BBXCheck", "BBXFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the tests: location markers, golden files, running the built bbx.
        .target(name: "BBXTestSupport", dependencies: ["BBXSyntax"]),
        .testTarget(name: "BBXSyntaxTests", dependencies: ["BBXSyntax", "BBXTestSupport"]),
        .testTarget(name: "BBXCheckTests", dependencies: ["BBXCheck", "BBXSyntax", "BBXTestSupport"]),
        .testTarget(name: "BBXFormatTests", dependencies: ["BBXFormat", "BBXSyntax", "BBXTestSupport"]),
        .testTarget(name: "bbxTests", dependencies: ["bbx", "BBXTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
