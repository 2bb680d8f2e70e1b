/// Chosen values only, tab-separated, one event per line, as `tshark -T fields -e …` prints them: what a
/// script pipes into `sort | uniq -c`. A name is an event's own (`datetime`, `time`, `kind`, `origin`,
/// `source`, `line`, `frame`, `message`, `device_time`, `time_basis`, `id`) or a field's; a missing value is
/// empty. Tabs and line breaks inside a value are written as `\t`, `\n` and `\r` so a line stays a row.
public final class FieldsSink: EventSink {
    private let output: OutputWriter
    private let names: [String]
    /// As for JSON Lines: the date and time of the last second, kept.
    private var second = EventBytes.SecondText()

    public init(output: OutputWriter, names: [String]) {
        self.output = output
        self.names = names
    }

    public func accept(_ event: Event) -> Bool {
        output.write { out in
            for (index, name) in names.enumerated() {
                if index > 0 { out.append(0x09) }
                switch name {
                case "datetime": if let time = event.time { EventBytes.appendISO8601(nanoseconds: time, to: &out, cache: &second) }
                case "time": if let time = event.time { EventBytes.appendInteger(time, to: &out) }
                case "kind": Self.append(event.kind.rawValue, to: &out)
                case "origin": Self.append(event.origin, to: &out)
                case "source": Self.append(event.source, to: &out)
                case "line": if let line = event.line { EventBytes.appendInteger(Int64(line), to: &out) }
                case "frame": if let frame = event.frame { EventBytes.appendInteger(Int64(frame), to: &out) }
                case "message": Self.append(event.message, to: &out)
                case "device_time": Self.append(event.deviceTime ?? "", to: &out)
                case "time_basis": Self.append(event.timeBasis.rawValue, to: &out)
                case "id": Self.append(event.id ?? "", to: &out)
                default:
                    switch event.fields[name] {
                    case .string(let text)?: Self.append(text, to: &out)
                    case .integer(let number)?: EventBytes.appendInteger(number, to: &out)
                    case .bool(let truth)?: Self.append(truth ? "true" : "false", to: &out)
                    case nil: break
                    }
                }
            }
            out.append(0x0A)
        }
        return output.isWritable
    }

    public func finish() { output.flush() }

    private static func append(_ text: String, to out: inout ByteBuffer) {
        for byte in text.utf8 {
            switch byte {
            case 0x09: out.append("\\t")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            default: out.append(byte)
            }
        }
    }
}
