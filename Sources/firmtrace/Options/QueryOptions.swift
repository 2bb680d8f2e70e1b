import ArgumentParser
import FirmTraceKit

/// Which events a command takes: by kind, by an expression over their fields, by time, by text. `grep`
/// prints them; `timeline` writes them.
struct QueryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only events of this kind; a glob such as 'tuya.*'. Repeatable.", valueName: "glob"))
    var kind: [String] = []

    @Option(name: .customLong("where"), help: ArgumentHelp("Only events for which this expression holds.", valueName: "expr"))
    var expression: String?

    @Option(help: ArgumentHelp("Only events at or after this UTC time (2022-07-09, 2022-07-09T16:30:00Z, …+10:00).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only events before this time.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Only events whose message or any field contains this text.", valueName: "text"))
    var text: String?

    var isEmpty: Bool { kind.isEmpty && expression == nil && since == nil && until == nil && text == nil }

    func validate() throws {
        if let since, UTCDateTime.parse(since) == nil { throw ValidationError("--since: '\(since)' is not a date or time like 2022-07-09T16:30:00Z") }
        if let until, UTCDateTime.parse(until) == nil { throw ValidationError("--until: '\(until)' is not a date or time like 2022-07-09T16:30:00Z") }
        if let since, let until, let start = UTCDateTime.parse(since), let end = UTCDateTime.parse(until), start >= end {
            throw ValidationError("--since \(since) is not before --until \(until): no event could be chosen")
        }
        for pattern in kind where !EventKind.all.contains(where: { Glob.matches(pattern, $0.rawValue) }) {
            throw ValidationError("--kind '\(pattern)' matches no event kind; kinds: \(EventKind.all.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func query() throws -> EventQuery {
        var query = EventQuery(kindPatterns: kind, text: text)
        if let expression {
            do {
                query.expression = try FilterExpression.parse(expression)
            } catch {
                throw ValidationError("--where: \(error)")
            }
        }
        query.since = since.flatMap(UTCDateTime.parse)
        query.until = until.flatMap(UTCDateTime.parse)
        return query
    }
}
