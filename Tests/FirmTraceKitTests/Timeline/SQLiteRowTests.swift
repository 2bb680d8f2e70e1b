import Foundation
import Testing
@testable import FirmTraceKit

@Suite("SQLite rows read from a timeline's records")
struct SQLiteRowTests {
    /// Each column as the event read back from the same line gives it, typed: `i:` a whole number, `t:` text.
    private static func columns(_ row: SQLiteRow) -> [String] {
        [row.id, row.time, row.datetime, row.timeBasis, row.deviceTime, row.kind, row.origin, row.source, row.line, row.frame, row.message,
         row.link, row.fieldsObject].map { typed($0, in: row) }
    }

    private static func typed(_ value: SQLiteRow.Value, in row: SQLiteRow) -> String {
        switch value {
        case .null: "null"
        case .integer(let number): "i:\(number)"
        case .text(let range): "t:" + String(decoding: row.text[Int(range.lowerBound) ..< Int(range.upperBound)], as: UTF8.self)
        }
    }

    private static func columns(_ event: Event) -> [String] {
        let text = { (value: String?) in value.map { "t:" + $0 } ?? "null" }
        let number = { (value: Int64?) in value.map { "i:\($0)" } ?? "null" }
        return [text(event.id), number(event.time), text(event.time.map { UTCDateTime.iso8601(nanoseconds: $0) }), text(event.timeBasis.rawValue),
                text(event.deviceTime), text(event.kind.rawValue), text(event.origin), text(event.source), number(event.line.map(Int64.init)),
                number(event.frame.map(Int64.init)), text(event.message), text(event.links.isEmpty ? nil : event.links.joined(separator: " ")),
                text(JSONLSink.fieldsObject(event.fields))]
    }

    private static func fields(_ event: Event) -> [String] {
        event.fields.map { entry in
            switch entry.value {
            case .string(let text): "\(entry.key)=t:\(text)"
            case .integer(let number): "\(entry.key)=i:\(number)"
            case .bool(let truth): "\(entry.key)=i:\(truth ? 1 : 0)"
            }
        }
    }

    private static func row(_ line: String) -> SQLiteRow? {
        Array(line.utf8).withUnsafeBytes { SQLiteRow(line: $0) }
    }

    static let lines = [
        #"{"time":1657384296500000000,"datetime":"2022-07-09T16:31:36.500Z","time_basis":"log_clock","device_time":"07-10 02:31:36","kind":"tuya.mqtt","origin":"rriot_tuya","source":"a/b.log","line":7,"message":"mqtt connect","id":"e1","link":["e20","e3"],"fields":{"level":"Debug","broker_port":8883,"tls":true,"sync":false,"finding":"claim_without_packet"}}"#,
        #"{"time_basis":"unknown","kind":"kernel","origin":"kernel","source":"k\"in\\d.log","line":1,"message":"quote \" back\\slash tab\t nl\n cr\r nul\u0000 bell\u0007 é 😀 \u00e9","id":"e2","fields":{}}"#,
        #"{"time":-1,"datetime":"1969-12-31T23:59:59.999999999Z","time_basis":"capture","kind":"net.dns","origin":"capture","source":"c.pcapng","frame":12,"message":"","id":"e3","fields":{"k\"ey":"v\\al","neg":-9223372036854775808,"max":9223372036854775807,"empty":""}}"#,
        #"{"time_basis":"not_a_basis","kind":"x","origin":"y","source":"z","message":"m","id":"e4","link":[],"fields":{"a":"1","a":2}}"#,
        #"{"kind":"x","origin":"y","source":"z","message":"m","id":"e5","link":["","e1",""],"fields":{}}"#,
    ]

    @Test("a record's columns and fields are those of the event read back from it: escapes decoded, links joined, truth values as 1 and 0, an unknown basis as unknown, whole numbers to both ends of 64 bits", arguments: lines)
    func readsAsTheEvent(line: String) throws {
        let row = try #require(Self.row(line))
        let event = try #require(Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) })
        #expect(Self.columns(row) == Self.columns(event))
        #expect(row.fields.map { "\(Self.typed($0.key, in: row).dropFirst(2))=\(Self.typed($0.value, in: row))" } == Self.fields(event))
    }

    @Test("a line not as the fill writes it does not read", arguments: [
        #"{"id":"e1","fields":{}"#,
        #"{"id":"e1","fields":{}}x"#,
        #"{"id":"e1","fields":{},"other":1}"#,
        #"{"fields":{}}"#,
        #"{"id":"e1"}"#,
        #"{"id":"e1","fields":{"a":[1]}}"#,
        #"{"id":"e1", "fields":{}}"#,
        #"{"id":"e1","message":"open,"fields":{}}"#,
        #"{"id":"e1","fields":{"a":"b\"}}"#,
        #"{"id":"e1","fields":{"a":tru}}"#,
        #"{"id":"e1","fields":{"a":1.5}}"#,
        #"{"id":"e1","fields":{"a":9223372036854775808}}"#,
        #"{"id":"e1","fields":{"a":null}}"#,
        #"{"time":1e9,"id":"e1","fields":{}}"#,
        "",
    ])
    func rejectsOtherLines(line: String) {
        #expect(Self.row(line) == nil)
    }

    @Test("every row of an SQLite timeline holds what the same timeline's JSON Lines hold, typed as they are")
    func databaseMatchesJSONLines() throws {
        let scratch = try ScratchFolder()
        let database = scratch.appending("t.sqlite"), jsonl = scratch.appending("t.jsonl")
        _ = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: database, format: .sqlite))
        _ = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: jsonl, format: .jsonl))
        let events = try TimelineTests.lines(jsonl).map { line in try #require(Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) }) }
        #expect(events.contains { !$0.links.isEmpty } && events.contains { $0.message.contains("\"") })

        func query(_ sql: String) throws -> [[Any]] {
            let result = try Subprocess.run("sqlite3", ["-json", database, sql])
            #expect(result.status == 0, "\(result.error)")
            let rows = try #require(JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
            return rows.map { row in (0 ..< row.count).map { row["c\($0)"] as Any } }
        }
        func typed(_ value: Any) -> String {
            switch value {
            case let text as String: "t:" + text
            case let number as NSNumber: "i:\(number.int64Value)"
            default: "null"
            }
        }
        let columns = "id, time, datetime, time_basis, device_time, kind, origin, source, line, frame, message, link, fields"
            .split(separator: ", ").enumerated().map { "\($1) AS c\($0)" }.joined(separator: ", ")
        // The first difference, not the whole arrays: a failed comparison of arrays this long is diffed for ever.
        func firstDifference(_ found: [[String]], _ expected: [[String]]) -> String? {
            guard let index = found.indices.first(where: { $0 < expected.count && found[$0] != expected[$0] }) else {
                return found.count == expected.count ? nil : "\(found.count) rows, \(expected.count) events"
            }
            return "row \(index): \(found[index]) against \(expected[index])"
        }
        let rows = try query("SELECT \(columns) FROM events ORDER BY rowid").map { $0.map(typed) }
        #expect(firstDifference(rows, events.map(Self.columns)) == nil)
        let fields = try query("SELECT event_id AS c0, key AS c1, value AS c2 FROM fields ORDER BY rowid").map { [typed($0[0]), "\(typed($0[1]).dropFirst(2))=\(typed($0[2]))"] }
        #expect(firstDifference(fields, events.flatMap { event in Self.fields(event).map { ["t:" + (event.id ?? ""), $0] } }) == nil)
    }
}
