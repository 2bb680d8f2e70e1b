import ArgumentParser
import FirmTraceKit

struct UnpackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Safely unpack device log bundles and write a manifest with every file's SHA-256.",
        discussion: """
            Reads tar, zip and 7z archives, compressed with gzip, zstd, xz, bzip2 or lz4, and single \
            compressed files; the format is recognised from the bytes. Archives inside archives are \
            unpacked into a folder named after them (varlog.tar.gz -> varlog.tar.gz.d/). Paths with '..', \
            absolute paths, links leading outside the output folder and device files are refused, and the \
            run stops early on decompression bombs. DIR/manifest.csv lists every file written with its \
            size, SHA-256, modification time and the chain of archives it came from.

            Example:
              firmtrace unpack 000123.20220709205150123_R1234567890_v01.15.58.tar.gz -o evidence/
            """
    )

    @Argument(help: "Archives or compressed files to unpack.")
    var archives: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Folder to unpack into; created when missing.", valueName: "dir"))
    var output: String

    @Option(help: "How many levels of nested archives to unpack (0: keep nested archives packed). Default: no limit but the size limits.")
    var depth: Int?

    @Option(help: ArgumentHelp("Stop when the run has written this many bytes (suffixes K, M, G, T).", valueName: "size"))
    var maxBytes: ByteCount = ByteCount(UnpackLimits().maxTotalBytes)

    @Option(help: "Stop when the run has written this many files.")
    var maxFiles: Int = UnpackLimits().maxFiles

    @Option(help: "Stop an input whose output grows past this many bytes per compressed byte (once past 64 MiB).")
    var maxRatio: Double = UnpackLimits().maxExpansionRatio

    @Flag(help: "Replace files already in the output folder.")
    var force = false

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more") }
        if maxFiles < 1 { throw ValidationError("--max-files must be at least 1") }
        if !(maxRatio > 1) { throw ValidationError("--max-ratio must be more than 1") }
    }

    var request: UnpackRequest {
        var limits = UnpackLimits()
        limits.maxTotalBytes = maxBytes.bytes
        limits.maxFiles = maxFiles
        limits.maxExpansionRatio = maxRatio
        return UnpackRequest(archives: archives, outputDirectory: output, maxDepth: depth, limits: limits, overwrite: force)
    }

    func run() throws {
        let progress = ProgressLine()
        let outcome: UnpackOutcome
        do {
            outcome = try Unpack.run(request) { update in
                progress.show("\(ByteCount(update.bytesWritten)) in \(update.filesWritten) files  \(update.source)",
                              bytes: update.bytesWritten)
            }
        } catch {
            progress.clear()
            Terminal.printError(error.description)
            throw ExitCode(2)
        }
        progress.clear()
        for diagnostic in outcome.diagnostics.all {
            Terminal.printError(diagnostic.description)
        }
        let files = outcome.rows.count
        print("unpacked \(files) file\(files == 1 ? "" : "s") (\(ByteCount(outcome.bytesWritten))) into \(output)")
        print("manifest: \(outcome.manifestPath)")
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
