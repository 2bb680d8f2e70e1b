import ArgumentParser
import FirmTraceKit

@main
struct FirmTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firmtrace",
        abstract: "Forensics for IoT devices: firmware logs and packet captures on one timeline.",
        discussion: """
            Exit codes: 0 success, 2 an input or member was skipped or refused (the messages on standard \
            error say which and why), 64 the command line was wrong.
            """,
        version: FirmTraceVersion.current,
        subcommands: [UnpackCommand.self, GrepCommand.self, FilterCommand.self, TimelineCommand.self, ClockCommand.self, CorrelateCommand.self, ReportCommand.self, DiffCommand.self]
    )

    static func main() {
        PartialFiles.removeOnInterrupt()
        Terminal.ignoreFileSizeLimitSignal()
        main(nil)
    }
}
