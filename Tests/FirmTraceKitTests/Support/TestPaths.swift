import Foundation

/// Where the project, its samples and the shared corpus are, found from this file, never copied.
enum TestPaths {
    static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = projectRoot.appendingPathComponent("Samples")
    static let corpus = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static func sampleFiles(endingWith suffix: String) -> [String] {
        let profiles = (try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []
        return profiles.filter { $0.hasPrefix("v") }.sorted().flatMap { profile in
            let folder = samples.appendingPathComponent(profile)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder.appendingPathComponent($0).path }
        }
    }
}

/// A fresh folder under the system's temporary folder, removed when the value is dropped.
final class ScratchFolder {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("firmtrace-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func appending(_ component: String) -> String { url.appendingPathComponent(component).path }

    /// Every file, folder and link below the folder, relative and sorted.
    func tree(_ subfolder: String = "") -> [String] {
        let base = subfolder.isEmpty ? url : url.appendingPathComponent(subfolder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return walker.compactMap { $0 as? String }.sorted()
    }
}

/// Runs a program and returns its standard output; fails the test's expectation through the exit status.
struct Subprocess {
    let status: Int32
    let output: String
    let error: String

    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> Subprocess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Subprocess(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                          error: String(decoding: errorData, as: UTF8.self))
    }
}
