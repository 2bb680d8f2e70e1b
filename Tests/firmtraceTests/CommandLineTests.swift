import Foundation
import Testing

/// Runs the built `firmtrace` binary the way a user does and checks what it prints and returns.
@Suite("firmtrace command line")
struct CommandLineTests {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The test bundle is built beside the tool.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("firmtrace")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return projectRoot.appendingPathComponent(".build/debug/firmtrace").path
    }

    struct Result {
        let status: Int32, output: String, error: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("firmtrace-cli-\(UUID().uuidString)").path
    }

    @Test("--help lists every subcommand with its purpose, and only built ones")
    func help() throws {
        let result = try Self.run(["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("unpack                  Safely unpack device log bundles"))
        #expect(result.output.contains("grep                    Search firmware logs by meaning"))
        let subcommands = result.output.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        for unbuilt in ["filter", "timeline", "correlate", "report", "diff", "clock"] {
            #expect(!subcommands.contains("  \(unbuilt) "), "\(unbuilt) is listed but not built")
        }
    }

    @Test("--version prints the version")
    func version() throws {
        let result = try Self.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output == "0.1.0\n")
    }

    @Test("unpack --help shows a real example")
    func unpackHelp() throws {
        let result = try Self.run(["unpack", "--help"])
        #expect(result.output.contains("firmtrace unpack 000123.20220709205150123_R1234567890_v01.15.58.tar.gz -o"))
        #expect(result.output.contains("--max-bytes <size>"))
    }

    @Test("unpack of a sample exits 0, says where the manifest is, and prints no progress when piped")
    func unpackSample() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bundle = Self.projectRoot.appendingPathComponent(
            "Samples/v01.15.58/000137.20220710033500000_R0018S91200123_v01.15.58.tar.gz").path
        let result = try Self.run(["unpack", bundle, "-o", folder])
        #expect(result.status == 0)
        #expect(result.output.contains("unpacked 5 files"))
        #expect(result.output.contains("manifest: \(folder)/manifest.csv"))
        #expect(result.error.isEmpty)
    }

    @Test("a bad input gives one message naming it, the good input still unpacks, and exit code 2")
    func badInputExitsTwo() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bundle = Self.projectRoot.appendingPathComponent(
            "Samples/v02.29.02/000412.20220911033500000_R0018S91200123_v02.29.02.tar.zst").path
        let result = try Self.run(["unpack", "/nonexistent/bundle.tar.gz", bundle, "-o", folder])
        #expect(result.status == 2)
        #expect(result.error.contains("firmtrace: /nonexistent/bundle.tar.gz: error: cannot read: No such file or directory"))
        #expect(result.output.contains("unpacked 5 files"))
    }

    @Test("a wrong command line exits 64 with usage")
    func usageError() throws {
        let result = try Self.run(["unpack", "x.tar.gz"])
        #expect(result.status == 64)
        #expect(result.error.contains("Missing expected argument '--output <dir>'"))
    }
}
