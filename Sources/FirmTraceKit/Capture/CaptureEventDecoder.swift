/// Turns the packets of one capture into `net.*` events: each protocol by its ports or first bytes, a TLS
/// ClientHello reassembled when it spans segments, and one `net.flow` summary per conversation at the end.
public final class CaptureEventDecoder {
    /// Reassembly buffers are bounded: a ClientHello larger than this is not one.
    static let maxHelloBytes = 64 << 10
    /// Conversations tracked at once; past this, the tracked ones are summarised early so memory stays flat.
    public static let defaultMaxFlows = 200_000

    private let source: String
    private let wantsKind: (EventKind) -> Bool
    private let miioToken: [UInt8]?
    private var pendingHellos: [FlowKey: PendingHello] = [:]
    /// Conversations in the order they began, and where each key's is: one lookup per packet.
    private var flows: [Flow] = []
    private var flowIndex: [FlowKey: Int] = [:]
    /// The last packet's conversation: packets come in bursts (in the sample capture, nearly one in two
    /// follows one of the same conversation), and a lookup in a table of thousands misses the cache.
    private var lastFlow: (key: FlowKey, index: Int)?
    private let names = AddressNames()

    private let maxFlows: Int

    public init(source: String, wantsKind: @escaping (EventKind) -> Bool, miioToken: [UInt8]? = nil, maxFlows: Int = defaultMaxFlows) {
        self.source = source
        self.wantsKind = wantsKind
        self.miioToken = miioToken
        self.maxFlows = maxFlows
    }

    /// Decodes one packet; false when `emit` asked to stop.
    public func decode(_ packet: CapturedPacket, emit: (consuming Event) -> Bool) -> Bool {
        // The context holds `emit` only while this packet is decoded.
        withoutActuallyEscaping(emit) { emit in
            let dissection = PacketDissection(packet)
            var context = Context(packet: packet, dissection: dissection, source: source, names: names, emit: emit)
            if let arp = dissection.arp, wantsKind(.netARP) { decodeARP(arp, &context) }
            if let ip = dissection.ipHeaders.first, let transport = dissection.transports.first {
                context.endpoints(ip, transport)
                if wantsKind(.netFlow), !track(ip, transport, packet, dissection, emit: emit) { return false }
                let payload = dissection.slice(transport.payload)
                if !payload.isEmpty { decodePayload(payload, transport, &context) }
            }
            return !context.stopped
        }
    }

    /// Emits the flow summaries.
    public func finish(emit: (consuming Event) -> Bool) {
        flushFlows(emit: emit)
    }

    // MARK: Protocols

    private func decodePayload(_ payload: UnsafeRawBufferPointer, _ transport: PacketDissection.TransportHeader, _ context: inout Context) {
        let ports = (transport.sourcePort, transport.destinationPort)
        func either(_ port: UInt16) -> Bool { ports.0 == port || ports.1 == port }
        if transport.protocolNumber == 17 {
            if either(53) || either(5353) { decodeDNS(payload, multicast: either(5353), &context) }
            if either(67) || either(68), wantsKind(.netDHCP) { decodeDHCP(payload, &context) }
            if either(1900), wantsKind(.netSSDP) { decodeSSDP(payload, &context) }
            if either(6666) || either(6667) || either(6668), wantsKind(.netTuya) || wantsKind(.netTuyaDiscovery) {
                decodeTuya(payload, &context)
            }
            if either(54321), wantsKind(.netMiio) { decodeMiio(payload, &context) }
        } else if transport.protocolNumber == 6 {
            if either(53), payload.count > 2 { decodeDNS(UnsafeRawBufferPointer(rebasing: payload[2...]), multicast: false, &context) }
            if either(6668), wantsKind(.netTuya) { decodeTuya(payload, &context) }
            if either(1883), wantsKind(.netMQTT) { decodeMQTT(payload, &context) }
            if wantsKind(.netTLSClientHello) { decodeTLS(payload, transport, &context) }
            if wantsKind(.netHTTPRequest), let request = HTTPRequest.parse(payload) {
                var fields = context.baseFields
                fields.set("method", request.method)
                if let host = request.host { fields.set("host", host) }
                fields.set("path", request.path)
                if let agent = request.userAgent { fields.set("user_agent", agent) }
                context.emit(.netHTTPRequest, "\(request.method) \(request.host ?? context.destination)\(request.path)", fields)
            }
        }
    }

    private func decodeDNS(_ payload: UnsafeRawBufferPointer, multicast: Bool, _ context: inout Context) {
        // The QR bit decides the kind before anything is parsed: queries alone skip every answer.
        guard payload.count >= 12 else { return }
        let isResponse = payload[2] & 0x80 != 0
        guard wantsKind(multicast ? .netMDNS : isResponse ? .netDNSAnswer : .netDNSQuery) else { return }
        guard let message = DNSMessage.parse(payload, questionsOnly: !isResponse) else { return }
        let kind: EventKind = multicast ? .netMDNS : message.isResponse ? .netDNSAnswer : .netDNSQuery
        guard let question = message.questions.first else { return }
        var fields = context.baseFields
        fields.append("name", .string(question.name))
        fields.append("qtype", .string(DNSMessage.typeName(question.type)))
        fields.append("dns_id", .integer(Int64(message.id)))
        if message.isResponse {
            let responseCode = DNSMessage.responseCodeName(message.responseCode)
            // Keys not in the base fields: appended, not searched for among them.
            fields.append("rcode", .string(responseCode))
            // The answers' lists written into one buffer, reused: filtering, mapping and joining arrays, then
            // interpolating the message, cost more than parsing the packet, and so did appending to strings
            // (some 600 instructions an append).
            func isAddress(_ answer: DNSMessage.Record) -> Bool { answer.type == 1 || answer.type == 28 }
            func isCNAME(_ answer: DNSMessage.Record) -> Bool { answer.type == 5 }
            var text = ByteBuffer(capacity: 128)
            func list(_ wanted: (DNSMessage.Record) -> Bool, separator: StaticString, terminated: Bool = false) {
                var first = true
                for answer in message.answers where wanted(answer) {
                    guard let data = answer.data else { continue }
                    if !first, !terminated { text.append(separator) }
                    text.append(utf8: data)
                    if terminated { text.append(separator) }
                    first = false
                }
            }
            func listed(_ wanted: (DNSMessage.Record) -> Bool) -> String {
                text.removeAll()
                list(wanted, separator: ",")
                return text.string
            }
            fields.append("addresses", .string(listed(isAddress)))
            let cnames = listed(isCNAME)
            if !cnames.isEmpty { fields.append("cnames", .string(cnames)) }
            var (addressTTL, anyTTL): (UInt32?, UInt32?) = (nil, nil)
            for answer in message.answers {
                anyTTL = min(anyTTL ?? answer.ttl, answer.ttl)
                if isAddress(answer) { addressTTL = min(addressTTL ?? answer.ttl, answer.ttl) }
            }
            if let ttl = addressTTL ?? anyTTL { fields.append("ttl", .integer(Int64(ttl))) }
            text.removeAll()
            text.append(utf8: question.name)
            text.append(" ")
            text.append(utf8: DNSMessage.typeName(question.type))
            text.append(" → ")
            list(isCNAME, separator: " → ", terminated: true)
            // An address record, even one whose data could not be read, has a TTL.
            if addressTTL != nil { list(isAddress, separator: ", ") } else { text.append(utf8: responseCode) }
            context.emit(kind, text.string, fields)
        } else {
            // Into a buffer, as the answers' text: joining three strings cost 1,700 instructions a query.
            var text = ByteBuffer(capacity: question.name.utf8.count + 16)
            text.append(utf8: question.name)
            text.append(UInt8(ascii: " "))
            text.append(utf8: DNSMessage.typeName(question.type))
            text.append(UInt8(ascii: "?"))
            context.emit(kind, text.string, fields)
        }
    }

    private func decodeDHCP(_ payload: UnsafeRawBufferPointer, _ context: inout Context) {
        guard let message = DHCPMessage.parse(payload) else { return }
        var fields = context.baseFields
        if let type = message.messageType { fields.set("message_type", type) }
        fields.set("client_mac", message.clientMAC)
        fields.set("xid", Int64(message.transactionID))
        if message.yourAddress != "0.0.0.0" { fields.set("assigned_ip", message.yourAddress) }
        if let hostname = message.hostname { fields.set("hostname", hostname) }
        if let requested = message.requestedAddress { fields.set("requested_ip", requested) }
        if let vendor = message.vendorClass { fields.set("vendor_class", vendor) }
        if let server = message.serverIdentifier { fields.set("server_id", server) }
        if let lease = message.leaseSeconds { fields.set("lease_s", Int64(lease)) }
        context.emit(.netDHCP, "DHCP \(message.messageType ?? "?") \(message.clientMAC)\(message.hostname.map { " (\($0))" } ?? "")", fields)
    }

    private func decodeARP(_ offset: Int, _ context: inout Context) {
        let packet = context.dissection
        guard let operation = packet.u16(offset + 6), packet.u8(offset + 4) == 6, packet.u8(offset + 5) == 4, offset + 28 <= packet.bytes.count
        else { return }
        var fields = context.baseFields
        let senderMAC = AddressText.mac(packet.slice(offset + 8 ..< offset + 14)), senderIP = AddressText.ipv4(packet.slice(offset + 14 ..< offset + 18))
        let targetMAC = AddressText.mac(packet.slice(offset + 18 ..< offset + 24)), targetIP = AddressText.ipv4(packet.slice(offset + 24 ..< offset + 28))
        fields.set("op", operation == 1 ? "request" : operation == 2 ? "reply" : String(operation))
        fields.set("sender_mac", senderMAC)
        fields.set("sender_ip", senderIP)
        fields.set("target_mac", targetMAC)
        fields.set("target_ip", targetIP)
        let message = operation == 1 ? "who has \(targetIP)? tell \(senderIP)" : "\(senderIP) is at \(senderMAC)"
        context.emit(.netARP, message, fields)
    }

    private func decodeSSDP(_ payload: UnsafeRawBufferPointer, _ context: inout Context) {
        guard let message = SSDPMessage.parse(payload) else { return }
        var fields = context.baseFields
        fields.set("start_line", message.startLine)
        for (name, value) in message.headers where ["nt", "nts", "st", "location", "server", "usn", "man"].contains(name) {
            fields.set(name, value)
        }
        context.emit(.netSSDP, message.startLine, fields)
    }

    private func decodeTuya(_ payload: UnsafeRawBufferPointer, _ context: inout Context) {
        guard let frame = TuyaFrame.parse(payload) else { return }
        var fields = context.baseFields
        fields.set("cmd", Int64(frame.command))
        fields.set("seq", Int64(frame.sequence))
        fields.set("length", Int64(frame.length))
        fields.set("prefix", frame.prefix == TuyaFrame.prefix55AA ? "55AA" : "6699")
        let isDiscovery = context.dissection.transports.first.map { [6666, 6667].contains($0.destinationPort) } ?? false
        if isDiscovery, wantsKind(.netTuyaDiscovery), let json = discoveryJSON(frame, payload), case .object(let members) = json {
            for member in members where member.value != .null { fields.set(member.key, member.value.fieldValue) }
            let id = json["gwId"].map { $0.fieldValue.description } ?? "?"
            context.emit(.netTuyaDiscovery, "Tuya discovery from \(id) (\(json["ip"]?.fieldValue.description ?? context.sourceAddress)), version \(json["version"]?.fieldValue.description ?? "?")", fields)
        } else if wantsKind(.netTuya) {
            context.emit(.netTuya, "Tuya frame cmd \(frame.command) seq \(frame.sequence), \(frame.length) bytes", fields)
        }
    }

    /// The last discovery broadcasts and their JSON: each device on a network sends the same one every few
    /// seconds, and decrypting and parsing each again was two thirds of decoding it.
    private var recentDiscoveries: [(payload: [UInt8], json: JSONValue?)] = []
    private static let recentDiscoveryCount = 8

    private func discoveryJSON(_ frame: TuyaFrame, _ payload: UnsafeRawBufferPointer) -> JSONValue? {
        if let seen = recentDiscoveries.first(where: { $0.payload.withUnsafeBytes { $0.elementsEqual(payload) } }) { return seen.json }
        let json = frame.discoveryJSON(payload)
        if recentDiscoveries.count == Self.recentDiscoveryCount { recentDiscoveries.removeFirst() }
        recentDiscoveries.append((Array(payload), json))
        return json
    }

    private func decodeMiio(_ payload: UnsafeRawBufferPointer, _ context: inout Context) {
        guard let packet = MiioPacket.parse(payload) else { return }
        var fields = context.baseFields
        fields.set("device_id", Int64(packet.deviceID))
        fields.set("stamp", Int64(packet.stamp))
        fields.set("length", Int64(packet.length))
        fields.set("checksum", packet.checksum)
        if let token = miioToken, let plain = packet.decrypt(payload, token: token) { fields.set("payload", plain) }
        let what = packet.length == 32 ? "hello" : "\(packet.length - 32) bytes of data"
        context.emit(.netMiio, "miIO device \(packet.deviceID), stamp \(packet.stamp): \(what)", fields)
    }

    private func decodeMQTT(_ payload: UnsafeRawBufferPointer, _ context: inout Context) {
        guard let packet = MQTTPacket.parse(payload) else { return }
        var fields = context.baseFields
        fields.set("mqtt_type", packet.type)
        if let client = packet.clientID { fields.set("client_id", client) }
        if let user = packet.username { fields.set("username", user) }
        if let topic = packet.topic { fields.set("topic", topic) }
        context.emit(.netMQTT, "MQTT \(packet.type)\(packet.topic.map { " " + $0 } ?? "")\(packet.clientID.map { " client " + $0 } ?? "")", fields)
    }

    /// A ClientHello in one segment is parsed at once; one that spans segments is gathered (in order,
    /// bounded) and parsed, and reported on the frame that completed it.
    private func decodeTLS(_ payload: UnsafeRawBufferPointer, _ transport: PacketDissection.TransportHeader, _ context: inout Context) {
        guard let key = context.flowKey else { return }
        var bytes: [UInt8]
        if var pending = pendingHellos[key] {
            pending.bytes.append(contentsOf: payload)
            guard pending.bytes.count < pending.needed else {
                pendingHellos[key] = nil
                bytes = pending.bytes
                emitHello(bytes, firstFrame: pending.firstFrame, &context)
                return
            }
            pendingHellos[key] = pending.bytes.count <= Self.maxHelloBytes ? pending : nil
            return
        }
        guard let needed = TLSClientHello.recordLength(payload) else { return }
        if needed <= payload.count {
            bytes = Array(payload)
            emitHello(bytes, firstFrame: nil, &context)
        } else if needed <= Self.maxHelloBytes {
            pendingHellos[key] = PendingHello(bytes: Array(payload), needed: needed, firstFrame: context.packet.frame)
        }
    }

    private func emitHello(_ bytes: [UInt8], firstFrame: Int?, _ context: inout Context) {
        guard let hello = bytes.withUnsafeBytes({ TLSClientHello.parse($0) }) else { return }
        var fields = context.baseFields
        if let name = hello.serverName { fields.set("sni", name) }
        if !hello.alpn.isEmpty { fields.set("alpn", hello.alpn.joined(separator: ",")) }
        fields.set("tls_version", TLSClientHello.versionName(hello.version))
        if let firstFrame { fields.set("first_frame", Int64(firstFrame)) }
        context.emit(.netTLSClientHello, "TLS ClientHello to \(hello.serverName ?? context.destination) (\(context.destination))", fields)
    }

    // MARK: Flows

    /// Counts the packet into its conversation; false when a summary emitted early was refused.
    private func track(_ ip: PacketDissection.IPHeader, _ transport: PacketDissection.TransportHeader, _ packet: CapturedPacket,
                       _ dissection: PacketDissection, emit: (consuming Event) -> Bool) -> Bool {
        guard let key = FlowKey(packet: packet, ip: ip, transport: transport) else { return true }
        let index: Int
        if let lastFlow, lastFlow.key == key {
            index = lastFlow.index
        } else if let known = flowIndex[key] {
            index = known
        } else {
            // A capture of scans or spoofed sources has no end of conversations: past the bound, the ones
            // tracked so far are summarised now, and any that goes on starts a new summary.
            if flows.count >= maxFlows, !flushFlows(emit: emit) { return false }
            flows.append(Flow(originator: names.address(at: ip.source, of: ip, in: dissection),
                              originatorPort: transport.sourcePort,
                              responder: names.address(at: ip.destination, of: ip, in: dissection),
                              responderPort: transport.destinationPort, protocolNumber: transport.protocolNumber,
                              opensWithSYN: transport.protocolNumber == 6 && transport.tcpFlags & 0x12 == 0x02,
                              first: packet.timestamp, last: packet.timestamp, firstFrame: packet.frame))
            index = flows.count - 1
            flowIndex[key] = index
        }
        lastFlow = (key, index)
        flows[index].packets += 1
        flows[index].bytes += packet.originalLength
        if let time = packet.timestamp { flows[index].last = time }
        return true
    }

    /// Emits and forgets every tracked conversation; false when `emit` asked to stop.
    @discardableResult
    private func flushFlows(emit: (consuming Event) -> Bool) -> Bool {
        for flow in flows {
            // Every key new: appended, not searched for. The message written into bytes: interpolated, it
            // cost more than all of a flow's fields.
            var fields = EventFields(capacity: 10)
            let proto = flow.protocolNumber == 6 ? "tcp" : flow.protocolNumber == 17 ? "udp" : String(flow.protocolNumber)
            fields.append("proto", .string(proto))
            fields.append("src_ip", .string(flow.originator))
            fields.append("src_port", .integer(Int64(flow.originatorPort)))
            fields.append("dst_ip", .string(flow.responder))
            fields.append("dst_port", .integer(Int64(flow.responderPort)))
            fields.append("packets", .integer(Int64(flow.packets)))
            fields.append("bytes", .integer(Int64(flow.bytes)))
            // Packet times are whatever the capture file says: two far apart enough to overflow give no duration.
            if let first = flow.first, let last = flow.last, case let (span, false) = last.subtractingReportingOverflow(first) {
                fields.append("duration_ms", .integer(span / 1_000_000))
            }
            fields.append("first_frame", .integer(Int64(flow.firstFrame)))
            if flow.protocolNumber == 6 { fields.append("syn", .bool(flow.opensWithSYN)) }
            var message = ByteBuffer(capacity: 96)
            message.append(utf8: proto)
            message.append(" ")
            message.append(utf8: flow.originator)
            message.append(":")
            EventBytes.appendInteger(Int64(flow.originatorPort), to: &message)
            message.append(" → ")
            message.append(utf8: flow.responder)
            message.append(":")
            EventBytes.appendInteger(Int64(flow.responderPort), to: &message)
            message.append(", ")
            EventBytes.appendInteger(Int64(flow.packets), to: &message)
            message.append(" packets, ")
            EventBytes.appendInteger(Int64(flow.bytes), to: &message)
            message.append(" bytes")
            let event = Event(time: flow.first, timeBasis: flow.first == nil ? .unknown : .capture, kind: .netFlow, origin: "capture",
                              source: source, frame: flow.firstFrame, message: message.string, fields: fields)
            if !emit(event) { return false }
        }
        flows.removeAll()
        flowIndex.removeAll()
        lastFlow = nil
        return true
    }

    private struct PendingHello {
        var bytes: [UInt8]
        let needed: Int
        let firstFrame: Int
    }

    private struct Flow {
        let originator: String, originatorPort: UInt16, responder: String, responderPort: UInt16, protocolNumber: UInt8
        /// A TCP conversation whose first packet is a SYN without ACK: its opening was captured, so its
        /// first packet is when the originator connected.
        let opensWithSYN: Bool
        var first: Int64?, last: Int64?
        let firstFrame: Int
        var packets = 0, bytes = 0
    }
}

/// Text for the MAC and IPv4 addresses a capture keeps repeating, formatted once each: a device's capture
/// has few distinct addresses, and formatting them per event was a large part of decoding. Bounded, so a
/// capture of spoofed addresses cannot grow it without limit.
final class AddressNames {
    private var macs: [UInt64: String] = [:]
    private var ipv4s: [UInt32: String] = [:]
    private static let limit = 65_536

    func mac(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count >= 6 else { return "" }
        var key: UInt64 = 0
        for index in 0 ..< 6 { key = key << 8 | UInt64(bytes[index]) }
        if let known = macs[key] { return known }
        if macs.count >= Self.limit { macs.removeAll(keepingCapacity: true) }
        let text = AddressText.mac(bytes)
        macs[key] = text
        return text
    }

    /// The address at `offset` of a packet, of the version of its `ip` header: IPv4 as `ipv4` names it,
    /// IPv6 written out each time.
    func address(at offset: Int, of ip: PacketDissection.IPHeader, in dissection: PacketDissection) -> String {
        let bytes = dissection.slice(offset ..< offset + ip.addressLength)
        return ip.version == 4 ? ipv4(bytes) : AddressText.ipv6(bytes)
    }

    func ipv4(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count >= 4 else { return "" }
        let key = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        if let known = ipv4s[key] { return known }
        if ipv4s.count >= Self.limit { ipv4s.removeAll(keepingCapacity: true) }
        let text = AddressText.ipv4(bytes)
        ipv4s[key] = text
        return text
    }
}

/// A conversation, the same in both directions: its lower endpoint first. Looked up for every packet, so
/// it holds its addresses as words, hashed and compared without an allocation.
struct FlowKey: Hashable {
    let protocolNumber: UInt8, ipVersion: UInt8
    let low: AddressWords, lowPort: UInt16, high: AddressWords, highPort: UInt16

    init?(packet: CapturedPacket, ip: PacketDissection.IPHeader, transport: PacketDissection.TransportHeader) {
        let size = ip.addressLength
        guard ip.source + size <= packet.data.count, ip.destination + size <= packet.data.count else { return nil }
        let source = AddressWords(UnsafeRawBufferPointer(rebasing: packet.data[ip.source ..< ip.source + size]))
        let destination = AddressWords(UnsafeRawBufferPointer(rebasing: packet.data[ip.destination ..< ip.destination + size]))
        let sourceFirst = source < destination || (source == destination && transport.sourcePort <= transport.destinationPort)
        protocolNumber = transport.protocolNumber
        ipVersion = ip.version
        (low, lowPort, high, highPort) = sourceFirst
            ? (source, transport.sourcePort, destination, transport.destinationPort)
            : (destination, transport.destinationPort, source, transport.sourcePort)
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address as two big-endian words, which order as the bytes do.
struct AddressWords: Hashable, Comparable {
    let high: UInt64, low: UInt64

    init(_ bytes: UnsafeRawBufferPointer) {
        func word(_ range: Range<Int>) -> UInt64 { range.reduce(0) { $0 << 8 | UInt64(bytes[$1]) } }
        (high, low) = bytes.count == 16 ? (word(0 ..< 8), word(8 ..< 16)) : (0, word(0 ..< bytes.count))
    }

    static func < (lhs: AddressWords, rhs: AddressWords) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// What every event of one packet shares, computed only when the packet yields an event: most packets
/// yield none, and formatting their addresses would be most of the work.
private struct Context {
    let packet: CapturedPacket
    let dissection: PacketDissection
    let source: String
    let names: AddressNames
    let emit: (consuming Event) -> Bool
    var stopped = false
    private var ip: PacketDissection.IPHeader?
    private var transport: PacketDissection.TransportHeader?

    init(packet: CapturedPacket, dissection: PacketDissection, source: String, names: AddressNames,
         emit: @escaping (consuming Event) -> Bool) {
        self.packet = packet
        self.dissection = dissection
        self.source = source
        self.names = names
        self.emit = emit
    }

    mutating func endpoints(_ ip: PacketDissection.IPHeader, _ transport: PacketDissection.TransportHeader) {
        self.ip = ip
        self.transport = transport
    }

    private func address(_ offset: Int, _ ip: PacketDissection.IPHeader) -> String {
        names.address(at: offset, of: ip, in: dissection)
    }

    var sourceAddress: String { ip.map { address($0.source, $0) } ?? "" }

    /// `address:port` of the destination, bracketed for IPv6.
    var destination: String {
        guard let ip, let transport else { return "" }
        let text = address(ip.destination, ip)
        return ip.version == 6 ? "[\(text)]:\(transport.destinationPort)" : "\(text):\(transport.destinationPort)"
    }

    var flowKey: FlowKey? {
        guard let ip, let transport else { return nil }
        return FlowKey(packet: packet, ip: ip, transport: transport)
    }

    var baseFields: EventFields {
        var fields = EventFields(capacity: 16)
        if let ethernet = dissection.ethernet {
            fields.append("src_mac", .string(names.mac(dissection.slice(ethernet.source ..< ethernet.source + 6))))
            fields.append("dst_mac", .string(names.mac(dissection.slice(ethernet.destination ..< ethernet.destination + 6))))
        }
        if let ip, ip.moreFragments || ip.laterFragment {
            // A fragmented datagram: events come from its first fragment, which is flagged.
            fields.append("ip_fragment", .bool(true))
        }
        if let ip, let transport {
            fields.append("src_ip", .string(address(ip.source, ip)))
            fields.append("src_port", .integer(Int64(transport.sourcePort)))
            fields.append("dst_ip", .string(address(ip.destination, ip)))
            fields.append("dst_port", .integer(Int64(transport.destinationPort)))
        }
        return fields
    }

    mutating func emit(_ kind: EventKind, _ message: String, _ fields: EventFields) {
        guard !stopped else { return }
        let event = Event(time: packet.timestamp, timeBasis: packet.timestamp == nil ? .unknown : .capture, kind: kind, origin: "capture",
                          source: source, frame: packet.frame, message: message, fields: fields)
        if !emit(event) { stopped = true }
    }
}
