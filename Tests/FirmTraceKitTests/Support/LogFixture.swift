import Foundation
@testable import FirmTraceKit

/// Collects what grep hands to its sink; once it holds `limit` events it asks for no more.
final class CollectingSink: EventSink {
    let limit: Int
    var events: [Event] = []
    init(limit: Int = .max) { self.limit = limit }
    func accept(_ event: Event) -> Bool {
        events.append(event)
        return events.count < limit
    }
    func finish() {}
}

enum LogFixture {
    /// Runs grep over `text` written to a file named `name`, and returns the events and the outcome.
    static func grep(_ text: String, name: String = "tuya.log", query: EventQuery = EventQuery(),
                     tuyaKey: String? = nil) throws -> (events: [Event], outcome: GrepOutcome) {
        try grep(bytes: Array(text.utf8), name: name, query: query, tuyaKey: tuyaKey)
    }

    static func grep(bytes: [UInt8], name: String = "tuya.log", query: EventQuery = EventQuery(),
                     tuyaKey: String? = nil) throws -> (events: [Event], outcome: GrepOutcome) {
        let scratch = try ScratchFolder()
        let path = scratch.appending(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let sink = CollectingSink()
        let outcome = Grep.run(GrepRequest(inputs: [path], query: query, tuyaKey: tuyaKey), sink: sink)
        return (sink.events, outcome)
    }

    static func events(_ text: String, name: String = "tuya.log", query: EventQuery = EventQuery(),
                       tuyaKey: String? = nil) throws -> [Event] {
        try grep(text, name: name, query: query, tuyaKey: tuyaKey).events
    }

    /// The Tuya lines of the seed document, as the analyst pasted them.
    static var seedTuyaLines: [String] {
        let seed = TestPaths.corpus.deletingLastPathComponent().appendingPathComponent("seed/packet-analysis.txt")
        let text = (try? String(contentsOf: seed, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init).filter { $0.hasPrefix("[0") && $0.contains(" TUYA ") }
    }
}
