// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "firmtrace",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "firmtrace", targets: ["firmtrace"]),
        .library(name: "FirmTraceKit", targets: ["FirmTraceKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // Compressed outputs (`timeline.csv.zst`, `filtered.pcapng.gz`): zlib and zstd themselves; the
        // timeline's scratch files: LZ4.
        .systemLibrary(
            name: "CCompression",
            providers: [.apt(["zlib1g-dev", "libzstd-dev", "liblz4-dev"])]
        ),
        .target(name: "CShims", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(
            name: "FirmTraceKit",
            dependencies: [
                "CArchive",
                "CCompression",
                "CShims",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            // The run-time exclusivity checks cost about a twentieth of a timeline (every class property
            // touched per line or per event enters and leaves an access-tracking set); debug builds, which
            // the tests run, keep them, and the compile-time checks stay on everywhere.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "firmtrace",
            dependencies: [
                "FirmTraceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "FirmTraceKitTests",
            dependencies: ["FirmTraceKit", "CArchive"],
            // Read by path from the tests (they are oracles made by scripts), not bundled.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "firmtraceTests",
            dependencies: ["firmtrace"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
