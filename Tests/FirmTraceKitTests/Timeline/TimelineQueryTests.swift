import Foundation
import Testing
@testable import FirmTraceKit

@Suite("timeline of selected events", .serialized)
struct TimelineQueryTests {
    /// 16:50–17:00 on the capture's clock: log lines moved onto it and packets alike.
    static let since = UTCDateTime.parse("2022-07-09T16:50:00Z")!
    static let until = UTCDateTime.parse("2022-07-09T17:00:00Z")!

    static let queries: [(name: String, query: EventQuery)] = [
        ("kinds by glob", EventQuery(kindPatterns: ["tuya.*", "net.dns_*"])),
        ("an expression over fields", EventQuery(expression: try! FilterExpression.parse(#"host contains "tuyaeu" || name contains "tuyaeu""#))),
        ("a text anywhere", EventQuery(text: "a2.tuyaeu.com")),
        ("a time window", EventQuery(since: since, until: until)),
        ("a kind inside a time window", EventQuery(kindPatterns: ["net.dns_query"], since: since, until: until)),
        ("only a start", EventQuery(since: since)),
    ]

    /// The whole timeline of the inputs, as JSON Lines and as CSV records, made once for every case.
    struct Whole: Sendable {
        let outcome: TimelineOutcome
        let events: [Event]
        let jsonl: [String]
        let csv: [String]
    }

    static let whole = Result { () throws -> Whole in
        let scratch = try ScratchFolder()
        let jsonlPath = scratch.appending("whole.jsonl"), csvPath = scratch.appending("whole.csv")
        let outcome = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: jsonlPath, format: .jsonl))
        _ = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: csvPath, format: .csv))
        let jsonl = try TimelineTests.lines(jsonlPath)
        let events = try jsonl.map { line in try #require(Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) }) }
        return Whole(outcome: outcome, events: events, jsonl: jsonl, csv: try Array(csvRecords(csvPath).dropFirst()))
    }

    @Test("a filtered timeline is the whole timeline's rows that match, byte for byte: same times, ids and links",
          arguments: queries.indices, [TimelineFormat.csv, .jsonl])
    func filteredRowsAreTheWholeTimelinesRows(_ index: Int, _ format: TimelineFormat) throws {
        let scratch = try ScratchFolder()
        let whole = try Self.whole.get()
        let query = Self.queries[index].query
        let filteredPath = scratch.appending("filtered.\(format)")
        var request = TimelineRequest(inputs: TimelineTests.inputs, output: filteredPath, format: format)
        request.query = query
        let filtered = try Timeline.run(request)

        // The whole timeline's events, as written, decide which of its rows the filtered one holds.
        let selected = whole.events.indices.filter { query.matches(whole.events[$0]) }
        #expect(!selected.isEmpty && selected.count < whole.events.count, "the query selects some events, not all: \(Self.queries[index].name)")
        let rows = format == .csv ? whole.csv : whole.jsonl
        try #require(rows.count == whole.events.count)
        var written = try TimelineTests.lines(filteredPath)
        if format == .csv {
            written = try Self.csvRecords(filteredPath)
            #expect(written.first == TimelineFormat.csvHeader.joined(separator: ","))
            written.removeFirst()
        }
        #expect(written == selected.map { rows[$0] })

        #expect(filtered.read == whole.outcome.read)
        #expect(filtered.written == selected.count)
        #expect(filtered.unmatched == whole.events.count - selected.count)
        #expect(filtered.correlation.links == whole.outcome.correlation.links, "the links are found among every event read")
        if query.since != nil || query.until != nil { #expect(filtered.withoutTime == 0) }
        #expect(!scratch.tree().contains { $0.hasPrefix(".firmtrace") })
    }

    @Test("only the findings: the whole timeline's rows that carry one, each as it is there", arguments: [false, true])
    func onlyFindings(_ inWindow: Bool) throws {
        let scratch = try ScratchFolder()
        let whole = try Self.whole.get()
        var request = TimelineRequest(inputs: TimelineTests.inputs, output: scratch.appending("findings.jsonl"), format: .jsonl)
        request.onlyFindings = true
        if inWindow { request.query = EventQuery(since: Self.since, until: Self.until) }
        let outcome = try Timeline.run(request)
        let expected = whole.events.indices.filter { index in
            whole.jsonl[index].contains(#""finding":""#) && (!inWindow || request.query.matches(whole.events[index]))
        }.map { whole.jsonl[$0] }
        let findings = whole.outcome.correlation.unmatchedClaimOrdinals.count + whole.outcome.correlation.unloggedTrafficOrdinals.count
        #expect(!inWindow ? expected.count == findings : expected.count < findings)
        #expect(!expected.isEmpty)
        #expect(try TimelineTests.lines(scratch.appending("findings.jsonl")) == expected)
        #expect(outcome.written == expected.count)
        #expect(outcome.withoutTime == 0, "a finding always has a time")
    }

    /// A CSV file's records, each without its line end: a record ends at a line end outside quotes (a
    /// message may hold line breaks).
    static func csvRecords(_ path: String) throws -> [String] {
        var records: [String] = [], record: [UInt8] = [], quoted = false
        for byte in try Data(contentsOf: URL(fileURLWithPath: path)) {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if byte == UInt8(ascii: "\n"), !quoted {
                if record.last == UInt8(ascii: "\r") { record.removeLast() }
                records.append(String(decoding: record, as: UTF8.self))
                record.removeAll(keepingCapacity: true)
            } else {
                record.append(byte)
            }
        }
        return records
    }

    @Test("a query nothing matches writes the header alone and says so; the run still succeeds")
    func nothingSelected() throws {
        let scratch = try ScratchFolder()
        var request = TimelineRequest(inputs: TimelineTests.inputs, output: scratch.appending("none.csv"), format: .csv)
        request.query = EventQuery(since: UTCDateTime.parse("2030-01-01")!)
        let outcome = try Timeline.run(request)
        #expect(outcome.isWritten && outcome.written == 0 && outcome.exitStatus == 0)
        #expect(outcome.unmatched == outcome.read && outcome.read > 20_000)
        #expect(try Self.csvRecords(scratch.appending("none.csv")) == [TimelineFormat.csvHeader.joined(separator: ",")])
    }
}
