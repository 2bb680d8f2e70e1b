import ArgumentParser
import FirmTraceKit

/// Which events a written timeline holds: grep's query, or the correlation's findings. `timeline` and
/// `correlate -o` write them.
struct SelectionOptions: ParsableArguments {
    @OptionGroup var query: QueryOptions

    @Flag(help: "Only the findings: log lines claiming traffic the capture does not show, device traffic no log line accounts for.")
    var findings = false

    var isEmpty: Bool { !findings && query.isEmpty }

    func validate() throws {
        if let names = try query.query().expression?.fieldNames,
           let late = names.first(where: { ["finding", "clock_segment"].contains($0) }) {
            throw ValidationError("--where: \(late) is settled only once every input is read, after --where has chosen; use --findings for the findings")
        }
    }
}
