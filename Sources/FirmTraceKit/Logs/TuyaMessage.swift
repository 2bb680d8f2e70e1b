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
        if let marker = ByteSearch.firstIndex(ofPair: UInt8(ascii: "#"), UInt8(ascii: "#"), in: message),
           ByteSearch.firstIndex(of: UInt8(ascii: "{"), in: message, from: marker) != nil {
            return .tuyaRPC
        }
        return .tuyaLine
    }

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

    /// The epoch the message carries, in seconds (`t=`, `"t":`, `utc N`), from which a source's time zone
    /// and year follow: the device's own clock written as UTC, or, in a response, the cloud's
    /// (`epochIsDeviceClock`).
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

    /// Whether a message's epoch is the device's own clock, which then places its line: the `t=` of a
    /// request it signed and the `utc` it set its clock to are; a response's `"t":` is the cloud's clock as
    /// it answered. That still gives the zone and year (the device's offset from it is seconds, a zone's
    /// step a quarter of an hour) and measures the device's clock against the servers' (`Correlation`), but
    /// a line placed by it would stand on another clock than its neighbours, moved by their correction.
    static func epochIsDeviceClock(_ kind: EventKind) -> Bool { kind != .tuyaResponse }

    /// Kinds whose lines can carry an epoch, read even when not asked for while a source's clock is open.
    static func carriesEpoch(_ kind: EventKind) -> Bool {
        kind == .tuyaPostURL || kind == .tuyaPostData || kind == .tuyaResponse || kind == .tuyaTimeSync
    }

    /// Between 2001 and 2100: an `01-01` device clock printed as an epoch is not a date.
    static func plausibleEpoch(_ seconds: Int64) -> Bool { (1_000_000_000 ..< 4_102_444_800).contains(seconds) }

    // MARK: Kinds

    private static func after(_ message: String, _ marker: String) -> Substring {
        let bytes = message.utf8
        var start = bytes.index(bytes.startIndex, offsetBy: marker.utf8.count, limitedBy: bytes.endIndex) ?? bytes.endIndex
        while start < bytes.endIndex, bytes[start] == UInt8(ascii: " ") { start = bytes.index(after: start) }
        return message[start...]
    }

    private static func json(_ text: Substring, _ fields: inout EventFields) {
        let trimmed = text.trimmingTrailingWhitespace
        do {
            guard let members = try JSONParser.members(trimmed) else {
                fields.set("json", try JSONParser.parse(String(trimmed)).jsonText)
                return
            }
            for member in members where member.value != .value(.null) {
                fields.set(member.key, member.value.fieldValue)
            }
        } catch {
            fields.set("parse_error", "JSON: \(error)")
        }
    }

    private static func postURL(_ text: Substring, _ fields: inout EventFields) {
        let url = String(text.trimmingTrailingWhitespace)
        fields.append("url", .string(url))
        // Walked as raw UTF-8 bytes, each piece made straight from its bytes: a Post URL is in every tenth line
        // of a Tuya log; splitting its query Character-wise was a seventh of decoding one, and stepping a
        // UTF-8 view's indices still cost some 600 instructions a line.
        url.withUTF8Bytes { bytes in
            func first(_ byte: UInt8, in range: Range<Int>) -> Int? {
                ByteSearch.firstIndex(of: byte, in: UnsafeRawBufferPointer(rebasing: bytes[range])).map { range.lowerBound + $0 }
            }
            var hostStart = 0
            if let scheme = ByteSearch.firstIndex(of: "://", in: bytes) {
                fields.append("scheme", .string(piece(bytes, 0 ..< scheme)))
                hostStart = scheme + 3
            }
            var hostEnd = hostStart
            while hostEnd < bytes.count, bytes[hostEnd] != UInt8(ascii: "/"), bytes[hostEnd] != UInt8(ascii: "?") { hostEnd += 1 }
            if let colon = ByteSearch.lastIndex(of: UInt8(ascii: ":"), in: bytes, before: hostEnd), colon >= hostStart,
               let port = Int64(piece(bytes, colon + 1 ..< hostEnd)) {
                fields.append("host", .string(piece(bytes, hostStart ..< colon)))
                fields.append("port", .integer(port))
            } else {
                fields.append("host", .string(piece(bytes, hostStart ..< hostEnd)))
            }
            let queryStart = first(UInt8(ascii: "?"), in: hostEnd ..< bytes.count) ?? bytes.count
            fields.append("path", .string(piece(bytes, hostEnd ..< queryStart)))
            var pairStart = queryStart + 1
            while pairStart < bytes.count {
                let pairEnd = first(UInt8(ascii: "&"), in: pairStart ..< bytes.count) ?? bytes.count
                if pairStart < pairEnd {
                    let equals = first(UInt8(ascii: "="), in: pairStart ..< pairEnd)
                    let nameEnd = equals ?? pairEnd
                    let isAPI = nameEnd - pairStart == 1 && bytes[pairStart] == UInt8(ascii: "a")
                    let key = isAPI ? "api" : piece(bytes, pairStart ..< nameEnd)
                    let value = equals.map { piece(bytes, $0 + 1 ..< pairEnd) } ?? ""
                    if key == "t" || key == "et", let number = Int64(value) {
                        fields.set(key, number)
                    } else {
                        fields.set(key, value)
                    }
                }
                pairStart = pairEnd + 1
            }
        }
    }

    /// The bytes of the `index`th space-separated word (from 0), found without splitting the whole message:
    /// most lines need one or two words of a long message, on every line of a large log.
    private static func word(_ index: Int, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        let space = UInt8(ascii: " ")
        var (position, count) = (0, 0)
        while true {
            while position < bytes.count, bytes[position] == space { position += 1 }
            guard position < bytes.count else { return nil }
            var end = position
            while end < bytes.count, bytes[end] != space { end += 1 }
            if count == index { return position ..< end }
            count += 1
            position = end
        }
    }

    /// Text straight from a message's bytes. Cut only at ASCII bytes (spaces, colons, a URL's delimiters),
    /// so each piece is the text a `Substring` would give; made as `Substring`s and then strings, with their
    /// indices stepped through the UTF-8 view, each TLS line cost some two thousand instructions.
    private static func piece(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    // Connect and TLS lines add each of their keys once, after `level` and `src`: appended, not searched
    // for, as they are on a fifth of all lines.

    /// `Connect: a2.tuyaeu.com Port: 443  -->>` (before connecting) and `--<<` (after).
    private static func connect(_ message: String, _ fields: inout EventFields) {
        message.withUTF8Bytes { bytes in
            if let host = word(1, in: bytes) { fields.append("host", .string(piece(bytes, host))) }
            if let label = word(2, in: bytes), label.count == 5, ByteSearch.hasPrefix("Port:", bytes, at: label.lowerBound),
               let number = word(3, in: bytes), let port = Int64(piece(bytes, number)) {
                fields.append("port", .integer(port))
            }
        }
        if ByteSearch.hasSuffix("-->>", message) { fields.append("phase", .string("begin")) }
        if ByteSearch.hasSuffix("--<<", message) { fields.append("phase", .string("end")) }
    }

    private static func tls(_ message: String, _ fields: inout EventFields) {
        message.withUTF8Bytes { bytes in
            func hostPort(_ word: Range<Int>) {
                if let colon = ByteSearch.lastIndex(of: UInt8(ascii: ":"), in: bytes, before: word.upperBound), colon >= word.lowerBound,
                   let port = Int64(piece(bytes, colon + 1 ..< word.upperBound)) {
                    fields.append("host", .string(piece(bytes, word.lowerBound ..< colon)))
                    fields.append("port", .integer(port))
                } else {
                    fields.append("host", .string(piece(bytes, word)))
                }
            }
            if ByteSearch.hasPrefix("TUYA_TLS Begin Connect", bytes), let target = word(3, in: bytes) {
                fields.append("stage", .string("begin"))
                hostPort(target)
            } else if ByteSearch.hasPrefix("TUYA_TLS Success Connect", bytes), let target = word(3, in: bytes) {
                fields.append("stage", .string("success"))
                hostPort(target)
                if let suite = ByteSearch.firstIndex(of: "Suit:", in: bytes) {
                    let start = suite + 5
                    let end = ByteSearch.firstIndex(of: UInt8(ascii: " "), in: bytes, from: start) ?? bytes.count
                    fields.append("cipher_suite", .string(piece(bytes, start ..< end)))
                }
            } else if ByteSearch.hasPrefix("handshake finish for ", bytes), let host = word(3, in: bytes) {
                fields.append("stage", .string("handshake_finish"))
                let end = bytes[host.upperBound - 1] == UInt8(ascii: ".") ? host.upperBound - 1 : host.upperBound
                fields.append("host", .string(piece(bytes, host.lowerBound ..< end)))
            } else if ByteSearch.hasPrefix("TUYA_TLS Disconnect", bytes) {
                fields.append("stage", .string("disconnect"))
            } else if ByteSearch.hasPrefix("socket fd is set", bytes) {
                fields.append("stage", .string("socket"))
            }
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

    // MQTT lines are cut at UTF-8 positions: Character-wise searching ran grapheme breaking over every one.
    private static func mqtt(_ message: String, _ fields: inout EventFields) {
        func value(after marker: StaticString) -> String? {
            guard let range = ByteSearch.range(of: marker, in: message) else { return nil }
            let bytes = message.utf8
            let start = bytes[range.upperBound...].firstIndex { $0 != UInt8(ascii: " ") } ?? bytes.endIndex
            let stop = bytes[start...].firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
            let found = message[start ..< stop].trimmingTrailingWhitespace
            guard !found.isEmpty else { return nil }
            return String(found.utf8.last == UInt8(ascii: ",") ? found[..<found.utf8.index(before: found.endIndex)] : found)
        }
        // Most MQTT lines are heartbeats: every marker below has a colon or says "connect".
        let hasColon = ByteSearch.contains(":", in: message)
        guard hasColon || ByteSearch.contains("connect", in: message) else { return }
        if hasColon, let host = value(after: "mqtt broker:") {
            fields.set("broker_host", host)
            if let port = value(after: "port:").flatMap({ Int64($0) }) { fields.set("broker_port", port) }
        }
        if hasColon {
            if let client = value(after: "client id:") { fields.set("client_id", client) }
            if let user = value(after: "user name:") { fields.set("username", user) }
            if let password = value(after: "passwd:") { fields.set("passwd", password) }
            if let topic = value(after: "topic in:") { fields.set("topic_in", topic) }
            if let topic = value(after: "out:") { fields.set("topic_out", topic) }
            if let topic = value(after: "subscribe topic:") { fields.set("topic", topic) }
        }
        if let target = value(after: "mqtt connect to ") {
            if let colon = target.utf8.lastIndex(of: UInt8(ascii: ":")), let port = Int64(target[target.utf8.index(after: colon)...]) {
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
            let members = try JSONParser.members(message[open...].trimmingTrailingWhitespace) ?? []
            func member(_ key: String) -> JSONParser.MemberValue? { members.first { $0.key == key }?.value }
            if let id = member("id") { fields.set("rpc_id", id.fieldValue) }
            if case .value(.string(let method))? = member("method") { fields.set("method", method) }
            if let params = member("params") { fields.set("params", params.jsonText) }
            if let result = member("result") { fields.set("result", result.jsonText) }
            if let error = member("error") { fields.set("error", error.jsonText) }
        } catch {
            fields.set("parse_error", "JSON: \(error)")
        }
    }

    /// `time sync success, zone +10:00, utc 1657384296`: the word after the first `zone` and after the first
    /// `utc`, words parted by spaces and commas. Walked as bytes: splitting the message into substrings and
    /// comparing them took two microseconds a line.
    private static func timeSync(_ message: String, _ fields: inout EventFields) {
        message.withUTF8Bytes { bytes in
            var (previous, afterZone, afterUTC) = (0 ..< 0, false, false)
            func word(_ range: Range<Int>, is name: StaticString) -> Bool {
                ByteSearch.hasPrefix(name, bytes, at: range.lowerBound) && range.count == name.utf8CodeUnitCount
            }
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: ",") { end += 1 }
                if end > start {
                    let current = start ..< end
                    if !afterZone, word(previous, is: "zone") {
                        afterZone = true
                        fields.set("zone", piece(bytes, current))
                    }
                    if !afterUTC, word(previous, is: "utc") {
                        afterUTC = true
                        if let seconds = Int64(piece(bytes, current)) { fields.set("utc", seconds) }
                    }
                    previous = current
                }
                start = end + 1
            }
        }
    }
}

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// Without trailing spaces, tabs and CRs (`Decode Rev:` lines end in tabs). Walks UTF-8 bytes: it runs
    /// on every Post URL, JSON body and continuation line, and walking Characters costs grapheme breaking on
    /// each; over the contiguous bytes when there are (a native string's, a slice's), as stepping back
    /// through the generic UTF-8 view cost some 280 instructions a line.
    var trimmingTrailingWhitespace: SubSequence {
        let bytes = utf8
        if let kept = bytes.withContiguousStorageIfAvailable({ ByteSearch.endTrimmingWhitespace($0) }) {
            return self[startIndex ..< bytes.index(bytes.startIndex, offsetBy: kept)]
        }
        return self[startIndex ..< ByteSearch.endTrimmingWhitespace(bytes)]
    }
}
