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

    /// From the name, a compression suffix aside: `timeline.jsonl.zst` is JSONL, `timeline.timesketch.jsonl`
    /// Timesketch's JSONL, `timeline.l2t.csv` (or `.l2tcsv`) plaso's columns.
    public static func guess(fromPath output: String) -> TimelineFormat {
        let path = OutputCompression.contentPath(output).lowercased()
        if path.hasSuffix(".timesketch.jsonl") || path.hasSuffix(".timesketch") { return .timesketch }
        if path.hasSuffix(".l2t.csv") || path.hasSuffix(".l2tcsv") { return .l2tcsv }
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

    /// Appends one event as a record template: its clock-dependent parts (time, basis, id, links) are
    /// holes that `fill` completes once the correlation has settled them. False when the format leaves
    /// the event out (no time, for Timesketch and l2tcsv). `fieldsText` is the writer's own.
    func appendTemplate(_ event: Event, to out: inout ByteBuffer, fieldsText: RepeatedFieldsText) -> Bool {
        switch self {
        case .jsonl, .sqlite:
            JSONLSink.append(event, to: &out, holes: true, fieldsText: fieldsText)
            out.append(0x0A)
        case .csv:
            appendCSV(event, to: &out, fieldsText: fieldsText)
        case .timesketch:
            guard event.time != nil else { return false }
            appendTimesketch(event, to: &out, fieldsText: fieldsText)
        case .l2tcsv:
            guard event.time != nil else { return false }
            appendL2T(event, to: &out, fieldsText: fieldsText)
        }
        return true
    }

    /// A source's name as its field in this format: a CSV field, or a JSON string.
    func sourceText(_ source: String) -> [UInt8] {
        var text = ByteBuffer()
        switch self {
        case .csv, .l2tcsv: EventBytes.appendCSVField(source, to: &text)
        case .jsonl, .sqlite, .timesketch: EventBytes.appendJSONString(source, to: &text)
        }
        return text.array
    }

    /// Writes a template out with its holes filled from `values` and `shared`; `second` keeps the last
    /// second's text from one record to the next.
    func fill(_ template: UnsafeRawBufferPointer, _ values: RecordValues, shared: SharedHoleValues, to out: inout ByteBuffer,
              second: inout EventBytes.SecondText) {
        var start = 0
        while let marker = ByteSearch.firstIndex(of: RecordHole.marker, in: template, from: start) {
            out.append(UnsafeRawBufferPointer(rebasing: template[start ..< marker]))
            if let hole = RecordHole(rawValue: template[marker + 1]) {
                append(hole, values, shared: shared, to: &out, second: &second)
            }
            start = marker + 2
        }
        out.append(UnsafeRawBufferPointer(rebasing: template[start...]))
    }

    private func append(_ hole: RecordHole, _ values: RecordValues, shared: SharedHoleValues, to out: inout ByteBuffer,
                        second: inout EventBytes.SecondText) {
        let time = values.time ?? 0
        func isoTime() { EventBytes.appendISO8601(nanoseconds: time, to: &out, cache: &second) }
        func microseconds() { EventBytes.appendInteger(time.floorDivided(by: 1000).quotient, to: &out) }
        func links() {
            // Every format writes nothing for no links: most records are looked up no further.
            if values.isLinked, let links = shared.links[values.ordinal] { appendLinks(links, to: &out) }
        }
        switch hole {
        case .source: shared.appendSource(values.source, to: &out)
        case .isoTime: isoTime()
        case .microseconds: microseconds()
        case .csvTimes:
            isoTime()
            out.append(UInt8(ascii: ","))
            microseconds()
        case .nanoseconds: EventBytes.appendInteger(time, to: &out)
        case .timeBasis: out.append(values.basis.staticName)
        case .id:
            out.append(UInt8(ascii: "e"))
            EventBytes.appendInteger(Int64(values.ordinal), to: &out)
        case .links: links()
        case .csvBasisAndLinks:
            out.append(values.basis.staticName)
            out.append(UInt8(ascii: ","))
            links()
        case .finding, .firstFinding:
            var first = hole == .firstFinding
            if let segment = values.clockSegment {
                appendClockSegment(segment, first: first, to: &out)
                first = false
            }
            if let finding = values.finding { append(finding, first: first, to: &out) }
        case .l2tDate:
            let (year, month, day) = UTCDateTime.civilDate(daysSinceEpoch: time.floorDivided(by: 86_400_000_000_000).quotient)
            EventBytes.appendTwoDigits(month, to: &out)
            out.append(UInt8(ascii: "/"))
            EventBytes.appendTwoDigits(day, to: &out)
            out.append(UInt8(ascii: "/"))
            EventBytes.appendYear(year, to: &out)
        case .l2tTime:
            EventBytes.appendClockTime(time.floorDivided(by: 1_000_000_000).quotient.floorDivided(by: 86_400).remainder, to: &out)
        }
    }

    private func append(_ finding: RecordFinding, first: Bool, to out: inout ByteBuffer) {
        switch self {
        case .csv:
            out.append(first ? "\"\"finding\"\":\"\"" : ",\"\"finding\"\":\"\"")
            out.append(finding.name)
            out.append("\"\"")
        case .jsonl, .sqlite, .timesketch:
            out.append(first ? "\"finding\":\"" : ",\"finding\":\"")
            out.append(finding.name)
            out.append(UInt8(ascii: "\""))
        case .l2tcsv:
            out.append(first ? "finding: " : "; finding: ")
            out.append(finding.name)
        }
    }

    private func appendClockSegment(_ segment: Int, first: Bool, to out: inout ByteBuffer) {
        switch self {
        case .csv: out.append(first ? "\"\"clock_segment\"\":" : ",\"\"clock_segment\"\":")
        case .jsonl, .sqlite, .timesketch: out.append(first ? "\"clock_segment\":" : ",\"clock_segment\":")
        case .l2tcsv: out.append(first ? "clock_segment: " : "; clock_segment: ")
        }
        EventBytes.appendInteger(Int64(segment), to: &out)
    }

    private func appendLinks(_ links: [Int], to out: inout ByteBuffer) {
        switch self {
        case .csv:
            for (index, link) in links.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                out.append(UInt8(ascii: "e"))
                EventBytes.appendInteger(Int64(link), to: &out)
            }
        case .jsonl, .sqlite:
            guard !links.isEmpty else { return }
            out.append(#","link":["#)
            for (index, link) in links.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(#""e"#)
                EventBytes.appendInteger(Int64(link), to: &out)
                out.append(UInt8(ascii: "\""))
            }
            out.append(UInt8(ascii: "]"))
        case .timesketch:
            guard !links.isEmpty else { return }
            out.append(#","link":""#)
            for (index, link) in links.enumerated() {
                out.append(index > 0 ? " e" : "e")
                EventBytes.appendInteger(Int64(link), to: &out)
            }
            out.append(UInt8(ascii: "\""))
        case .l2tcsv:
            break
        }
    }

    /// Static text that needs no quoting or escaping in any format: written as it is, not as a field.
    private static func description(_ event: Event) -> StaticString {
        event.timeBasis == .capture ? "Packet Time" : "Log Time"
    }

    private func appendCSV(_ event: Event, to out: inout ByteBuffer, fieldsText: RepeatedFieldsText) {
        if event.time != nil {
            RecordHole.csvTimes.append(to: &out)
        } else {
            out.append(UInt8(ascii: ","))
        }
        out.append(UInt8(ascii: ","))
        out.append(Self.description(event))
        let strings = fieldsText.strings
        out.append(UInt8(ascii: ","))
        strings.append(event.message, as: .csvField, to: &out)
        out.append(UInt8(ascii: ","))
        RecordHole.id.append(to: &out)
        func text(_ value: String?) {
            out.append(UInt8(ascii: ","))
            if let value { strings.append(value, as: .csvField, to: &out) }
        }
        func number(_ value: Int?) {
            out.append(UInt8(ascii: ","))
            if let value { EventBytes.appendInteger(Int64(value), to: &out) }
        }
        text(event.kind.rawValue)
        text(event.origin)
        out.append(UInt8(ascii: ","))
        RecordHole.source.append(to: &out)
        number(event.line)
        number(event.frame)
        text(event.deviceTime)
        out.append(UInt8(ascii: ","))
        RecordHole.csvBasisAndLinks.append(to: &out)
        out.append(UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        fieldsText.append(event.fields, to: &out) {
            EventBytes.appendFieldsObject($0, to: &$1, doublingQuotes: true, findingHole: true, strings: strings)
        }
        out.append(UInt8(ascii: "\""))
        out.append(0x0D)
        out.append(0x0A)
    }

    private static func appendKey(_ name: String, first: Bool = false, to out: inout ByteBuffer) {
        if !first { out.append(UInt8(ascii: ",")) }
        EventBytes.appendJSONString(name, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    private func appendTimesketch(_ event: Event, to out: inout ByteBuffer, fieldsText: RepeatedFieldsText) {
        out.append(UInt8(ascii: "{"))
        Self.appendKey("message", first: true, to: &out)
        EventBytes.appendJSONString(event.message, to: &out)
        Self.appendKey("datetime", to: &out)
        RecordHole.isoTime.appendQuoted(to: &out)
        Self.appendKey("timestamp", to: &out)
        RecordHole.microseconds.append(to: &out)
        Self.appendKey("timestamp_desc", to: &out)
        out.append(UInt8(ascii: "\""))
        out.append(Self.description(event))
        out.append(UInt8(ascii: "\""))
        Self.appendKey("id", to: &out)
        RecordHole.id.appendQuoted(to: &out)
        Self.appendKey("kind", to: &out)
        EventBytes.appendJSONString(event.kind.rawValue, to: &out)
        Self.appendKey("origin", to: &out)
        EventBytes.appendJSONString(event.origin, to: &out)
        Self.appendKey("source", to: &out)
        RecordHole.source.append(to: &out)
        if let deviceTime = event.deviceTime {
            Self.appendKey("device_time", to: &out)
            EventBytes.appendJSONString(deviceTime, to: &out)
        }
        Self.appendKey("time_basis", to: &out)
        RecordHole.timeBasis.appendQuoted(to: &out)
        RecordHole.links.append(to: &out)
        if let line = event.line {
            Self.appendKey("line", to: &out)
            EventBytes.appendInteger(Int64(line), to: &out)
        }
        if let frame = event.frame {
            Self.appendKey("frame", to: &out)
            EventBytes.appendInteger(Int64(frame), to: &out)
        }
        fieldsText.append(event.fields, to: &out) { fields, out in
            // Read in place, as in `EventBytes.appendFieldsObject`.
            fields.entries.withUnsafeBufferPointer { entries in
                for index in entries.indices {
                    let key = entries[index].key
                    Self.appendKey(Self.reservedNames.contains(key) ? "field_" + key : key, to: &out)
                    EventBytes.appendFieldValue(entries[index].value, to: &out)
                }
            }
        }
        RecordHole.finding.append(to: &out)
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
    }

    private func appendL2T(_ event: Event, to out: inout ByteBuffer, fieldsText: RepeatedFieldsText) {
        // Written column by column, as the other formats are: building the columns as strings first made
        // l2tcsv half as fast again as csv.
        func column(_ text: String) {
            out.append(UInt8(ascii: ","))
            EventBytes.appendCSVField(text, to: &out)
        }
        RecordHole.l2tDate.append(to: &out)
        out.append(UInt8(ascii: ","))
        RecordHole.l2tTime.append(to: &out)
        column("UTC")
        column("....")
        column(event.origin == "capture" ? "NET" : "LOG")
        column(event.origin)
        out.append(UInt8(ascii: ","))
        out.append(Self.description(event))
        column("-")
        column("-")
        out.append(UInt8(ascii: ","))
        Self.appendShortMessage(event.message, to: &out)
        column(event.message)
        column("2")
        out.append(UInt8(ascii: ","))
        RecordHole.source.append(to: &out)
        column("-")
        // The notes: kind, basis and id, none of which needs quoting.
        out.append(UInt8(ascii: ","))
        out.append(utf8: event.kind.rawValue)
        out.append(UInt8(ascii: " "))
        RecordHole.timeBasis.append(to: &out)
        out.append(UInt8(ascii: " "))
        RecordHole.id.append(to: &out)
        column("firmtrace")
        out.append(UInt8(ascii: ","))
        fieldsText.append(event.fields, to: &out) { fields, out in
            // The extra column: `key: value; …`.
            var extra = ByteBuffer()
            for (index, entry) in fields.entries.enumerated() {
                if index > 0 { extra.append("; ") }
                extra.append(utf8: entry.key)
                extra.append(": ")
                switch entry.value {
                case .string(let text): extra.append(utf8: text)
                case .integer(let number): EventBytes.appendInteger(number, to: &extra)
                case .bool(let truth): extra.append(truth ? "true" : "false")
                }
            }
            RecordHole.finding(after: fields).append(to: &extra)
            extra.withBytes { EventBytes.appendCSVField($0, to: &out) }
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    /// plaso's `short`: the message's first 80 characters, as a CSV field. Taken as bytes when they are
    /// plain ASCII with no carriage return (each byte then is one character) and the byte after them
    /// cannot join the last one; otherwise counted in characters.
    static func appendShortMessage(_ message: String, to out: inout ByteBuffer) {
        let length = 80
        let isPlain = message.withUTF8Bytes { bytes in
            bytes.count <= length || (!ByteClasses.containsNonASCII(UnsafeRawBufferPointer(rebasing: bytes[...length]))
                && ByteSearch.firstIndex(of: 0x0D, in: UnsafeRawBufferPointer(rebasing: bytes[..<length])) == nil)
        }
        guard isPlain else {
            EventBytes.appendCSVField(String(message.prefix(length)), to: &out)
            return
        }
        message.withUTF8Bytes { EventBytes.appendCSVField(UnsafeRawBufferPointer(rebasing: $0[..<min(length, $0.count)]), to: &out) }
    }
}

/// A part of a timeline record left open until the correlation has settled it, written as the byte 0xFF
/// (never part of UTF-8 text) and the hole's number.
enum RecordHole: UInt8 {
    case isoTime = 1, microseconds, nanoseconds, timeBasis, id, links, l2tDate, l2tTime
    /// The source's name, kept once for all its records: a bundle's member paths ran to a hundred bytes
    /// and more, written into every record of the scratch files.
    case source
    /// The `clock_segment` and `finding` fields at the end of the fields, after others or
    /// (`firstFinding`) alone. Numbered past LF and CR: l2tcsv's extra column is quoted around its hole
    /// only for the bytes CSV must escape.
    case finding = 14, firstFinding
    /// CSV's `datetime,timestamp` and `time_basis,link`, side by side in every record: one hole for each
    /// pair, as each hole costs a search and a copy of the bytes before it.
    case csvTimes, csvBasisAndLinks

    /// The finding's hole after `fields`: with a separator before it unless there are none.
    static func finding(after fields: EventFields) -> RecordHole {
        fields.isEmpty ? .firstFinding : .finding
    }

    static let marker: UInt8 = 0xFF

    /// Inlined: a call apiece cost more than the two bytes, for five holes in every record.
    @inline(__always) func append(to out: inout ByteBuffer) {
        out.append(Self.marker)
        out.append(rawValue)
    }

    /// The hole between double quotes, where JSON wants a string.
    func appendQuoted(to out: inout ByteBuffer) {
        out.append(UInt8(ascii: "\""))
        append(to: &out)
        out.append(UInt8(ascii: "\""))
    }
}

/// What fills the holes of every record of a merge alike: each source's name as the format writes it
/// (`sourceText`), by number, and the ordinals of the events linked to each linked event, by its ordinal.
struct SharedHoleValues: Sendable {
    /// Every source's text one after another, each at its range: an array of arrays had the source's
    /// array retained and released for every record filled.
    private let sourceTexts: [UInt8]
    private let sourceRanges: [Range<Int>]
    let links: [Int: [Int]]

    init(_ merge: RecordMerge, format: TimelineFormat) {
        var texts: [UInt8] = []
        sourceRanges = merge.sourceNames.map { name in
            let start = texts.count
            texts += format.sourceText(name)
            return start ..< texts.count
        }
        sourceTexts = texts
        links = merge.correlation.links
    }

    func appendSource(_ source: Int, to out: inout ByteBuffer) {
        sourceTexts.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[sourceRanges[source]])) }
    }
}

/// What fills a record's holes: its time and basis on the capture's clock, its place in arrival order,
/// the events linked to it.
struct RecordValues {
    var time: Int64?
    var basis: TimeBasis
    var ordinal: Int
    /// The number of the record's source among the merge's `sourceNames`.
    var source = 0
    /// Whether correlation linked it to events on the other side: its links are looked up by its ordinal
    /// when the record is filled. An array of them here was retained and released at each of the copies a
    /// record's values go through between the merge and the filling, for every record.
    var isLinked = false
    var finding: RecordFinding?
    /// For a log line whose source's clock `clock` splits into several segments: the number of the one
    /// that placed it, written as its `clock_segment` field.
    var clockSegment: Int?
}

/// What the correlation found of an event with no counterpart, written as its `finding` field so that a
/// timeline can be filtered on the findings themselves.
enum RecordFinding: UInt8 {
    case claimWithoutPacket = 1, trafficWithoutLogLine

    var name: StaticString {
        switch self {
        case .claimWithoutPacket: "claim_without_packet"
        case .trafficWithoutLogLine: "traffic_without_log_line"
        }
    }
}
