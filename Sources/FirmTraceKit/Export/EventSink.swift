/// Whatever renders events: the terminal printer, JSON Lines, CSV. Sinks never know where events come
/// from, and sources never know how they are shown.
public protocol EventSink: AnyObject {
    /// Takes one event; false asks the producer to stop (the output went away).
    func accept(_ event: Event) -> Bool
    func finish()
}

/// Aligned lines for people: time (or the device's own stamp when there is no time), kind, origin,
/// source and line, message. Colour only when writing to a terminal.
public final class HumanEventSink: EventSink {
    private let output: OutputWriter
    private let colour: Bool

    public init(output: OutputWriter, colour: Bool) {
        self.output = output
        self.colour = colour
    }

    public func accept(_ event: Event) -> Bool {
        let when = event.time.map { UTCDateTime.iso8601(nanoseconds: $0) } ?? "[\(event.deviceTime ?? event.timeBasis.rawValue)]"
        let place = event.line.map { "\(event.source):\($0)" } ?? event.frame.map { "\(event.source)#\($0)" } ?? event.source
        let message = event.message.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ⏎ ")
        var line = paint(when.padding(24), "2") + " " + paint(event.kind.rawValue.padding(18), "36") + " "
        line += event.origin.padding(11) + " " + paint(place, "2") + "  " + message + "\n"
        output.write(line)
        return output.isWritable
    }

    public func finish() { output.flush() }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
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

    public init(output: OutputWriter) {
        self.output = output
    }

    public func accept(_ event: Event) -> Bool {
        output.write(Self.line(event) + "\n")
        return output.isWritable
    }

    public func finish() { output.flush() }

    public static func line(_ event: Event) -> String {
        var parts: [String] = []
        if let time = event.time {
            parts.append("\"time\":\(time)")
            parts.append("\"datetime\":" + JSONText.quoted(UTCDateTime.iso8601(nanoseconds: time)))
        }
        parts.append("\"time_basis\":" + JSONText.quoted(event.timeBasis.rawValue))
        if let deviceTime = event.deviceTime { parts.append("\"device_time\":" + JSONText.quoted(deviceTime)) }
        parts.append("\"kind\":" + JSONText.quoted(event.kind.rawValue))
        parts.append("\"origin\":" + JSONText.quoted(event.origin))
        parts.append("\"source\":" + JSONText.quoted(event.source))
        if let line = event.line { parts.append("\"line\":\(line)") }
        if let frame = event.frame { parts.append("\"frame\":\(frame)") }
        parts.append("\"message\":" + JSONText.quoted(event.message))
        parts.append("\"fields\":" + fieldsObject(event.fields))
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func fieldsObject(_ fields: EventFields) -> String {
        "{" + fields.map { entry in
            let value = switch entry.value {
            case .string(let text): JSONText.quoted(text)
            case .integer(let number): String(number)
            case .bool(let truth): truth ? "true" : "false"
            }
            return JSONText.quoted(entry.key) + ":" + value
        }.joined(separator: ",") + "}"
    }
}

/// CSV (RFC 4180) with Timesketch's columns first: `datetime`, `timestamp` (microseconds),
/// `timestamp_desc`, `message`; then `kind`, `origin`, `source`, `line`, `device_time`, `time_basis`, and
/// the fields as one JSON object.
public final class CSVSink: EventSink {
    private let output: OutputWriter
    public static let header = ["datetime", "timestamp", "timestamp_desc", "message", "kind", "origin", "source", "line",
                                "device_time", "time_basis", "fields"]

    public init(output: OutputWriter) {
        self.output = output
        output.write(CSV.row(Self.header))
    }

    public func accept(_ event: Event) -> Bool {
        let microseconds = event.time.map { $0.floorDivided(by: 1000).quotient }
        output.write(CSV.row([
            event.time.map { UTCDateTime.iso8601(nanoseconds: $0) } ?? "", microseconds.map(String.init) ?? "",
            event.timeBasis == .capture ? "Packet Time" : "Log Time", event.message, event.kind.rawValue, event.origin,
            event.source, event.line.map(String.init) ?? "", event.deviceTime ?? "", event.timeBasis.rawValue,
            JSONLSink.fieldsObject(event.fields),
        ]))
        return output.isWritable
    }

    public func finish() { output.flush() }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
