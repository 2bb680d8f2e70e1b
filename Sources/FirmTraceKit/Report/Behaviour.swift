/// What an event is one instance of: the same DNS name asked again, the same API called, the same log
/// message with other numbers in it. Behaviours are what the report counts, times and compares, so the
/// `id` must name the same behaviour in two captures of the same device (a name, never a source port).
public struct Behaviour: Hashable, Sendable {
    /// Stable across inputs: `dns:a2.tuyaeu.com`, `api:tuya.device.timer.count`, `http:GET /gslb`.
    public let id: String
    /// For people: `DNS query a2.tuyaeu.com`.
    public let description: String
    /// `dns`, `api`, `http`, `tls`, `flow`, `broadcast`, `dhcp`, `arp`, `mqtt`, `connect`, `log`.
    public let category: String
    /// The process that logged it, or `capture` for what only the network shows.
    public let origin: String

    /// Hashed by its id alone (equal behaviours have equal ids): every event is looked up by its
    /// behaviour, and hashing all four texts was some 6% of a report's instructions.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
    }
}

/// Decides the behaviour of each event. Flows are named by the DNS name their address was resolved from,
/// so a flow to a2.tuyaeu.com is the same behaviour whichever of its addresses answered.
struct BehaviourClassifier {
    /// Names each resolved address was given, learnt from the answers read so far.
    private(set) var namesByAddress: [String: String] = [:]
    private static let maxNames = 100_000

    mutating func behaviour(of event: Event) -> Behaviour? {
        let fields = event.fields
        let capture = "capture"
        switch event.kind {
        case .netDNSQuery:
            guard let name = fields.text("name") else { return nil }
            return Behaviour(id: "dns:" + name, description: "DNS query " + name, category: "dns", origin: capture)
        case .netDNSAnswer:
            learn(addresses: fields.text("addresses"), name: fields.text("name"))
            return nil
        case .netMDNS:
            guard let name = fields.text("name") else { return nil }
            return Behaviour(id: "mdns:" + name, description: "mDNS " + name, category: "dns", origin: capture)
        case .netDHCP:
            let type = fields.text("message_type") ?? "?"
            let client = fields.text("client_mac") ?? "?"
            return Behaviour(id: "dhcp:\(type):\(client)", description: "DHCP \(type) for \(client)", category: "dhcp", origin: capture)
        case .netARP:
            let operation = fields.text("op") ?? "?"
            let sender = fields.text("sender_mac") ?? "?"
            return Behaviour(id: "arp:\(operation):\(sender)", description: "ARP \(operation) from \(sender)", category: "arp", origin: capture)
        case .netSSDP:
            let method = fields.text("start_line")?.split(separator: " ").first.map(String.init) ?? "?"
            let sender = fields.text("src_ip") ?? "?"
            return Behaviour(id: "ssdp:\(method):\(sender)", description: "SSDP \(method) from \(sender)", category: "broadcast", origin: capture)
        case .netTuyaDiscovery:
            let device = fields.text("gwId") ?? fields.text("src_ip") ?? "?"
            return Behaviour(id: "tuya_discovery:" + device, description: "Tuya discovery broadcast from \(device) (UDP \(fields["dst_port"]?.description ?? "?"))",
                             category: "broadcast", origin: capture)
        case .netTuya:
            let target = "\(peer(fields.text("dst_ip"))):\(fields["dst_port"]?.description ?? "?")"
            return Behaviour(id: "tuya:\(fields["cmd"]?.description ?? "?"):\(target)", description: "Tuya frame cmd \(fields["cmd"]?.description ?? "?") to \(target)",
                             category: "tuya", origin: capture)
        case .netMiio:
            let target = peer(fields.text("dst_ip"))
            return Behaviour(id: "miio:" + target, description: "miIO packet to \(target)", category: "miio", origin: capture)
        case .netMQTT:
            let type = fields.text("mqtt_type") ?? "?"
            let topic = fields.text("topic").map { " " + $0 } ?? ""
            return Behaviour(id: "mqtt:\(type)\(topic)", description: "MQTT \(type)\(topic)", category: "mqtt", origin: capture)
        case .netTLSClientHello:
            let target = "\(fields.text("sni") ?? peer(fields.text("dst_ip"))):\(fields["dst_port"]?.description ?? "?")"
            return Behaviour(id: "tls:" + target, description: "TLS connection to " + target, category: "tls", origin: capture)
        case .netHTTPRequest:
            let method = fields.text("method") ?? "?"
            let path = fields.text("path").map { String($0.prefix { $0 != "?" }) } ?? "/"
            return Behaviour(id: "http:\(method) \(path)", description: "HTTP \(method) \(path)", category: "http", origin: capture)
        case .netFlow:
            guard let port = fields["dst_port"], let proto = fields.text("proto") else { return nil }
            // DNS and DHCP conversations are the DNS and DHCP behaviours already.
            if ["53", "5353", "67", "68"].contains(port.description) { return nil }
            let target = "\(peer(fields.text("dst_ip"))):\(port)"
            return Behaviour(id: "flow:\(proto)/\(target)", description: "\(proto.uppercased()) flow to \(target)", category: "flow", origin: capture)
        case .tuyaPostURL:
            let api = fields.text("api") ?? fields.text("path") ?? "?"
            return Behaviour(id: "api:" + api, description: "API call \(api) to \(fields.text("host") ?? "?")", category: "api", origin: event.origin)
        case .tuyaConnect where fields.text("phase") != "end":
            let target = "\(fields.text("host") ?? "?"):\(fields["port"]?.description ?? "?")"
            return Behaviour(id: "connect:\(event.origin):\(target)", description: "connect to \(target)", category: "connect", origin: event.origin)
        case .miioHTTPDNS where event.message.hasPrefix("HTTP-DNS request"):
            // Keyed by the name asked for, not the server: the client alternates between servers.
            return Behaviour(id: "http_dns:\(fields.text("host") ?? "?")", description: "HTTP-DNS request for \(fields.text("host") ?? "?")",
                             category: "connect", origin: event.origin)
        default:
            let template = MessageTemplate.of(event.message)
            return Behaviour(id: "log:\(event.origin):\(template)", description: template, category: "log", origin: event.origin)
        }
    }

    /// The DNS name an address was resolved from, else the address.
    func peer(_ address: String?) -> String {
        guard let address else { return "?" }
        return namesByAddress[address] ?? address
    }

    private mutating func learn(addresses: String?, name: String?) {
        guard let addresses, let name, namesByAddress.count < Self.maxNames else { return }
        for address in addresses.split(separator: ",") where namesByAddress[String(address)] == nil {
            namesByAddress[String(address)] = name
        }
    }
}

/// A log message with what varies between repetitions taken out: numbers, hex strings and JSON bodies
/// become placeholders, so "heartbeat seq 41" and "heartbeat seq 42" are one behaviour.
enum MessageTemplate {
    static let maxLength = 96

    static func of(_ message: String) -> String {
        message.withUTF8Bytes { bytes in
            let firstLineEnd = bytes.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? bytes.count
            let firstLine = UnsafeRawBufferPointer(rebasing: bytes[..<firstLineEnd])
            // Character by Character only when it must be: walking Characters (grapheme breaking, Unicode
            // letter classes) on every event was half of a report's time.
            return ByteClasses.containsNonASCII(firstLine) ? characterTemplate(message) : asciiTemplate(firstLine, of: bytes)
        }
    }

    /// The template of an ASCII first line, byte by byte: the same as `characterTemplate`, where each byte
    /// is a Character. Written into a byte buffer, the brackets found with `memchr`, the length counted in
    /// Characters only when the bytes are too many: a report templates nearly every log line, and an array
    /// appended to byte by byte, then counted Character by Character, cost 4,300 instructions a line.
    static func asciiTemplate(_ firstLine: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer) -> String {
        func firstBracket(in bytes: UnsafeRawBufferPointer) -> Int? {
            let brace = ByteSearch.firstIndex(of: UInt8(ascii: "{"), in: bytes)
            let bracket = ByteSearch.firstIndex(of: UInt8(ascii: "["), in: UnsafeRawBufferPointer(rebasing: bytes[..<(brace ?? bytes.count)]))
            return bracket ?? brace
        }
        let line = UnsafeRawBufferPointer(rebasing: firstLine[..<(firstBracket(in: firstLine) ?? firstLine.count)])
        var output = ByteBuffer(capacity: line.count + 8)
        var tokenStart: Int?
        func flush(upTo end: Int) {
            guard let start = tokenStart else { return }
            let token = UnsafeRawBufferPointer(rebasing: line[start ..< end])
            let hasDigit = token.contains(where: \.isASCIIDigit)
            let isHex = token.count >= 6 && token.allSatisfy(\.isASCIIHexDigit)
            if hasDigit || isHex { output.append(UInt8(ascii: "#")) } else { output.append(token) }
            tokenStart = nil
        }
        for index in 0 ..< line.count {
            let byte = line[index]
            if byte.isASCIILetterOrDigit || byte == UInt8(ascii: "_") {
                if tokenStart == nil { tokenStart = index }
            } else {
                flush(upTo: index)
                output.append(byte)
            }
        }
        flush(upTo: line.count)
        if firstBracket(in: message) != nil { output.append("{…}") }
        let trimmed = output.withBytes { bytes -> String in
            let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            let start = bytes.firstIndex { !isBlank($0) } ?? bytes.count
            let end = (bytes.lastIndex { !isBlank($0) } ?? start - 1) + 1
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< max(start, end)]), as: UTF8.self)
        }
        // No more Characters than bytes: only a template of more bytes than the limit can be too long.
        guard trimmed.utf8.count > maxLength, trimmed.count > maxLength else { return trimmed }
        return String(trimmed.prefix(maxLength)) + "…"
    }

    /// The template of any message: tokens of letters, digits and `_` with a digit in them, or six hex
    /// digits and more, become `#`; the first line only, cut at its JSON; `{…}` when the message holds any.
    static func characterTemplate(_ message: String) -> String {
        var output = ""
        // "\r\n" is one Character, neither "\n" nor "\r".
        var characters = Substring(message.prefix { $0 != "\n" && $0 != "\r" && $0 != "\r\n" })
        if let brace = characters.firstIndex(where: { $0 == "{" || $0 == "[" }) {
            characters = characters[..<brace]
            output.reserveCapacity(characters.utf8.count + 3)
        }
        var token = ""
        func flush() {
            guard !token.isEmpty else { return }
            let hasDigit = token.contains { $0.isASCII && $0.isNumber }
            let isHex = token.count >= 6 && token.allSatisfy(\.isHexDigit)
            output += hasDigit || isHex ? "#" : token
            token = ""
        }
        for character in characters {
            if character.isLetter || character.isNumber || character == "_" {
                token.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        if message.contains(where: { $0 == "{" || $0 == "[" }) { output += "{…}" }
        let trimmed = output.trimmingCharacters(in: " \t")
        return trimmed.count > maxLength ? String(trimmed.prefix(maxLength)) + "…" : trimmed
    }
}

private extension UInt8 {
    var isASCIIDigit: Bool { self &- UInt8(ascii: "0") < 10 }

    var isASCIILetterOrDigit: Bool { isASCIIDigit || (self | 0x20) &- UInt8(ascii: "a") < 26 }

    var isASCIIHexDigit: Bool { isASCIIDigit || (self | 0x20) &- UInt8(ascii: "a") < 6 }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        let scalars = Substring(self).drop { set.contains($0) }
        var end = scalars.endIndex
        while end > scalars.startIndex, set.contains(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[..<end])
    }
}
