import ArgumentParser
import FirmTraceKit

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two sets of evidence: what appeared, disappeared or changed period.",
        discussion: """
            Builds the report's findings for the inputs before -- and for those after it, and compares \
            processes, DNS names, endpoints (what each process names, and the flows the capture shows), ports \
            and periodic behaviours. A host replaced by one differing only in its first label is reported \
            once as replaced; a behaviour whose period moved by more than 15 %, or that became regular or \
            irregular, as changed.

            Example:
              firmtrace diff Samples/v01.15.58/*.tar.gz Samples/v01.15.58/*.pcapng.gz -- Samples/v02.29.02/*.tar.gz Samples/v02.29.02/*.pcapng.gz
            """
    )

    @OptionGroup var options: DiffOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Inputs before, --, inputs after.", valueName: "input"))
    var inputs: [String] = []

    var sides: (before: [String], after: [String]) {
        guard let separator = inputs.firstIndex(of: "--") else { return ([], []) }
        return (Array(inputs[..<separator]), Array(inputs[(separator + 1)...]))
    }

    /// Everything after `--` is taken as it stands, so options written after the inputs (`… -- B… --json`)
    /// are split off here and parsed by the same rules as those written first.
    mutating func validate() throws {
        // Passthrough capture takes `--help` as an input too when it comes first.
        if let help = inputs.firstIndex(where: { $0 == "--help" || $0 == "-h" }), help < (inputs.firstIndex(of: "--") ?? inputs.endIndex) {
            throw CleanExit.helpRequest(self)
        }
        if let separator = inputs.firstIndex(of: "--"),
           let firstOption = inputs[(separator + 1)...].firstIndex(where: { $0.hasPrefix("-") }) {
            do {
                options.merge(try DiffOptions.parse(Array(inputs[firstOption...])))
            } catch {
                throw ValidationError(DiffOptions.message(for: error))
            }
            inputs.removeSubrange(firstOption...)
        }
        guard !sides.before.isEmpty, !sides.after.isEmpty else {
            throw ValidationError("give the inputs before, then --, then the inputs after")
        }
    }

    func run() throws {
        func report(_ inputs: [String]) -> BehaviourReport {
            var request = ReportRequest(inputs: inputs, tuyaKey: options.key.tuyaKey)
            (request.assumedZone, request.assumedYear) = (options.clock.zoneSeconds, options.clock.year)
            let report = BehaviourReport.build(request)
            for diagnostic in report.diagnostics.all { Terminal.printError(diagnostic.description) }
            return report
        }
        Terminal.ignoreBrokenPipe()
        let difference = FirmwareDiff.compare(report(sides.before), report(sides.after))
        print(options.json ? difference.json : difference.text)
        if difference.exitStatus != 0 { throw ExitCode(difference.exitStatus) }
    }
}

struct DiffOptions: ParsableArguments {
    @Flag(help: "Print added, removed and changed as JSON.")
    var json = false

    @OptionGroup var key: TuyaKeyOption

    @OptionGroup var clock: ClockOptions

    mutating func merge(_ other: DiffOptions) {
        json = json || other.json
        key.tuyaKey = other.key.tuyaKey ?? key.tuyaKey
        clock.tz = other.clock.tz ?? clock.tz
        clock.year = other.clock.year ?? clock.year
    }
}
