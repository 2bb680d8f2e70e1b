import ArgumentParser
import FirmTraceKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Find the device's behaviour: periods, peaks, DNS, endpoints, identity; write an HTML report.",
        discussion: """
            Reads what timeline reads, moves log events onto the capture's clock, and groups every event into a \
            behaviour: a DNS name, a flow to host:port, a broadcast, an API call, a log message template. For \
            each it finds whether it repeats on a clock (period, jitter, events per cycle, confidence) or is \
            irregular, when it happens (hour of day in the device's zone; bursts), and which windows run far \
            above the usual (peaks). With the DNS table, the endpoints each process names, the device's \
            identity (vendor from the IEEE registry in Debian's ieee-data) and the log claims and traffic \
            that have no counterpart.

            The HTML is one file with inline SVG: no script, nothing fetched. A summary goes to standard \
            output; --json prints the findings as JSON instead.

            Example:
              firmtrace report Samples/v01.15.58/ -o report.html
            """
    )

    @Argument(help: "Logs, captures, folders or archives.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the HTML report here (JSON when the name ends in .json; add .gz or .zst to compress; - for standard output).", valueName: "file"))
    var output: String?

    @Flag(help: "Print the findings as JSON instead of the summary.")
    var json = false

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @OptionGroup var key: TuyaKeyOption

    @OptionGroup var clock: ClockOptions

    func validate() throws {
        if output == nil, !json { throw ValidationError("give -o FILE for the HTML report, or --json") }
    }

    func run() throws {
        var request = ReportRequest(inputs: inputs, tuyaKey: key.tuyaKey)
        (request.assumedZone, request.assumedYear) = (clock.zoneSeconds, clock.year)
        Terminal.ignoreBrokenPipe()
        if let output {
            do {
                try AtomicOutputFile.checkWritable(output, overwrite: force)
            } catch {
                Terminal.printError(error.description)
                throw ExitCode(2)
            }
        }
        let report = BehaviourReport.build(request)
        for diagnostic in report.diagnostics.all { Terminal.printError(diagnostic.description) }
        if let output {
            do {
                try report.write(to: output, overwrite: force)
            } catch {
                if error.isReaderClosed { return }
                Terminal.printError(error.description)
                throw ExitCode(2)
            }
        }
        if json {
            Terminal.printSummary(ReportJSON.render(report), wrote: output)
        } else {
            Terminal.printSummary(ReportText.summary(report), wrote: output)
            if let output { Terminal.printSummary("\nreport written to \(AtomicOutputFile.name(of: output))", wrote: output) }
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}
