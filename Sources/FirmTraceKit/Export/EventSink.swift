/// Whatever renders events: the terminal printer, JSON Lines, CSV. Sinks never know where events come
/// from, and sources never know how they are shown.
public protocol EventSink: AnyObject {
    /// Takes one event; false asks the producer to stop (the output went away).
    func accept(_ event: Event) -> Bool
    /// Takes one event its producer is done with: a sink that keeps events (`SinkPipeline`) moves it in
    /// rather than copying it, which retained each of its strings and arrays once more.
    func accept(owned event: consuming Event) -> Bool
    func finish()
}

extension EventSink {
    public func accept(owned event: consuming Event) -> Bool { accept(event) }
}

/// Aligned lines for people: time (or the device's own stamp when there is no time), kind, origin,
/// source and line, message. Colour only when writing to a terminal.
public final class HumanEventSink: EventSink {
    private let output: OutputWriter
    private let colour: Bool
    /// Events come in time order, often many to a second: the date and time of the last second are kept.
    private var second = EventBytes.SecondText()

    public init(output: OutputWriter, colour: Bool) {
        self.output = output
        self.colour = colour
    }

    /// Written as bytes into the output's buffer: built as strings, each line took four times as long as
    /// the same event as CSV.
    public func accept(_ event: Event) -> Bool {
        output.write { out in
            paint("2", &out) { out in
                if let time = event.time {
                    let start = out.count
                    EventBytes.appendISO8601(nanoseconds: time, to: &out, cache: &second)
                    Self.appendSpaces(24 - (out.count - start), to: &out)
                } else {
                    // Bracketed in place: a string made for it was an allocation for each line of a kernel log.
                    let stamp = event.deviceTime ?? event.timeBasis.rawValue
                    out.append(UInt8(ascii: "["))
                    out.append(utf8: stamp)
                    out.append(UInt8(ascii: "]"))
                    Self.appendSpaces(24 - (Self.isCharacterPerByte(stamp) ? stamp.utf8.count + 2 : "[\(stamp)]".count), to: &out)
                }
            }
            out.append(UInt8(ascii: " "))
            paint("36", &out) { Self.appendPadded(event.kind.rawValue, width: 18, to: &$0) }
            out.append(UInt8(ascii: " "))
            Self.appendPadded(event.origin, width: 11, to: &out)
            out.append(UInt8(ascii: " "))
            paint("2", &out) { out in
                out.append(utf8: event.source)
                if let line = event.line {
                    out.append(UInt8(ascii: ":"))
                    EventBytes.appendInteger(Int64(line), to: &out)
                } else if let frame = event.frame {
                    out.append(UInt8(ascii: "#"))
                    EventBytes.appendInteger(Int64(frame), to: &out)
                }
            }
            out.append("  ")
            Self.appendMessage(event.message, to: &out)
            out.append(0x0A)
        }
        return output.isWritable
    }

    public func finish() { output.flush() }

    private func paint(_ code: StaticString, _ out: inout ByteBuffer, _ body: (inout ByteBuffer) -> Void) {
        guard colour else { return body(&out) }
        out.append("\u{1B}[")
        out.append(code)
        out.append(UInt8(ascii: "m"))
        body(&out)
        out.append("\u{1B}[0m")
    }

    /// The text, then spaces up to `width` characters (user-perceived, as `String.count` counts them).
    private static func appendPadded(_ text: String, width: Int, to out: inout ByteBuffer) {
        out.append(utf8: text)
        appendSpaces(width - (isCharacterPerByte(text) ? text.utf8.count : text.count), to: &out)
    }

    /// Plain ASCII is a character a byte, but for CR LF, which is one.
    private static func isCharacterPerByte(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D }
    }

    private static func appendSpaces(_ count: Int, to out: inout ByteBuffer) {
        for _ in 0 ..< max(0, count) { out.append(UInt8(ascii: " ")) }
    }

    /// The message on one line: each line break written as ` ⏎ `. A line break is LF as a character of its
    /// own; CR LF is one character, not a line break, and is kept.
    private static func appendMessage(_ message: String, to out: inout ByteBuffer) {
        message.withUTF8Bytes { bytes in
            var start = 0
            while let newline = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: start) {
                let isLineBreak = newline == 0 || bytes[newline - 1] != 0x0D
                out.append(UnsafeRawBufferPointer(rebasing: bytes[start ..< (isLineBreak ? newline : newline + 1)]))
                if isLineBreak { out.append(" ⏎ ") }
                start = newline + 1
            }
            out.append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
    }
}

/// JSON Lines: one object per event with the design's names:
/// `{"time":1657363909000000000,"datetime":"2022-07-09T10:51:49Z","time_basis":"log_epoch",
///   "device_time":"07-09 20:51:49","kind":"tuya.post_url","origin":"rriot_tuya","source":"…","line":3,
///   "message":"…","fields":{"host":"a2.tuyaeu.com","t":1657363909,…}}`.
/// `time` is integer nanoseconds since 1970 UTC; absent keys mean unknown. Bytes that were not UTF-8 in the
/// input appear as `\xNN` in the strings, so every line is valid JSON and nothing is lost.
public final class JSONLSink: EventSink {
    private let output: OutputWriter
    /// Events come in time order, often many to a second: the date and time of the last second are kept.
    private var second = EventBytes.SecondText()
    private let fieldsText = RepeatedFieldsText()

    public init(output: OutputWriter) {
        self.output = output
    }

    public func accept(_ event: Event) -> Bool {
        output.write { out in
            Self.append(event, to: &out, fieldsText: fieldsText) { EventBytes.appendISO8601(nanoseconds: $0, to: &$1, cache: &second) }
            out.append(0x0A)
        }
        return output.isWritable
    }

    public func finish() { output.flush() }

    public static func line(_ event: Event) -> String {
        var bytes = ByteBuffer()
        append(event, to: &bytes)
        return bytes.string
    }

    /// With `holes`, the parts a timeline settles only after reading everything (time, basis, id, links),
    /// and the source, kept once for all its records, are left as `RecordHole`s, to be filled when the
    /// record is written out. `dateTime` writes the time as ISO 8601 text.
    static func append(_ event: Event, to out: inout ByteBuffer, holes: Bool = false, fieldsText: RepeatedFieldsText? = nil,
                       dateTime: (Int64, inout ByteBuffer) -> Void = { EventBytes.appendISO8601(nanoseconds: $0, to: &$1) }) {
        func key(_ name: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(name)
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        out.append(UInt8(ascii: "{"))
        if let time = event.time {
            key("time", first: true)
            if holes { RecordHole.nanoseconds.append(to: &out) } else { EventBytes.appendInteger(time, to: &out) }
            key("datetime")
            if holes {
                RecordHole.isoTime.appendQuoted(to: &out)
            } else {
                out.append(UInt8(ascii: "\""))
                dateTime(time, &out)
                out.append(UInt8(ascii: "\""))
            }
            key("time_basis")
        } else {
            key("time_basis", first: true)
        }
        if holes { RecordHole.timeBasis.appendQuoted(to: &out) } else { EventBytes.appendJSONString(event.timeBasis.rawValue, to: &out) }
        if let deviceTime = event.deviceTime {
            key("device_time")
            EventBytes.appendJSONString(deviceTime, to: &out)
        }
        key("kind")
        EventBytes.appendJSONString(event.kind.rawValue, to: &out)
        key("origin")
        EventBytes.appendJSONString(event.origin, to: &out)
        key("source")
        if holes { RecordHole.source.append(to: &out) } else { EventBytes.appendJSONString(event.source, to: &out) }
        if let line = event.line {
            key("line")
            EventBytes.appendInteger(Int64(line), to: &out)
        }
        if let frame = event.frame {
            key("frame")
            EventBytes.appendInteger(Int64(frame), to: &out)
        }
        key("message")
        EventBytes.appendJSONString(event.message, to: &out)
        if holes {
            key("id")
            RecordHole.id.appendQuoted(to: &out)
            RecordHole.links.append(to: &out)
        } else {
            if let id = event.id {
                key("id")
                EventBytes.appendJSONString(id, to: &out)
            }
            if !event.links.isEmpty {
                key("link")
                out.append(UInt8(ascii: "["))
                for (index, link) in event.links.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    EventBytes.appendJSONString(link, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        key("fields")
        if let fieldsText {
            fieldsText.append(event.fields, to: &out) {
                EventBytes.appendFieldsObject($0, to: &$1, findingHole: holes, strings: fieldsText.strings)
            }
        } else {
            EventBytes.appendFieldsObject(event.fields, to: &out, findingHole: holes)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func fieldsObject(_ fields: EventFields) -> String {
        var bytes = ByteBuffer()
        EventBytes.appendFieldsObject(fields, to: &bytes)
        return bytes.string
    }
}

/// CSV (RFC 4180) with Timesketch's columns first: `datetime`, `timestamp` (microseconds),
/// `timestamp_desc`, `message`; then `kind`, `origin`, `source`, `line`, `device_time`, `time_basis`, and
/// the fields as one JSON object.
public final class CSVSink: EventSink {
    private let output: OutputWriter
    /// As for JSON Lines: the date and time of the last second, kept.
    private var second = EventBytes.SecondText()
    private let fieldsText = RepeatedFieldsText()
    public static let header = ["datetime", "timestamp", "timestamp_desc", "message", "kind", "origin", "source", "line",
                                "device_time", "time_basis", "fields"]

    public init(output: OutputWriter) {
        self.output = output
        output.write(CSV.row(Self.header))
    }

    public func accept(_ event: Event) -> Bool {
        output.write { out in
            if let time = event.time {
                EventBytes.appendISO8601(nanoseconds: time, to: &out, cache: &second)
                out.append(UInt8(ascii: ","))
                EventBytes.appendInteger(time.floorDivided(by: 1000).quotient, to: &out)
            } else {
                out.append(UInt8(ascii: ","))
            }
            out.append(UInt8(ascii: ","))
            out.append(event.timeBasis == .capture ? "Packet Time" : "Log Time")
            // Field by field, not through an array of the four: that was an allocation per event.
            let strings = fieldsText.strings
            out.append(UInt8(ascii: ","))
            strings.append(event.message, as: .csvField, to: &out)
            out.append(UInt8(ascii: ","))
            strings.append(event.kind.rawValue, as: .csvField, to: &out)
            out.append(UInt8(ascii: ","))
            strings.append(event.origin, as: .csvField, to: &out)
            out.append(UInt8(ascii: ","))
            strings.append(event.source, as: .csvField, to: &out)
            out.append(UInt8(ascii: ","))
            if let line = event.line { EventBytes.appendInteger(Int64(line), to: &out) }
            out.append(UInt8(ascii: ","))
            strings.append(event.deviceTime ?? "", as: .csvField, to: &out)
            out.append(UInt8(ascii: ","))
            out.append(utf8: event.timeBasis.rawValue)
            // The fields' JSON always holds quotes, so the column is always quoted, its quotes doubled.
            out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            fieldsText.append(event.fields, to: &out) {
                EventBytes.appendFieldsObject($0, to: &$1, doublingQuotes: true, strings: strings)
            }
            out.append(UInt8(ascii: "\""))
            out.append(0x0D)
            out.append(0x0A)
        }
        return output.isWritable
    }

    public func finish() { output.flush() }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
