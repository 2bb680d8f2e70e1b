import ArgumentParser
import FirmTraceKit

extension TimelineFormat: ExpressibleByArgument {}

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Merge every event of logs and captures into one time-ordered file.",
        discussion: """
            Reads what grep reads (logs, captures, folders, archives in place) and writes every event in time \
            order, each with an id; events without a time come last, in source order. Files are read side by \
            side, one thread each; events are sorted in memory up to a bound and spilled as sorted runs to \
            unlinked scratch files beside the output, so input size does not decide memory. The output is \
            written under a temporary name and renamed when complete; a name ending in .gz or .zst is \
            compressed while it is written (gzip's and zstd's default levels), the format read from the \
            name before it.

            Formats: csv (Timesketch's columns first: datetime, timestamp, timestamp_desc, message; then id, \
            kind, origin, source, line, frame, device_time, time_basis, link, fields), jsonl, timesketch \
            (JSONL that Timesketch imports; events without a time are left out and counted), l2tcsv \
            (plaso's 17 columns; the same), sqlite (tables events and fields, indexed on time, kind and \
            field). When logs and captures are given together, log events are moved onto the capture's \
            clock and linked to the packets they caused (see correlate).

            --kind, --where, --since, --until and --text select the events written, as for grep. Every event \
            is still read, so the clocks, ids and links are those of the whole timeline (a link may name an \
            event left out); --since and --until are on the timeline's clock, the capture's for log events \
            moved onto it, and leave out events without a time; --where sees an event as read, before that \
            move (its time_basis as the log gave it). --findings keeps only the correlation's findings.

            Examples:
              firmtrace timeline Samples/v01.15.58/ -o timeline.csv
              firmtrace timeline rrlog/ cap.pcapng --since 2022-07-09T16:00:00Z -o late.csv
              firmtrace timeline bundle.tar.gz cap.pcapng --kind 'tuya.*' -o tuya.jsonl
            """
    )

    @Argument(help: "Logs, captures, folders or archives.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The timeline file to write (add .gz or .zst to compress; - for standard output).", valueName: "file"))
    var output: String

    @Option(help: "csv, jsonl, timesketch, l2tcsv or sqlite (default: from the output's name, else csv).")
    var format: TimelineFormat?

    @Flag(help: "Replace the output if it exists.")
    var force = false

    @OptionGroup var selection: SelectionOptions

    @OptionGroup var key: TuyaKeyOption

    @OptionGroup var clock: ClockOptions

    func validate() throws {
        if format == .sqlite {
            try Terminal.refuseBinaryOnTerminal(output, what: "an SQLite timeline", remedy: "redirect standard output, or name a file with -o")
        }
    }

    func run() throws {
        var request = TimelineRequest(inputs: inputs, output: output, format: format ?? TimelineFormat.guess(fromPath: output),
                                      overwrite: force, tuyaKey: key.tuyaKey)
        (request.assumedZone, request.assumedYear) = (clock.zoneSeconds, clock.year)
        request.query = try selection.query.query()
        request.onlyFindings = selection.findings
        Terminal.ignoreBrokenPipe()
        let progress = ProgressLine()
        let outcome: TimelineOutcome
        do {
            outcome = try Timeline.run(request) { progress.show($0) }
        } catch {
            progress.clear()
            if error.isReaderClosed { return }
            Terminal.printError(error.description)
            throw ExitCode(2)
        }
        progress.clear()
        for diagnostic in outcome.diagnostics.all {
            Terminal.printError(diagnostic.description)
        }
        if outcome.isWritten {
            var summary = "\(outcome.written) events written to \(AtomicOutputFile.name(of: output))"
            if outcome.withoutTime > 0 { summary += "; \(outcome.withoutTime) without a time" }
            if outcome.leftOut > 0 { summary += " (\(outcome.leftOut) left out: \(request.format.rawValue) needs a time)" }
            if outcome.unmatched > 0 { summary += "; \(outcome.unmatched) of the \(outcome.read) read not selected" }
            Terminal.printSummary(summary, wrote: output)
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
