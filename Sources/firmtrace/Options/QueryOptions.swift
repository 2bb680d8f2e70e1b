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
        let start = try Self.time(since, option: "--since"), end = try Self.time(until, option: "--until")
        if let since, let until, let start, let end, start >= end {
            throw ValidationError("--since \(since) is not before --until \(until): no event could be chosen")
        }
        for pattern in kind where !EventKind.all.contains(where: { Glob.matches(pattern, $0.rawValue) }) {
            throw ValidationError("--kind '\(pattern)' matches no event kind; kinds: \(EventKind.all.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The time `text` names, nil for none; a usage error naming `option` when it names none.
    private static func time(_ text: String?, option: String) throws -> Int64? {
        guard let text else { return nil }
        guard let time = UTCDateTime.parse(text) else {
            throw ValidationError("\(option): '\(text)' is not a date or time like 2022-07-09T16:30:00Z")
        }
        return time
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
        query.since = try Self.time(since, option: "--since")
        query.until = try Self.time(until, option: "--until")
        return query
    }
}
