/// A display filter compiled for packets: each field becomes a reader of bytes at known offsets, each
/// literal is parsed once (a MAC to six bytes, an address to four or sixteen), so evaluating a packet
/// formats no text and allocates nothing. Fields Wireshark has but firmtrace does not yet decode are an
/// error naming the field, never silently false.
public struct PacketFilter: Sendable {
    public let expression: FilterExpression
    /// How deep packets must be dissected for this filter: MAC filters never look past the link layer.
    public let depth: PacketDissection.Depth
    private let predicate: @Sendable (PacketDissection) -> Bool

    public init(_ text: String) throws(FilterError) {
        let expression = try FilterExpression.parse(text)
        self.expression = expression
        var depth = PacketDissection.Depth.link
        predicate = try Self.compile(expression, text: text, depth: &depth)
        self.depth = depth
    }

    public func matches(_ packet: PacketDissection) -> Bool { predicate(packet) }

    public func matches(_ packet: CapturedPacket) -> Bool { predicate(PacketDissection(packet, depth: depth)) }

    // MARK: Compiling

    private static func compile(_ expression: FilterExpression, text: String,
                                depth: inout PacketDissection.Depth) throws(FilterError) -> @Sendable (PacketDissection) -> Bool {
        switch expression {
        case .and(let left, let right):
            let (l, r) = (try compile(left, text: text, depth: &depth), try compile(right, text: text, depth: &depth))
            return { l($0) && r($0) }
        case .or(let left, let right):
            let (l, r) = (try compile(left, text: text, depth: &depth), try compile(right, text: text, depth: &depth))
            return { l($0) || r($0) }
        case .not(let inner):
            let compiled = try compile(inner, text: text, depth: &depth)
            return { !compiled($0) }
        case .exists(let field):
            if let (present, needed) = PacketProtocols.presence[field] {
                depth = max(depth, needed)
                return present
            }
            guard let (accessor, needed) = PacketFields.accessor(field) else { throw unknown(field, text) }
            depth = max(depth, needed)
            return { accessor.hasValue($0) }
        case .comparison(let comparison):
            guard let (accessor, needed) = PacketFields.accessor(comparison.field) else { throw unknown(comparison.field, text) }
            depth = max(depth, needed)
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
    static let presence: [String: (@Sendable (PacketDissection) -> Bool, PacketDissection.Depth)] = [
        "eth": ({ $0.ethernet != nil }, .link),
        "arp": ({ $0.arp != nil }, .link),
        // Wireshark's tables (`tshark -G decodes`): STP by LLC SAP 0x42, Cisco PVST+ SNAP IDs and
        // ethertype 0x8181; CDP by Cisco SNAP ID 0x2000; LLDP by ethertypes 0x88CC and 0x8942.
        "stp": ({ $0.llcDSAP == 0x42 || isCiscoSNAP($0, [0x010B, 0x0108, 0x010C, 0x010D]) || $0.etherTypes.contains(0x8181) }, .link),
        "cdp": ({ isCiscoSNAP($0, [0x2000]) }, .link),
        "lldp": ({ $0.etherTypes.contains(0x88CC) || $0.etherTypes.contains(0x8942) }, .link),
        "ip": ({ $0.ipHeaders.contains { $0.version == 4 } }, .network),
        "ipv6": ({ $0.ipHeaders.contains { $0.version == 6 } }, .network),
        "tcp": ({ $0.transports.contains { $0.protocolNumber == 6 } }, .transport),
        "udp": ({ $0.transports.contains { $0.protocolNumber == 17 } }, .transport),
        "icmp": ({ $0.icmp != nil && $0.ipHeaders.first?.version == 4 }, .transport),
        "icmpv6": ({ $0.icmp != nil && $0.ipHeaders.first?.version == 6 }, .transport),
        "mndp": ({ udpPort($0, 5678) }, .transport),
        "dns": ({ udpPort($0, 53) || tcpPort($0, 53) || tcpPort($0, 5353) }, .transport),
        "mdns": ({ udpPort($0, 5353) }, .transport),
        "dhcp": ({ udpPort($0, 67) || udpPort($0, 68) || udpPort($0, 4011) }, .transport),
        "ssdp": ({ udpPort($0, 1900) }, .transport),
        "ntp": ({ udpPort($0, 123) }, .transport),
    ]

    static func isCiscoSNAP(_ packet: PacketDissection, _ protocolIDs: [UInt16]) -> Bool {
        guard let snap = packet.snap else { return false }
        return snap.oui == 0x00000C && protocolIDs.contains(snap.protocolID)
    }

    static func udpPort(_ packet: PacketDissection, _ port: UInt16) -> Bool {
        guard let udp = packet.transports.first(where: { $0.protocolNumber == 17 }) else { return false }
        return (udp.sourcePort == port || udp.destinationPort == port) && !udp.payload.isEmpty
    }

    static func tcpPort(_ packet: PacketDissection, _ port: UInt16) -> Bool {
        guard let tcp = packet.transports.first(where: { $0.protocolNumber == 6 }) else { return false }
        return (tcp.sourcePort == port || tcp.destinationPort == port) && !tcp.payload.isEmpty
    }
}

/// How a field is read from a dissected packet: each accessor visits every occurrence of the field (a
/// packet can carry two IP headers, an ICMP error quotes one) without collecting them into an array.
enum PacketFields {
    typealias Visitor<Value> = @Sendable (PacketDissection, (Value) -> Void) -> Void

    enum Accessor {
        /// Offsets of six-byte MAC addresses.
        case mac(Visitor<Int>)
        /// Offsets of IP addresses of one version.
        case address(version: UInt8, Visitor<Int>)
        case integer(Visitor<Int64>)

        func hasValue(_ packet: PacketDissection) -> Bool {
            var found = false
            switch self {
            case .mac(let visit): visit(packet) { _ in found = true }
            case .address(_, let visit): visit(packet) { _ in found = true }
            case .integer(let visit): visit(packet) { _ in found = true }
            }
            return found
        }

        func compile(_ comparison: FilterComparison, column: Int) throws(FilterError) -> @Sendable (PacketDissection) -> Bool {
            let operation = comparison.comparison
            switch self {
            case .mac(let visit):
                guard [.equal, .notEqual, .in].contains(operation) else { throw unsupported(comparison, column) }
                var targets: [[UInt8]] = []
                for literal in comparison.literals {
                    guard let bytes = MACAddress.parse(literal.text) else {
                        throw FilterError(.expected("a MAC address like 64:90:c1:1d:24:c4", found: "'\(literal.text)'"), column: column)
                    }
                    targets.append(bytes)
                }
                // Six bytes as one integer: comparing a packet's address is a load and a compare.
                let wanted = targets.map { MACAddress.key($0[...]) }
                return { packet in
                    Self.decide(operation) { each in
                        visit(packet) { offset in each(packet.macKey(at: offset).map { wanted.contains($0) } ?? false) }
                    }
                }
            case .address(let version, let visit):
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
                    Self.decide(operation) { each in
                        visit(packet) { offset in each(wanted.contains { $0.contains(packet.slice(offset ..< offset + $0.bytes.count)) }) }
                    }
                }
            case .integer(let visit):
                guard operation != .contains, operation != .matches else { throw unsupported(comparison, column) }
                var numbers: [Int64] = []
                for literal in comparison.literals {
                    guard let number = literal.integer ?? (literal.text == "true" ? 1 : literal.text == "false" ? 0 : nil) else {
                        throw FilterError(.expected("a number", found: "'\(literal.text)'"), column: column)
                    }
                    numbers.append(number)
                }
                let wanted = numbers, bound = numbers[0]
                let test: @Sendable (Int64) -> Bool = switch operation {
                case .less: { $0 < bound }
                case .greater: { $0 > bound }
                case .lessOrEqual: { $0 <= bound }
                case .greaterOrEqual: { $0 >= bound }
                default: { wanted.contains($0) }
                }
                return { packet in Self.decide(operation) { each in visit(packet) { each(test($0)) } } }
            }
        }

        /// Wireshark's rules over a field's occurrences: `!=` holds when none is equal, every other
        /// operator when any holds; with no occurrence at all, nothing holds.
        private static func decide(_ operation: ComparisonOperator, _ occurrences: ((Bool) -> Void) -> Void) -> Bool {
            var present = false, anyHolds = false
            occurrences { holds in
                present = true
                if holds { anyHolds = true }
            }
            return present && (operation == .notEqual ? !anyHolds : anyHolds)
        }

        private func unsupported(_ comparison: FilterComparison, _ column: Int) -> FilterError {
            FilterError(.expected("==, != or in for \(comparison.field)", found: "'\(comparison.comparison.rawValue)'"), column: column)
        }
    }

    /// The accessor for a field and how deep a packet must be dissected for it.
    static func accessor(_ field: String) -> (Accessor, PacketDissection.Depth)? {
        func ip(_ version: UInt8, _ pick: @escaping @Sendable (PacketDissection.IPHeader, (Int) -> Void) -> Void) -> (Accessor, PacketDissection.Depth) {
            (.address(version: version) { packet, body in
                for header in packet.ipHeaders where header.version == version { pick(header, body) }
            }, .network)
        }
        func ports(_ number: UInt8, _ pick: @escaping @Sendable (PacketDissection.TransportHeader, (Int64) -> Void) -> Void) -> (Accessor, PacketDissection.Depth) {
            (.integer { packet, body in
                for transport in packet.transports where transport.protocolNumber == number { pick(transport, body) }
            }, .transport)
        }
        switch field {
        case "eth.src": return (.mac { packet, body in if let ethernet = packet.ethernet { body(ethernet.source) } }, .link)
        case "eth.dst": return (.mac { packet, body in if let ethernet = packet.ethernet { body(ethernet.destination) } }, .link)
        case "eth.addr":
            return (.mac { packet, body in
                if let ethernet = packet.ethernet {
                    body(ethernet.source)
                    body(ethernet.destination)
                }
            }, .link)
        case "eth.type": return (.integer { packet, body in if let type = packet.etherTypes.first { body(Int64(type)) } }, .link)
        case "arp.src.hw_mac": return (.mac { packet, body in if let arp = packet.arp { body(arp + 8) } }, .link)
        case "arp.dst.hw_mac": return (.mac { packet, body in if let arp = packet.arp { body(arp + 18) } }, .link)
        case "arp.src.proto_ipv4": return (.address(version: 4) { packet, body in if let arp = packet.arp { body(arp + 14) } }, .link)
        case "arp.dst.proto_ipv4": return (.address(version: 4) { packet, body in if let arp = packet.arp { body(arp + 24) } }, .link)
        case "arp.opcode":
            return (.integer { packet, body in if let arp = packet.arp, let opcode = packet.u16(arp + 6) { body(Int64(opcode)) } }, .link)
        case "ip.src": return ip(4) { header, body in body(header.source) }
        case "ip.dst": return ip(4) { header, body in body(header.destination) }
        case "ip.addr": return ip(4) { header, body in body(header.source); body(header.destination) }
        case "ipv6.src": return ip(6) { header, body in body(header.source) }
        case "ipv6.dst": return ip(6) { header, body in body(header.destination) }
        case "ipv6.addr": return ip(6) { header, body in body(header.source); body(header.destination) }
        case "ip.flags.mf":
            return (.integer { packet, body in for header in packet.ipHeaders where header.version == 4 { body(header.moreFragments ? 1 : 0) } }, .network)
        case "ip.frag_offset":
            return (.integer { packet, body in for header in packet.ipHeaders where header.version == 4 { body(Int64(header.fragmentOffset)) } }, .network)
        case "ip.proto":
            return (.integer { packet, body in for header in packet.ipHeaders where header.version == 4 { body(Int64(header.protocolNumber)) } }, .network)
        case "tcp.srcport": return ports(6) { transport, body in body(Int64(transport.sourcePort)) }
        case "tcp.dstport": return ports(6) { transport, body in body(Int64(transport.destinationPort)) }
        case "tcp.port": return ports(6) { transport, body in body(Int64(transport.sourcePort)); body(Int64(transport.destinationPort)) }
        case "udp.srcport": return ports(17) { transport, body in body(Int64(transport.sourcePort)) }
        case "udp.dstport": return ports(17) { transport, body in body(Int64(transport.destinationPort)) }
        case "udp.port": return ports(17) { transport, body in body(Int64(transport.sourcePort)); body(Int64(transport.destinationPort)) }
        case "tcp.flags.syn": return ports(6) { transport, body in body(Int64(transport.tcpFlags >> 1 & 1)) }
        case "tcp.flags.ack": return ports(6) { transport, body in body(Int64(transport.tcpFlags >> 4 & 1)) }
        case "tcp.flags.fin": return ports(6) { transport, body in body(Int64(transport.tcpFlags & 1)) }
        case "tcp.flags.reset": return ports(6) { transport, body in body(Int64(transport.tcpFlags >> 2 & 1)) }
        default: return nil
        }
    }
}

extension PacketDissection {
    /// The six bytes at `offset` as the low 48 bits of an integer, or nil past the end.
    func macKey(at offset: Int) -> UInt64? {
        guard offset >= 0, offset + 6 <= bytes.count else { return nil }
        return UInt64(u32(offset)!) << 16 | UInt64(u16(offset + 4)!)
    }
}

enum MACAddress {
    static func key(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

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
