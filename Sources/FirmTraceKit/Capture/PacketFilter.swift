/// A display filter compiled for packets: each field becomes a reader of bytes at known offsets, each
/// literal is parsed once (a MAC to six bytes, an address to four or sixteen), so evaluating a packet
/// formats no text and allocates nothing. Fields Wireshark has but firmtrace does not yet decode are an
/// error naming the field, never silently false.
public struct PacketFilter: Sendable {
    public let expression: FilterExpression
    private let predicate: @Sendable (PacketDissection) -> Bool

    public init(_ text: String) throws(FilterError) {
        let expression = try FilterExpression.parse(text)
        self.expression = expression
        predicate = try Self.compile(expression, text: text)
    }

    public func matches(_ packet: PacketDissection) -> Bool { predicate(packet) }

    // MARK: Compiling

    private static func compile(_ expression: FilterExpression, text: String) throws(FilterError) -> @Sendable (PacketDissection) -> Bool {
        switch expression {
        case .and(let left, let right):
            let (l, r) = (try compile(left, text: text), try compile(right, text: text))
            return { l($0) && r($0) }
        case .or(let left, let right):
            let (l, r) = (try compile(left, text: text), try compile(right, text: text))
            return { l($0) || r($0) }
        case .not(let inner):
            let compiled = try compile(inner, text: text)
            return { !compiled($0) }
        case .exists(let field):
            if let present = PacketProtocols.presence[field] { return present }
            guard let accessor = PacketFields.accessor(field) else { throw unknown(field, text) }
            return { accessor.hasValue($0) }
        case .comparison(let comparison):
            guard let accessor = PacketFields.accessor(comparison.field) else { throw unknown(comparison.field, text) }
            return try accessor.compile(comparison, column: column(of: comparison.field, in: text))
        }
    }

    private static func unknown(_ field: String, _ text: String) -> FilterError {
        FilterError(.unknownField(field), column: column(of: field, in: text))
    }

    static func column(of field: String, in text: String) -> Int {
        guard let range = text.range(of: field) else { return 1 }
        return text.distance(from: text.startIndex, to: range.lowerBound) + 1
    }
}

/// Protocol names usable alone (`arp`, `!stp`), decided the way Wireshark's dissectors pick them.
enum PacketProtocols {
    static let presence: [String: @Sendable (PacketDissection) -> Bool] = [
        "eth": { $0.ethernet != nil },
        "arp": { $0.arp != nil },
        "ip": { $0.ipHeaders.contains { $0.version == 4 } },
        "ipv6": { $0.ipHeaders.contains { $0.version == 6 } },
        "tcp": { $0.transports.contains { $0.protocolNumber == 6 } },
        "udp": { $0.transports.contains { $0.protocolNumber == 17 } },
        "icmp": { $0.icmp != nil && $0.ipHeaders.first?.version == 4 },
        "icmpv6": { $0.icmp != nil && $0.ipHeaders.first?.version == 6 },
        "stp": { $0.llcDSAP == 0x42 },
        "cdp": { $0.snap.map { $0.oui == 0x00000C && $0.protocolID == 0x2000 } ?? false },
        "lldp": { $0.etherTypes.contains(0x88CC) },
        "mndp": { udpPort($0, 5678) },
        "dns": { udpPort($0, 53) || tcpPort($0, 53) },
        "mdns": { udpPort($0, 5353) },
        "dhcp": { udpPort($0, 67) || udpPort($0, 68) },
        "ssdp": { udpPort($0, 1900) },
        "ntp": { udpPort($0, 123) },
    ]

    static func udpPort(_ packet: PacketDissection, _ port: UInt16) -> Bool {
        guard let udp = packet.transports.first(where: { $0.protocolNumber == 17 }) else { return false }
        return (udp.sourcePort == port || udp.destinationPort == port) && !udp.payload.isEmpty
    }

    static func tcpPort(_ packet: PacketDissection, _ port: UInt16) -> Bool {
        guard let tcp = packet.transports.first(where: { $0.protocolNumber == 6 }) else { return false }
        return (tcp.sourcePort == port || tcp.destinationPort == port) && !tcp.payload.isEmpty
    }
}

/// How a field is read from a dissected packet.
enum PacketFields {
    enum Accessor {
        /// Offsets of six-byte MAC addresses.
        case mac(@Sendable (PacketDissection) -> [Int])
        /// Offsets of IP addresses of one version.
        case address(version: UInt8, @Sendable (PacketDissection) -> [Int])
        case integer(@Sendable (PacketDissection) -> [Int64])

        func hasValue(_ packet: PacketDissection) -> Bool {
            switch self {
            case .mac(let offsets): !offsets(packet).isEmpty
            case .address(_, let offsets): !offsets(packet).isEmpty
            case .integer(let values): !values(packet).isEmpty
            }
        }

        func compile(_ comparison: FilterComparison, column: Int) throws(FilterError) -> @Sendable (PacketDissection) -> Bool {
            let operation = comparison.comparison
            switch self {
            case .mac(let offsets):
                guard [.equal, .notEqual, .in].contains(operation) else { throw unsupported(comparison, column) }
                var targets: [[UInt8]] = []
                for literal in comparison.literals {
                    guard let bytes = MACAddress.parse(literal.text) else {
                        throw FilterError(.expected("a MAC address like 64:90:c1:1d:24:c4", found: "'\(literal.text)'"), column: column)
                    }
                    targets.append(bytes)
                }
                let wanted = targets
                return { packet in
                    let found = offsets(packet)
                    guard !found.isEmpty else { return false }
                    let equal = { (offset: Int) in wanted.contains { packet.bytesEqual(at: offset, $0) } }
                    return operation == .notEqual ? !found.contains(where: equal) : found.contains(where: equal)
                }
            case .address(let version, let offsets):
                guard [.equal, .notEqual, .in].contains(operation) else { throw unsupported(comparison, column) }
                var networks: [IPNetwork] = []
                for literal in comparison.literals {
                    guard let network = IPNetwork.parse(literal.text), network.bytes.count == (version == 4 ? 4 : 16) else {
                        throw FilterError(.expected("an IPv\(version) address", found: "'\(literal.text)'"), column: column)
                    }
                    networks.append(network)
                }
                let wanted = networks
                return { packet in
                    let found = offsets(packet)
                    guard !found.isEmpty else { return false }
                    let equal = { (offset: Int) in wanted.contains { $0.contains(packet.slice(offset ..< offset + $0.bytes.count)) } }
                    return operation == .notEqual ? !found.contains(where: equal) : found.contains(where: equal)
                }
            case .integer(let values):
                guard operation != .contains, operation != .matches else { throw unsupported(comparison, column) }
                var numbers: [Int64] = []
                for literal in comparison.literals {
                    guard let number = literal.integer ?? (literal.text == "true" ? 1 : literal.text == "false" ? 0 : nil) else {
                        throw FilterError(.expected("a number", found: "'\(literal.text)'"), column: column)
                    }
                    numbers.append(number)
                }
                let wanted = numbers
                return { packet in
                    let found = values(packet)
                    guard !found.isEmpty else { return false }
                    switch operation {
                    case .notEqual: return !found.contains { wanted.contains($0) }
                    case .equal, .in: return found.contains { wanted.contains($0) }
                    case .less: return found.contains { $0 < wanted[0] }
                    case .greater: return found.contains { $0 > wanted[0] }
                    case .lessOrEqual: return found.contains { $0 <= wanted[0] }
                    default: return found.contains { $0 >= wanted[0] }
                    }
                }
            }
        }

        private func unsupported(_ comparison: FilterComparison, _ column: Int) -> FilterError {
            FilterError(.expected("==, != or in for \(comparison.field)", found: "'\(comparison.comparison.rawValue)'"), column: column)
        }
    }

    static func accessor(_ field: String) -> Accessor? {
        switch field {
        case "eth.src": return .mac { $0.ethernet.map { [$0.source] } ?? [] }
        case "eth.dst": return .mac { $0.ethernet.map { [$0.destination] } ?? [] }
        case "eth.addr": return .mac { $0.ethernet.map { [$0.source, $0.destination] } ?? [] }
        case "arp.src.hw_mac": return .mac { $0.arp.map { [$0 + 8] } ?? [] }
        case "arp.dst.hw_mac": return .mac { $0.arp.map { [$0 + 18] } ?? [] }
        case "arp.src.proto_ipv4": return .address(version: 4) { $0.arp.map { [$0 + 14] } ?? [] }
        case "arp.dst.proto_ipv4": return .address(version: 4) { $0.arp.map { [$0 + 24] } ?? [] }
        case "arp.opcode": return .integer { packet in packet.arp.flatMap { packet.u16($0 + 6) }.map { [Int64($0)] } ?? [] }
        case "ip.src": return .address(version: 4) { $0.ipHeaders.filter { $0.version == 4 }.map(\.source) }
        case "ip.dst": return .address(version: 4) { $0.ipHeaders.filter { $0.version == 4 }.map(\.destination) }
        case "ip.addr": return .address(version: 4) { $0.ipHeaders.filter { $0.version == 4 }.flatMap { [$0.source, $0.destination] } }
        case "ip.proto": return .integer { $0.ipHeaders.filter { $0.version == 4 }.map { Int64($0.protocolNumber) } }
        case "ipv6.src": return .address(version: 6) { $0.ipHeaders.filter { $0.version == 6 }.map(\.source) }
        case "ipv6.dst": return .address(version: 6) { $0.ipHeaders.filter { $0.version == 6 }.map(\.destination) }
        case "ipv6.addr": return .address(version: 6) { $0.ipHeaders.filter { $0.version == 6 }.flatMap { [$0.source, $0.destination] } }
        case "eth.type": return .integer { $0.etherTypes.prefix(1).map { Int64($0) } }
        default: break
        }
        for (name, number) in [("tcp", UInt8(6)), ("udp", UInt8(17))] {
            let transports = { @Sendable (packet: PacketDissection) in packet.transports.filter { $0.protocolNumber == number } }
            switch field {
            case "\(name).srcport": return .integer { transports($0).map { Int64($0.sourcePort) } }
            case "\(name).dstport": return .integer { transports($0).map { Int64($0.destinationPort) } }
            case "\(name).port": return .integer { transports($0).flatMap { [Int64($0.sourcePort), Int64($0.destinationPort)] } }
            default: break
            }
        }
        switch field {
        case "tcp.flags.syn": return .integer { $0.transports.filter { $0.protocolNumber == 6 }.map { Int64($0.tcpFlags >> 1 & 1) } }
        case "tcp.flags.ack": return .integer { $0.transports.filter { $0.protocolNumber == 6 }.map { Int64($0.tcpFlags >> 4 & 1) } }
        case "tcp.flags.fin": return .integer { $0.transports.filter { $0.protocolNumber == 6 }.map { Int64($0.tcpFlags & 1) } }
        case "tcp.flags.reset": return .integer { $0.transports.filter { $0.protocolNumber == 6 }.map { Int64($0.tcpFlags >> 2 & 1) } }
        default: return nil
        }
    }
}

extension PacketDissection {
    func bytesEqual(at offset: Int, _ expected: [UInt8]) -> Bool {
        guard offset >= 0, offset + expected.count <= bytes.count else { return false }
        for index in expected.indices where bytes[offset + index] != expected[index] { return false }
        return true
    }
}

enum MACAddress {
    /// `64:90:c1:1d:24:c4`, `64-90-c1-1d-24-c4` or `6490.c11d.24c4`.
    static func parse(_ text: String) -> [UInt8]? {
        let hex = text.filter { $0 != ":" && $0 != "-" && $0 != "." }
        guard hex.count == 12, text.count >= 12 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index ..< next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// An address or a network (`10.10.10.0/24`) to compare addresses against.
struct IPNetwork: Sendable {
    let bytes: [UInt8]
    let prefixLength: Int

    static func parse(_ text: String) -> IPNetwork? {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = parts.first, let bytes = parseAddress(String(address)) else { return nil }
        let prefix = parts.count > 1 ? Int(parts[1]) : bytes.count * 8
        guard let prefix, (0 ... bytes.count * 8).contains(prefix) else { return nil }
        return IPNetwork(bytes: bytes, prefixLength: prefix)
    }

    func contains(_ candidate: UnsafeRawBufferPointer) -> Bool {
        guard candidate.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if candidate[index] & mask != bytes[index] & mask { return false }
            remaining -= 8
        }
        return true
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        if !text.contains(":") {
            let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
            return octets.count == 4 && text.split(separator: ".", omittingEmptySubsequences: false).count == 4 ? octets : nil
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            let values = part.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0, radix: 16) }
            return values.contains(nil) ? nil : values.compactMap { $0 }
        }
        guard let head = groups(halves[0]), let tail = halves.count == 2 ? groups(halves[1]) : [] else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 0 : missing == 0 else { return nil }
        return (head + [UInt16](repeating: 0, count: missing) + tail).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
