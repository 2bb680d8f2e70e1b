@testable import FirmTraceKit

/// Reads back an event written by `JSONLSink` (a timeline's JSONL, `grep --json`), for tests that check
/// events rather than text.
enum EventJSONDecoder {
    static func decode(_ line: UnsafeRawBufferPointer) -> Event? {
        guard case .object(let members)? = try? JSONParser.parse(line) else { return nil }
        var time: Int64?, basis = TimeBasis.unknown, deviceTime: String?, kind = "", origin = "", source = ""
        var lineNumber: Int?, frame: Int?, message = "", id: String?, links: [String] = []
        var fields = EventFields()
        for member in members {
            switch (member.key, member.value) {
            case ("time", .number(let text)): time = Int64(text)
            case ("time_basis", .string(let text)): basis = TimeBasis(rawValue: text) ?? .unknown
            case ("device_time", .string(let text)): deviceTime = text
            case ("kind", .string(let text)): kind = text
            case ("origin", .string(let text)): origin = text
            case ("source", .string(let text)): source = text
            case ("line", .number(let text)): lineNumber = Int(text)
            case ("frame", .number(let text)): frame = Int(text)
            case ("message", .string(let text)): message = text
            case ("id", .string(let text)): id = text
            case ("link", .array(let values)):
                links = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            case ("fields", .object(let entries)):
                for entry in entries { fields.append(entry.key, entry.value.fieldValue) }
            default: break
            }
        }
        var event = Event(time: time, timeBasis: basis, deviceTime: deviceTime, kind: EventKind(rawValue: kind), origin: origin,
                          source: source, line: lineNumber, frame: frame, message: message, fields: fields)
        event.id = id
        event.links = links
        return event
    }
}
