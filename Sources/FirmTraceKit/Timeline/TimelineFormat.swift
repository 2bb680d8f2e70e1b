/// The files a timeline is written as.
public enum TimelineFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV: Timesketch's columns first, then the event's names, the fields as one JSON object.
    case csv
    /// JSON Lines, the names of `grep --json`, with `id` and `link`.
    case jsonl
    /// JSON Lines Timesketch imports as is: `message`, `datetime`, `timestamp` (µs), `timestamp_desc` on
    /// every line and the fields as top-level attributes. Events without a time are left out (and counted).
    case timesketch
    /// plaso's 17-column CSV for legacy tools. Events without a time are left out (and counted).
    case l2tcsv
    /// An SQLite database: `events` (indexed on time and kind) and `fields` (indexed on key and value).
    case sqlite

    public static func guess(fromPath path: String) -> TimelineFormat {
        if path.hasSuffix(".jsonl") || path.hasSuffix(".json") { return .jsonl }
        if path.hasSuffix(".sqlite") || path.hasSuffix(".sqlite3") || path.hasSuffix(".db") { return .sqlite }
        return .csv
    }

    static let csvHeader = ["datetime", "timestamp", "timestamp_desc", "message", "id", "kind", "origin", "source", "line", "frame",
                            "device_time", "time_basis", "link", "fields"]
    static let l2tHeader = ["date", "time", "timezone", "MACB", "source", "sourcetype", "type", "user", "host", "short", "desc",
                            "version", "filename", "inode", "notes", "format", "extra"]
    /// Timesketch's own attribute names: a field with one of these names is written as `field_<name>`.
    static let reservedNames: Set<String> = ["message", "datetime", "timestamp", "timestamp_desc", "id", "kind", "origin", "source",
                                             "line", "frame", "device_time", "time_basis", "link", "__ts_timeline_id", "tag", "label"]

    var header: String? {
        switch self {
        case .csv: CSV.row(Self.csvHeader)
        case .l2tcsv: CSV.row(Self.l2tHeader)
        case .jsonl, .timesketch, .sqlite: nil
        }
    }

    /// Appends one event; false when the format leaves it out (no time, for Timesketch and l2tcsv).
    func append(_ event: Event, to out: inout [UInt8]) -> Bool {
        switch self {
        case .jsonl, .sqlite:
            JSONLSink.append(event, to: &out)
            out.append(0x0A)
        case .csv:
            appendCSV(event, to: &out)
        case .timesketch:
            guard let time = event.time else { return false }
            appendTimesketch(event, time: time, to: &out)
        case .l2tcsv:
            guard let time = event.time else { return false }
            appendL2T(event, time: time, to: &out)
        }
        return true
    }

    private static func description(_ event: Event) -> String {
        event.timeBasis == .capture ? "Packet Time" : "Log Time"
    }

    private func appendCSV(_ event: Event, to out: inout [UInt8]) {
        if let time = event.time {
            EventBytes.appendISO8601(nanoseconds: time, to: &out)
            out.append(UInt8(ascii: ","))
            EventBytes.appendInteger(time.floorDivided(by: 1000).quotient, to: &out)
        } else {
            out.append(UInt8(ascii: ","))
        }
        for text in [Self.description(event), event.message, event.id ?? "", event.kind.rawValue, event.origin, event.source,
                     event.line.map(String.init) ?? "", event.frame.map(String.init) ?? "", event.deviceTime ?? "",
                     event.timeBasis.rawValue, event.links.joined(separator: " ")] {
            out.append(UInt8(ascii: ","))
            EventBytes.appendCSVField(text, to: &out)
        }
        out += [UInt8(ascii: ","), UInt8(ascii: "\"")]
        EventBytes.appendFieldsObject(event.fields, to: &out, doublingQuotes: true)
        out += [UInt8(ascii: "\""), 0x0D, 0x0A]
    }

    private static func appendKey(_ name: String, first: Bool = false, to out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        EventBytes.appendJSONString(name, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    private func appendTimesketch(_ event: Event, time: Int64, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        Self.appendKey("message", first: true, to: &out)
        EventBytes.appendJSONString(event.message, to: &out)
        Self.appendKey("datetime", to: &out)
        out.append(UInt8(ascii: "\""))
        EventBytes.appendISO8601(nanoseconds: time, to: &out)
        out.append(UInt8(ascii: "\""))
        Self.appendKey("timestamp", to: &out)
        EventBytes.appendInteger(time.floorDivided(by: 1000).quotient, to: &out)
        Self.appendKey("timestamp_desc", to: &out)
        EventBytes.appendJSONString(Self.description(event), to: &out)
        let names: [(String, String?)] = [("id", event.id), ("kind", event.kind.rawValue), ("origin", event.origin),
                                          ("source", event.source), ("device_time", event.deviceTime),
                                          ("time_basis", event.timeBasis.rawValue),
                                          ("link", event.links.isEmpty ? nil : event.links.joined(separator: " "))]
        for (name, value) in names {
            guard let value else { continue }
            Self.appendKey(name, to: &out)
            EventBytes.appendJSONString(value, to: &out)
        }
        if let line = event.line {
            Self.appendKey("line", to: &out)
            EventBytes.appendInteger(Int64(line), to: &out)
        }
        if let frame = event.frame {
            Self.appendKey("frame", to: &out)
            EventBytes.appendInteger(Int64(frame), to: &out)
        }
        for entry in event.fields {
            Self.appendKey(Self.reservedNames.contains(entry.key) ? "field_" + entry.key : entry.key, to: &out)
            EventBytes.appendFieldValue(entry.value, to: &out)
        }
        out += [UInt8(ascii: "}"), 0x0A]
    }

    private func appendL2T(_ event: Event, time: Int64, to out: inout [UInt8]) {
        let (seconds, _) = time.floorDivided(by: 1_000_000_000)
        let iso = UTCDateTime.iso8601(seconds: seconds)          // 2022-07-09T10:51:49Z
        let date = "\(iso.dropFirst(5).prefix(2))/\(iso.dropFirst(8).prefix(2))/\(iso.prefix(4))"
        let clock = String(iso.dropFirst(11).prefix(8))
        let extra = event.fields.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        let source = event.origin == "capture" ? "NET" : "LOG"
        let columns = [date, clock, "UTC", "....", source, event.origin, Self.description(event), "-", "-",
                       String(event.message.prefix(80)), event.message, "2", event.source, "-",
                       "\(event.kind.rawValue) \(event.timeBasis.rawValue)\(event.id.map { " " + $0 } ?? "")", "firmtrace", extra]
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            EventBytes.appendCSVField(column, to: &out)
        }
        out += [0x0D, 0x0A]
    }
}
