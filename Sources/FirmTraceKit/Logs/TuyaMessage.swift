/// What a Tuya SDK message says: its kind from the first bytes (cheap, for every line), and its fields
/// (only for events that are shown or filtered on).
enum TuyaMessage {
    static func kind(message: UnsafeRawBufferPointer, sourceFile: UnsafeRawBufferPointer) -> EventKind {
        if ByteSearch.hasPrefix("Post URL:", message) { return .tuyaPostURL }
        if ByteSearch.hasPrefix("Post Data:", message) { return .tuyaPostData }
        if ByteSearch.hasPrefix("Decode Rev:", message) { return .tuyaResponse }
        if ByteSearch.hasPrefix("Connect: ", message) { return .tuyaConnect }
        if ByteSearch.hasPrefix("tuya_tls", sourceFile) || ByteSearch.hasPrefix("TUYA_TLS", message) { return .tuyaTLS }
        if ByteSearch.hasPrefix("read buf:{", message) { return .tuyaDeviceInfo }
        if ByteSearch.hasPrefix("dev ", message), ByteSearch.contains(" bind schema ", in: message) { return .tuyaBindSchema }
        if ByteSearch.hasPrefix("mqc_", sourceFile) || ByteSearch.hasPrefix("mqtt", message) || ByteSearch.hasPrefix("MQTT", message) {
            return .tuyaMQTT
        }
        if ByteSearch.hasPrefix("time sync success", message) { return .tuyaTimeSync }
        if let marker = ByteSearch.firstIndex(of: UnsafeRawBufferPointer(start: hashes.utf8Start, count: 2), in: message),
           ByteSearch.firstIndex(of: UInt8(ascii: "{"), in: message, from: marker) != nil {
            return .tuyaRPC
        }
        return .tuyaLine
    }

    private static let hashes: StaticString = "##"

    /// The literal every message of `kind` contains, for the prefilter; nil when there is none.
    static func requiredLiteral(for kind: EventKind) -> String? {
        switch kind {
        case .tuyaPostURL: "Post URL:"
        case .tuyaPostData: "Post Data:"
        case .tuyaResponse: "Decode Rev:"
        case .tuyaConnect: "Connect: "
        case .tuyaDeviceInfo: "read buf:{"
        case .tuyaBindSchema: " bind schema "
        case .tuyaTimeSync: "time sync success"
        case .tuyaRPC: "##"
        default: nil
        }
    }

    /// Fields of a message of `kind`, with flat keys.
    static func fields(kind: EventKind, message: String, into fields: inout EventFields) {
        switch kind {
        case .tuyaPostURL: postURL(after(message, "Post URL:"), &fields)
        case .tuyaPostData: json(after(message, "Post Data:"), &fields)
        case .tuyaResponse: json(after(message, "Decode Rev:"), &fields)
        case .tuyaDeviceInfo: json(after(message, "read buf:"), &fields)
        case .tuyaConnect: connect(message, &fields)
        case .tuyaTLS: tls(message, &fields)
        case .tuyaBindSchema: bindSchema(message, &fields)
        case .tuyaMQTT: mqtt(message, &fields)
        case .tuyaRPC: rpc(message, &fields)
        case .tuyaTimeSync: timeSync(message, &fields)
        default: break
        }
    }

    /// The epoch the message carries, in seconds (`t=`, `"t":`, `utc N`): the device's own clock written
    /// as UTC, from which a source's time zone and year follow.
    static func epoch(kind: EventKind, fields: EventFields) -> Int64? {
        switch kind {
        case .tuyaPostURL, .tuyaPostData, .tuyaResponse:
            if case .integer(let seconds)? = fields["t"], plausibleEpoch(seconds) { return seconds }
        case .tuyaTimeSync:
            if case .integer(let seconds)? = fields["utc"], plausibleEpoch(seconds) { return seconds }
        default: break
        }
        return nil
    }

    /// Kinds whose lines can carry an epoch, read even when not asked for while a source's clock is open.
    static func carriesEpoch(_ kind: EventKind) -> Bool {
        kind == .tuyaPostURL || kind == .tuyaPostData || kind == .tuyaResponse || kind == .tuyaTimeSync
    }

    /// Between 2001 and 2100: an `01-01` device clock printed as an epoch is not a date.
    static func plausibleEpoch(_ seconds: Int64) -> Bool { (1_000_000_000 ..< 4_102_444_800).contains(seconds) }

    // MARK: Kinds

    private static func after(_ message: String, _ marker: String) -> Substring {
        message.dropFirst(marker.count).drop { $0 == " " }
    }

    private static func json(_ text: Substring, _ fields: inout EventFields) {
        let trimmed = text.trimmingTrailingWhitespace
        do {
            let value = try JSONParser.parse(String(trimmed))
            guard case .object(let members) = value else {
                fields.set("json", value.jsonText)
                return
            }
            for member in members where member.value != .null {
                fields.set(member.key, member.value.fieldValue)
            }
        } catch {
            fields.set("parse_error", "JSON: \(error)")
        }
    }

    private static func postURL(_ text: Substring, _ fields: inout EventFields) {
        let url = String(text.trimmingTrailingWhitespace)
        fields.set("url", url)
        var rest = Substring(url)
        if let scheme = ByteSearch.range(of: "://", in: url) {
            fields.set("scheme", String(rest[..<scheme.lowerBound]))
            rest = rest[scheme.upperBound...]
        }
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let hostPort = rest[..<hostEnd]
        if let colon = hostPort.lastIndex(of: ":"), let port = Int64(hostPort[hostPort.index(after: colon)...]) {
            fields.set("host", String(hostPort[..<colon]))
            fields.set("port", port)
        } else {
            fields.set("host", String(hostPort))
        }
        rest = rest[hostEnd...]
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        fields.set("path", String(rest[..<queryStart]))
        guard queryStart < rest.endIndex else { return }
        for pair in rest[rest.index(after: queryStart)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0] == "a" ? "api" : String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            if key == "t" || key == "et", let number = Int64(value) {
                fields.set(key, number)
            } else {
                fields.set(key, value)
            }
        }
    }

    /// `Connect: a2.tuyaeu.com Port: 443  -->>` (before connecting) and `--<<` (after).
    private static func connect(_ message: String, _ fields: inout EventFields) {
        let words = message.split(separator: " ")
        if words.count >= 2 { fields.set("host", String(words[1])) }
        if let portIndex = words.firstIndex(of: "Port:"), portIndex + 1 < words.count, let port = Int64(words[portIndex + 1]) {
            fields.set("port", port)
        }
        if message.hasSuffix("-->>") { fields.set("phase", "begin") }
        if message.hasSuffix("--<<") { fields.set("phase", "end") }
    }

    private static func tls(_ message: String, _ fields: inout EventFields) {
        // Only the staged lines are split into words: most TLS lines are the SDK's chatter about sockets.
        func word(_ index: Int) -> Substring? {
            let words = message.split(separator: " ", maxSplits: index + 1)
            return words.count > index ? words[index] : nil
        }
        func hostPort(_ word: Substring) {
            if let colon = word.lastIndex(of: ":"), let port = Int64(word[word.index(after: colon)...]) {
                fields.set("host", String(word[..<colon]))
                fields.set("port", port)
            } else {
                fields.set("host", String(word))
            }
        }
        if message.hasPrefix("TUYA_TLS Begin Connect"), let target = word(3) {
            fields.set("stage", "begin")
            hostPort(target)
        } else if message.hasPrefix("TUYA_TLS Success Connect"), let target = word(3) {
            fields.set("stage", "success")
            hostPort(target)
            if let suite = ByteSearch.range(of: "Suit:", in: message) {
                fields.set("cipher_suite", String(message[suite.upperBound...].prefix { $0 != " " }))
            }
        } else if message.hasPrefix("handshake finish for "), let host = word(3) {
            fields.set("stage", "handshake_finish")
            fields.set("host", String(host.hasSuffix(".") ? host.dropLast() : host))
        } else if message.hasPrefix("TUYA_TLS Disconnect") {
            fields.set("stage", "disconnect")
        } else if message.hasPrefix("socket fd is set") {
            fields.set("stage", "socket")
        }
    }

    /// `dev <devId> bind schema [{"mode":"rw","property":{…},"id":2,"type":"obj"}, …]`: one set of
    /// `dp.<id>.*` fields per data point.
    private static func bindSchema(_ message: String, _ fields: inout EventFields) {
        let words = message.split(separator: " ", maxSplits: 4)
        if words.count > 1 { fields.set("devId", String(words[1])) }
        guard let open = message.firstIndex(of: "[") else { return }
        let json: JSONValue
        do {
            json = try JSONParser.parse(String(message[open...].trimmingTrailingWhitespace))
        } catch {
            fields.set("parse_error", "JSON: \(error)")
            return
        }
        guard case .array(let points) = json else { return }
        fields.set("dp_count", Int64(points.count))
        for point in points {
            guard case .number(let id)? = point["id"] else { continue }
            let prefix = "dp.\(id)."
            if case .string(let mode)? = point["mode"] { fields.set(prefix + "mode", mode) }
            let property = point["property"]
            if case .string(let type)? = property?["type"] ?? point["type"] { fields.set(prefix + "type", type) }
            if case .array(let range)? = property?["range"] {
                fields.set(prefix + "range", range.map { if case .string(let text) = $0 { text } else { $0.jsonText } }.joined(separator: "|"))
            }
            for key in ["min", "max", "scale", "step"] {
                if let value = property?[key] { fields.set(prefix + key, value.fieldValue) }
            }
        }
    }

    private static func mqtt(_ message: String, _ fields: inout EventFields) {
        func value(after marker: StaticString, upTo end: Character? = " ") -> String? {
            guard let range = ByteSearch.range(of: marker, in: message) else { return nil }
            let rest = message[range.upperBound...].drop { $0 == " " }
            let stop = end.flatMap { rest.firstIndex(of: $0) } ?? rest.endIndex
            let found = rest[..<stop].trimmingTrailingWhitespace
            return found.isEmpty ? nil : String(found.hasSuffix(",") ? found.dropLast() : found)
        }
        if let host = value(after: "mqtt broker:") {
            fields.set("broker_host", host)
            if let port = value(after: "port:").flatMap({ Int64($0) }) { fields.set("broker_port", port) }
        }
        if let client = value(after: "client id:") { fields.set("client_id", client) }
        if let user = value(after: "user name:") { fields.set("username", user) }
        if let password = value(after: "passwd:") { fields.set("passwd", password) }
        if let topic = value(after: "topic in:") { fields.set("topic_in", topic) }
        if let topic = value(after: "out:") { fields.set("topic_out", topic) }
        if let topic = value(after: "subscribe topic:") { fields.set("topic", topic) }
        if let target = value(after: "mqtt connect to ") {
            if let colon = target.lastIndex(of: ":"), let port = Int64(target[target.index(after: colon)...]) {
                fields.set("broker_host", String(target[..<colon]))
                fields.set("broker_port", port)
            }
            fields.set("state", "connecting")
        }
        if ByteSearch.contains("connect success", in: message) { fields.set("state", "connected") }
        if ByteSearch.contains("reconnect", in: message) { fields.set("state", "reconnecting") }
    }

    /// `rr_down_stream_msg_handler##724: {"id":363,"method":"set_fds_endpoint","params":[…]}`
    private static func rpc(_ message: String, _ fields: inout EventFields) {
        guard let marker = ByteSearch.range(of: "##", in: message), let open = message[marker.upperBound...].firstIndex(of: "{") else { return }
        fields.set("handler", String(message[..<marker.lowerBound]))
        do {
            let json = try JSONParser.parse(String(message[open...].trimmingTrailingWhitespace))
            if let id = json["id"] { fields.set("rpc_id", id.fieldValue) }
            if case .string(let method)? = json["method"] { fields.set("method", method) }
            if let params = json["params"] { fields.set("params", params.jsonText) }
            if let result = json["result"] { fields.set("result", result.jsonText) }
            if let error = json["error"] { fields.set("error", error.jsonText) }
        } catch {
            fields.set("parse_error", "JSON: \(error)")
        }
    }

    /// `time sync success, zone +10:00, utc 1657384296`
    private static func timeSync(_ message: String, _ fields: inout EventFields) {
        let words = message.split(whereSeparator: { $0 == " " || $0 == "," })
        if let zone = words.firstIndex(of: "zone"), zone + 1 < words.count { fields.set("zone", String(words[zone + 1])) }
        if let utc = words.firstIndex(of: "utc"), utc + 1 < words.count, let seconds = Int64(words[utc + 1]) {
            fields.set("utc", seconds)
        }
    }
}

extension StringProtocol {
    /// Without trailing spaces, tabs and CRs (`Decode Rev:` lines end in tabs).
    var trimmingTrailingWhitespace: SubSequence {
        var end = endIndex
        while end > startIndex {
            let previous = index(before: end)
            guard self[previous] == " " || self[previous] == "\t" || self[previous] == "\r" else { break }
            end = previous
        }
        return self[startIndex ..< end]
    }
}
