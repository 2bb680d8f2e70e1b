// swift-tools-version:6.0
import PackageDescription

/// libFuzzer harnesses for every parser, built apart from the product so that only they are compiled with
/// `-sanitize=fuzzer,address`: `Scripts/fuzz` builds and runs them. Each harness reaches the parser's
/// internals through `@testable import`, so `Scripts/fuzz` builds with `-enable-testing`.
let harnesses = ["FuzzLogs", "FuzzCapture", "FuzzDNS", "FuzzDHCP", "FuzzTLS", "FuzzTuyaMiio", "FuzzFilter", "FuzzArchive", "FuzzJSON",
                 "FuzzCorrelate"]

let package = Package(
    name: "firmtrace-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", .product(name: "FirmTraceKit", package: "main")]),
    ] + harnesses.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "FirmTraceKit", package: "main")])
    },
    swiftLanguageModes: [.v6]
)
