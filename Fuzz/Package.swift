// swift-tools-version:6.0
import PackageDescription

/// libFuzzer harnesses for every parser, built apart from the product so that only they are compiled with
/// `-sanitize=fuzzer,address`: `Scripts/fuzz` builds and runs them. Each harness reaches the parser's
/// internals through `@testable import`, so this package is built in debug, where that is allowed.
let harnesses = ["FuzzLogs", "FuzzCapture", "FuzzDNS", "FuzzDHCP", "FuzzTLS", "FuzzTuyaMiio", "FuzzFilter", "FuzzArchive", "FuzzJSON"]

let package = Package(
    name: "firmtrace-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "FirmTraceKit", package: "main")]),
    ] + harnesses.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "FirmTraceKit", package: "main")])
    },
    swiftLanguageModes: [.v6]
)
