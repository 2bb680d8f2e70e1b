import ArgumentParser
import FirmTraceKit

struct ClockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock",
        abstract: "Show each log source's clock: year, zone, and offset against the captures given with it.",
        discussion: """
            INPUT mixes logs and captures as grep reads them. For every log source: the year and where it \
            came from (epochs in its lines, the archive member's mtime, the bundle name, the captures' dates, \
            or --year), the time zone, and, when captures are given, the device clock's offset against them with \
            its error, its drift when the pairs show one, and the number of log-line/packet pairs behind it \
            (see 'firmtrace correlate --help').

            Example:
              firmtrace clock Samples/v01.15.58/ --json
            """
    )

    @Argument(help: "Logs and captures.")
    var inputs: [String]

    @Flag(help: "Print the model as JSON.")
    var json = false

    @OptionGroup var clock: ClockOptions

    func run() throws {
        let progress = ProgressLine()
        let outcome: CorrelateOutcome
        do {
            var request = CorrelateRequest(logs: inputs, captures: [])
            (request.assumedZone, request.assumedYear) = (clock.zoneSeconds, clock.year)
            outcome = try Correlate.run(request) { progress.show($0) }
        } catch {
            progress.clear()
            Terminal.printError(error.description)
            throw ExitCode(2)
        }
        progress.clear()
        for diagnostic in outcome.diagnostics.all { Terminal.printError(diagnostic.description) }
        print(json ? CorrelationReport.json(outcome) : CorrelationReport.text(outcome))
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
