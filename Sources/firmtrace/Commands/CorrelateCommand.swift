import ArgumentParser
import FirmTraceKit

struct CorrelateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Put each log's clock on the capture's and link log lines to the packets they caused.",
        discussion: """
            A log line that must cause traffic (Post URL, Connect: host, an MQTT connect, a miio HTTP-DNS \
            request) is paired with the first packet it caused (the DNS query for the host, the TCP connection \
            to the server). Delay only makes packets later, so the offset is fitted to the envelope of the \
            differences: it lies between the largest difference and the smallest plus the one second a \
            whole-second stamp can drop; the estimate is the middle, the error half the width. A clock that \
            runs fast or slow gets a drift (drift_ppm, the median slope between pairs) when at least 20 \
            minutes of pairs show it moving the offset by a second or more; offset_s is then the offset in \
            the middle of the pairs. A clock that breaks (a restart, a step back, a step only the pairs show) \
            is split into segments, each placed on its own; a step only the pairs show is put at a time sync \
            line, or after the pause its jump left in the lines, or else halfway between the pairs \
            (step_put_at in --json).

            offset_s is the device clock, less its zone, minus capture time. With -o, the timeline is written \
            with log events moved onto the capture's clock (time_basis log_clock), an id on every event, and \
            link listing the ids of the other side; --kind, --where, --since, --until, --text and --findings \
            choose what it holds, as for timeline.

            Example:
              firmtrace correlate --logs Samples/v01.15.58/000137*.tar.gz --capture Samples/v01.15.58/capture-*.pcapng.gz -o linked.csv
            """
    )

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Logs: files, folders or bundles.", valueName: "input"))
    var logs: [String]

    @Option(name: .customLong("capture"), parsing: .upToNextOption, help: ArgumentHelp("Captures: files or folders.", valueName: "input"))
    var captures: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the linked timeline here (add .gz or .zst to compress; - for standard output).", valueName: "file"))
    var output: String?

    @Option(help: "Timeline format: csv, jsonl, timesketch or l2tcsv (default: from the output's name).")
    var format: TimelineFormat?

    @Flag(help: "Print the clock model and match counts as JSON.")
    var json = false

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @OptionGroup var selection: SelectionOptions

    @OptionGroup var key: TuyaKeyOption

    @OptionGroup var clock: ClockOptions

    func validate() throws {
        if output == nil, !selection.isEmpty {
            throw ValidationError("--kind, --where, --since, --until, --text and --findings choose what -o writes: give -o")
        }
    }

    func run() throws {
        var request = CorrelateRequest(logs: logs, captures: captures, output: output,
                                       format: format ?? output.map(TimelineFormat.guess(fromPath:)) ?? .csv, overwrite: force, tuyaKey: key.tuyaKey)
        (request.assumedZone, request.assumedYear) = (clock.zoneSeconds, clock.year)
        request.query = try selection.query.query()
        request.onlyFindings = selection.findings
        Terminal.ignoreBrokenPipe()
        let progress = ProgressLine()
        let outcome: CorrelateOutcome
        do {
            outcome = try Correlate.run(request) { progress.show($0) }
        } catch {
            progress.clear()
            if error.isReaderClosed { return }
            Terminal.printError(error.description)
            throw ExitCode(2)
        }
        progress.clear()
        for diagnostic in outcome.diagnostics.all { Terminal.printError(diagnostic.description) }
        Terminal.printSummary(json ? CorrelationReport.json(outcome) : CorrelationReport.text(outcome), wrote: output)
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
