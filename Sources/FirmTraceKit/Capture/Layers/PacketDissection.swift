/// Where the layers of one packet are, found in a single pass over its headers with fixed-offset reads:
/// no allocation, no copies. Every offset is checked against the captured length, so a truncated or
/// lying header ends the dissection at the last layer that fits, never reads past the packet.
public struct PacketDissection {
    public struct MACAddresses {
        public let destination: Int, source: Int   // offsets of six bytes each
    }

    public struct IPHeader {
        public let version: UInt8
        /// Offsets of the source and destination addresses (4 or 16 bytes each).
        public let source: Int, destination: Int
        public let protocolNumber: UInt8
        /// True for any fragment but the first: its transport header is elsewhere.
        public let laterFragment: Bool
        public let moreFragments: Bool
        /// The fragment offset in bytes (0 for an unfragmented packet or a first fragment).
        public let fragmentOffset: Int
        public let payload: Range<Int>

        /// Bytes in each of its addresses.
        public var addressLength: Int { version == 4 ? 4 : 16 }
    }

    public struct TransportHeader {
        public let protocolNumber: UInt8
        public let sourcePort: UInt16, destinationPort: UInt16
        public let tcpFlags: UInt8
        public let payload: Range<Int>
    }

    public let bytes: UnsafeRawBufferPointer
    public private(set) var ethernet: MACAddresses?
    public private(set) var etherTypes = InlineList<UInt16>()
    /// 802.2 LLC after an 802.3 length field: DSAP, and SNAP OUI and protocol when present.
    public private(set) var llcDSAP: UInt8?
    public private(set) var snap: (oui: UInt32, protocolID: UInt16)?
    public private(set) var arp: Int?
    /// IP headers outermost first; an ICMP error's quoted header comes after the outer one.
    public private(set) var ipHeaders = InlineList<IPHeader>()
    public private(set) var transports = InlineList<TransportHeader>()
    public private(set) var icmp: Range<Int>?

    /// How deep to look: a filter on MAC addresses needs no IP header, one on addresses no ports.
    public enum Depth: Int, Comparable, Sendable {
        case link, network, transport
        public static func < (lhs: Depth, rhs: Depth) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let depth: Depth

    public init(_ packet: CapturedPacket, depth: Depth = .transport) {
        self.init(bytes: packet.data, linkType: packet.linkType, depth: depth)
    }

    public init(bytes: UnsafeRawBufferPointer, linkType: LinkType, depth: Depth = .transport) {
        self.bytes = bytes
        self.depth = depth
        switch linkType {
        case .ethernet: dissectEthernet(at: 0)
        case .linuxSLL:
            if let type = u16(14) { dissectEtherType(type, at: 16) }
        case .linuxSLL2:
            if let type = u16(0) { dissectEtherType(type, at: 20) }
        case .raw, .rawAlternate, .ipv4, .ipv6: dissectIP(at: 0)
        case .null, .loop:
            // The address family, in the capturing host's byte order for NULL, big-endian for LOOP.
            guard bytes.count >= 4 else { return }
            let family = linkType == .loop ? u32(0)! : min(u32(0)!, u32(0)!.byteSwapped)
            if [2, 24, 28, 30].contains(family) { dissectIP(at: 4) }
        case .radiotap: dissectRadiotap()
        default: break
        }
    }

    // MARK: Reading

    public func u8(_ offset: Int) -> UInt8? { offset >= 0 && offset < bytes.count ? bytes[offset] : nil }

    public func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    public func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[max(0, min(range.lowerBound, bytes.count)) ..< max(0, min(range.upperBound, bytes.count))])
    }

    // MARK: Link layers

    private mutating func dissectEthernet(at offset: Int) {
        guard let type = u16(offset + 12) else { return }
        ethernet = MACAddresses(destination: offset, source: offset + 6)
        if type <= 1500 {
            dissectLLC(at: offset + 14)
        } else {
            dissectEtherType(type, at: offset + 14)
        }
    }

    private mutating func dissectLLC(at offset: Int) {
        guard let dsap = u8(offset) else { return }
        llcDSAP = dsap
        if dsap == 0xAA, u8(offset + 1) == 0xAA, let word = u32(offset + 2), let protocolID = u16(offset + 6) {
            // The control byte, then the three-byte OUI.
            let oui = word & 0x00FF_FFFF
            snap = (oui, protocolID)
            if oui == 0 { dissectEtherType(protocolID, at: offset + 8) }
        }
    }

    private mutating func dissectEtherType(_ type: UInt16, at offset: Int) {
        etherTypes.append(type)
        switch type {
        case 0x8100, 0x88A8, 0x9100:
            // 802.1Q and QinQ tags: four bytes each, then the next type (or an 802.3 length and LLC).
            guard !etherTypes.isFull, let inner = u16(offset + 2) else { return }
            if inner <= 1500 {
                dissectLLC(at: offset + 4)
            } else {
                dissectEtherType(inner, at: offset + 4)
            }
        case 0x0800, 0x86DD: dissectIP(at: offset)
        case 0x0806:
            // Hardware type 19 is ATM ARP, which Wireshark dissects as its own protocol.
            if offset + 8 <= bytes.count, u16(offset) != 19 { arp = offset }
        default: break
        }
    }

    /// Radiotap, then an 802.11 data frame with LLC/SNAP: enough to reach the IP inside.
    private mutating func dissectRadiotap() {
        guard let lengthLow = u8(2), let lengthHigh = u8(3) else { return }
        let frame = Int(lengthLow) | Int(lengthHigh) << 8
        guard let control = u8(frame), control & 0x0C == 0x08 else { return }
        let subtype = (control >> 4) & 0x0F
        let flags = u8(frame + 1) ?? 0
        var header = (flags & 0x03) == 0x03 ? 30 : 24
        if subtype & 0x08 != 0 { header += 2 }
        guard subtype & 0x04 == 0 else { return }
        dissectLLC(at: frame + header)
    }

    // MARK: Network and transport

    private mutating func dissectIP(at offset: Int) {
        guard depth >= .network, !ipHeaders.isFull, let first = u8(offset) else { return }
        switch first >> 4 {
        case 4:
            let headerLength = Int(first & 0x0F) * 4
            guard headerLength >= 20, let total = u16(offset + 2), let flags = u16(offset + 6), let protocolNumber = u8(offset + 9),
                  offset + 20 <= bytes.count else { return }
            let end = min(bytes.count, offset + max(Int(total), headerLength))
            let header = IPHeader(version: 4, source: offset + 12, destination: offset + 16, protocolNumber: protocolNumber,
                                  laterFragment: flags & 0x1FFF != 0, moreFragments: flags & 0x2000 != 0,
                                  fragmentOffset: Int(flags & 0x1FFF) * 8, payload: min(offset + headerLength, end) ..< end)
            ipHeaders.append(header)
            if !header.laterFragment { dissectTransport(protocolNumber, header.payload) }
        case 6:
            guard offset + 40 <= bytes.count, let payloadLength = u16(offset + 4), var next = u8(offset + 6) else { return }
            // A payload length of zero means a jumbogram: the rest of the packet.
            let end = payloadLength == 0 ? bytes.count : min(bytes.count, offset + 40 + Int(payloadLength))
            var position = offset + 40
            var laterFragment = false, moreFragments = false, fragmentOffset = 0
            // Extension headers: hop-by-hop, routing, fragment, destination options.
            for _ in 0 ..< 8 {
                guard [0, 43, 44, 60].contains(next), let following = u8(position) else { break }
                if next == 44 {
                    guard let fragment = u16(position + 2) else { return }
                    laterFragment = fragment & 0xFFF8 != 0
                    moreFragments = fragment & 1 != 0
                    fragmentOffset = Int(fragment & 0xFFF8)
                    position += 8
                } else {
                    guard let length = u8(position + 1) else { return }
                    position += (Int(length) + 1) * 8
                }
                next = following
            }
            let header = IPHeader(version: 6, source: offset + 8, destination: offset + 24, protocolNumber: next,
                                  laterFragment: laterFragment, moreFragments: moreFragments, fragmentOffset: fragmentOffset,
                                  payload: min(position, end) ..< end)
            ipHeaders.append(header)
            if !laterFragment { dissectTransport(next, header.payload) }
        default:
            return
        }
    }

    private mutating func dissectTransport(_ protocolNumber: UInt8, _ range: Range<Int>) {
        guard depth >= .transport else { return }
        let start = range.lowerBound
        switch protocolNumber {
        case 6:
            guard let source = u16(start), let destination = u16(start + 2), let offsetByte = u8(start + 12), let flags = u8(start + 13)
            else { return }
            let headerLength = Int(offsetByte >> 4) * 4
            let payloadStart = min(start + max(headerLength, 20), range.upperBound)
            transports.append(TransportHeader(protocolNumber: 6, sourcePort: source, destinationPort: destination, tcpFlags: flags,
                                              payload: payloadStart ..< max(payloadStart, range.upperBound)))
        case 17:
            guard let source = u16(start), let destination = u16(start + 2), let length = u16(start + 4) else { return }
            let end = length >= 8 ? min(range.upperBound, start + Int(length)) : range.upperBound
            transports.append(TransportHeader(protocolNumber: 17, sourcePort: source, destinationPort: destination, tcpFlags: 0,
                                              payload: min(start + 8, end) ..< max(min(start + 8, end), end)))
        case 1, 58:
            guard let type = u8(start), start + 8 <= bytes.count else { return }
            if icmp == nil { icmp = range }
            // Errors quote the packet that caused them; Wireshark's fields see the quoted headers too.
            let isError = protocolNumber == 1 ? [3, 4, 5, 11, 12].contains(type) : (1 ... 4).contains(type)
            if isError { dissectIP(at: start + 8) }
        case 4, 41:
            dissectIP(at: start)
        default:
            return
        }
    }
}
