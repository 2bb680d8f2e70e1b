/// Reads pcap and pcapng from chunks of bytes, in any byte order, and hands over each packet. Records are
/// framed first (lengths checked against limits before anything waits for them), then parsed within
/// their own bounds. A file that ends inside a record gives every complete packet and then a truncation
/// error, which callers report as a warning.
public final class CaptureFileReader {
    private enum Format {
        case unknown
        case pcap(bigEndian: Bool, nanoseconds: Bool, modified: Bool, linkType: LinkType)
        case pcapng
    }

    private struct Interface {
        let linkType: LinkType
        let snapLength: Int
        /// Timestamp units per second, and whether the unit is a power of two.
        let unitsPerSecond: UInt64
        let offsetSeconds: Int64
    }

    private let location: InputLocation
    private var framer = RecordFramer()
    private var format = Format.unknown
    private var sectionBigEndian = false
    private var interfaces: [Interface] = []
    public private(set) var frames = 0
    /// Packets whose sub-second field is out of range (a million or more microseconds): read as written.
    public private(set) var outOfRangeFractions = 0
    private let onPacket: (CapturedPacket) -> Bool

    public init(location: InputLocation, onPacket: @escaping (CapturedPacket) -> Bool) {
        self.location = location
        self.onPacket = onPacket
    }

    /// Reads the next chunk; false when the packet callback asked to stop.
    public func feed(_ chunk: UnsafeRawBufferPointer) throws(CaptureError) -> Bool {
        try framer.feed(chunk, length: { bytes, offset throws(CaptureError) in try recordLength(bytes, at: offset) },
                        record: { bytes, offset throws(CaptureError) in try handle(bytes, at: offset) })
    }

    /// Ends the file: throws a truncation error when it stopped inside a record.
    public func finish() throws(CaptureError) {
        if framer.pendingBytes > 0 {
            throw CaptureError(.truncated(available: framer.pendingBytes), at: location.at(byte: framer.offset))
        }
        if case .unknown = format {
            throw CaptureError(.truncated(available: 0), at: location.at(byte: 0))
        }
    }

    // MARK: Framing

    private func recordLength(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(CaptureError) -> Int? {
        switch format {
        case .unknown:
            guard bytes.count >= 4 else { return nil }
            let magic = UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))
            switch magic {
            case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1, 0xA1B2_CD34, 0x34CD_B2A1: return 24
            case 0x0A0D_0D0A: return try blockLength(bytes, headerBlock: true, at: offset)
            default: throw CaptureError(.unrecognizedMagic(magic), at: location.at(byte: offset))
            }
        case .pcap(let bigEndian, _, let modified, _):
            let header = modified ? 24 : 16
            guard bytes.count >= header, let captured = ByteOrderedReader(bytes: bytes, bigEndian: bigEndian).u32(8) else { return nil }
            guard captured <= CaptureLimits.maxPacketLength else {
                throw CaptureError(.packetTooLarge(Int(captured)), at: location.at(byte: offset))
            }
            return header + Int(captured)
        case .pcapng:
            return try blockLength(bytes, headerBlock: false, at: offset)
        }
    }

    /// A pcapng block's total length; a section header decides its own byte order.
    private func blockLength(_ bytes: UnsafeRawBufferPointer, headerBlock: Bool, at offset: Int64) throws(CaptureError) -> Int? {
        guard bytes.count >= 8 else { return nil }
        var bigEndian = sectionBigEndian
        if UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)) == 0x0A0D_0D0A {
            guard bytes.count >= 12 else { return nil }
            let byteOrder = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            switch byteOrder {
            case 0x1A2B_3C4D: bigEndian = true
            case 0x4D3C_2B1A: bigEndian = false
            default:
                throw CaptureError(.badSectionHeader("byte-order magic 0x\(String(byteOrder, radix: 16))"), at: location.at(byte: offset))
            }
        } else if headerBlock {
            return nil
        }
        let length = ByteOrderedReader(bytes: bytes, bigEndian: bigEndian).u32(4)!
        guard length >= 12, length % 4 == 0, length <= CaptureLimits.maxBlockLength else {
            throw CaptureError(.badBlockLength(length), at: location.at(byte: offset))
        }
        return Int(length)
    }

    // MARK: Records

    private func handle(_ record: UnsafeRawBufferPointer, at offset: Int64) throws(CaptureError) -> Bool {
        switch format {
        case .unknown:
            let magic = UInt32(bigEndian: record.loadUnaligned(as: UInt32.self))
            if magic == 0x0A0D_0D0A {
                format = .pcapng
                return try handleBlock(record, at: offset)
            }
            let bigEndian = magic == 0xA1B2_C3D4 || magic == 0xA1B2_3C4D || magic == 0xA1B2_CD34
            let reader = ByteOrderedReader(bytes: record, bigEndian: bigEndian)
            let nanoseconds = magic == 0xA1B2_3C4D || magic == 0x4D3C_B2A1
            let modified = magic == 0xA1B2_CD34 || magic == 0x34CD_B2A1
            // The top bits of the link-type word hold FCS information, not the type.
            format = .pcap(bigEndian: bigEndian, nanoseconds: nanoseconds, modified: modified,
                           linkType: LinkType(rawValue: reader.u32(20)! & 0x03FF_FFFF))
            return true
        case .pcap(let bigEndian, let nanoseconds, let modified, let linkType):
            let reader = ByteOrderedReader(bytes: record, bigEndian: bigEndian)
            let header = modified ? 24 : 16
            let seconds = Int64(reader.u32(0)!), fraction = Int64(reader.u32(4)!)
            if fraction >= (nanoseconds ? 1_000_000_000 : 1_000_000) { outOfRangeFractions += 1 }
            frames += 1
            return onPacket(CapturedPacket(data: UnsafeRawBufferPointer(rebasing: record[header...]),
                                           originalLength: Int(reader.u32(12)!),
                                           timestamp: seconds * 1_000_000_000 + fraction * (nanoseconds ? 1 : 1000),
                                           linkType: linkType, frame: frames, interface: 0, offset: offset))
        case .pcapng:
            return try handleBlock(record, at: offset)
        }
    }

    private enum BlockType {
        static let sectionHeader: UInt32 = 0x0A0D_0D0A
        static let interfaceDescription: UInt32 = 0x0000_0001
        static let obsoletePacket: UInt32 = 0x0000_0002
        static let simplePacket: UInt32 = 0x0000_0003
        static let enhancedPacket: UInt32 = 0x0000_0006
    }

    private func handleBlock(_ block: UnsafeRawBufferPointer, at offset: Int64) throws(CaptureError) -> Bool {
        if UInt32(bigEndian: block.loadUnaligned(as: UInt32.self)) == BlockType.sectionHeader {
            sectionBigEndian = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) == 0x1A2B_3C4D
            interfaces.removeAll()
            return true
        }
        let reader = ByteOrderedReader(bytes: block, bigEndian: sectionBigEndian)
        let length = block.count
        guard reader.u32(length - 4) == UInt32(length) else {
            throw CaptureError(.badBlockLength(reader.u32(length - 4) ?? 0), at: location.at(byte: offset))
        }
        switch reader.u32(0)! {
        case BlockType.interfaceDescription:
            guard length >= 20 else { throw CaptureError(.badBlockLength(UInt32(length)), at: location.at(byte: offset)) }
            var unitsPerSecond: UInt64 = 1_000_000
            var offsetSeconds: Int64 = 0
            forEachOption(reader, from: 16, to: length - 4) { code, value in
                if code == 9, value.count >= 1 {
                    let exponent = value[0] & 0x7F
                    if value[0] & 0x80 != 0 {
                        unitsPerSecond = exponent < 64 ? 1 << UInt64(exponent) : 0
                    } else {
                        unitsPerSecond = exponent <= 19 ? (0 ..< exponent).reduce(UInt64(1)) { value, _ in value * 10 } : 0
                    }
                } else if code == 14, value.count >= 8 {
                    let raw = value.loadUnaligned(as: UInt64.self)
                    offsetSeconds = Int64(bitPattern: sectionBigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw))
                }
            }
            interfaces.append(Interface(linkType: LinkType(rawValue: UInt32(reader.u16(8)!)), snapLength: Int(reader.u32(12)!),
                                        unitsPerSecond: unitsPerSecond, offsetSeconds: offsetSeconds))
            return true
        case BlockType.enhancedPacket, BlockType.obsoletePacket:
            let obsolete = reader.u32(0)! == BlockType.obsoletePacket
            guard length >= 32 else { throw CaptureError(.badBlockLength(UInt32(length)), at: location.at(byte: offset)) }
            let interfaceID = obsolete ? UInt32(reader.u16(8)!) : reader.u32(8)!
            guard Int(interfaceID) < interfaces.count else {
                throw CaptureError(.unknownInterface(interfaceID), at: location.at(byte: offset))
            }
            let interface = interfaces[Int(interfaceID)]
            let captured = Int(reader.u32(20)!)
            guard captured <= CaptureLimits.maxPacketLength else { throw CaptureError(.packetTooLarge(captured), at: location.at(byte: offset)) }
            guard 28 + captured <= length - 4 else { throw CaptureError(.badBlockLength(UInt32(length)), at: location.at(byte: offset)) }
            let units = UInt64(reader.u32(12)!) << 32 | UInt64(reader.u32(16)!)
            frames += 1
            return onPacket(CapturedPacket(data: UnsafeRawBufferPointer(rebasing: block[28 ..< 28 + captured]),
                                           originalLength: Int(reader.u32(24)!), timestamp: Self.nanoseconds(units, interface),
                                           linkType: interface.linkType, frame: frames, interface: Int(interfaceID), offset: offset))
        case BlockType.simplePacket:
            guard let interface = interfaces.first else { throw CaptureError(.unknownInterface(0), at: location.at(byte: offset)) }
            let original = Int(reader.u32(8)!)
            var captured = min(original, length - 16)
            if interface.snapLength > 0 { captured = min(captured, interface.snapLength) }
            frames += 1
            return onPacket(CapturedPacket(data: UnsafeRawBufferPointer(rebasing: block[12 ..< 12 + max(captured, 0)]),
                                           originalLength: original, timestamp: nil, linkType: interface.linkType, frame: frames,
                                           interface: 0, offset: offset))
        default:
            // Name resolution, statistics, custom and decryption-secrets blocks carry no packets.
            return true
        }
    }

    /// Converts a pcapng timestamp the way Wireshark does: whole seconds, then the remainder scaled down.
    private static func nanoseconds(_ units: UInt64, _ interface: Interface) -> Int64? {
        guard interface.unitsPerSecond > 0 else { return nil }
        // The usual resolutions need no 128-bit division.
        if interface.unitsPerSecond == 1_000_000, units < UInt64(Int64.max / 1000) {
            return Int64(units) * 1000 &+ interface.offsetSeconds &* 1_000_000_000
        }
        if interface.unitsPerSecond == 1_000_000_000, units < UInt64(Int64.max) {
            return Int64(units) &+ interface.offsetSeconds &* 1_000_000_000
        }
        let seconds = units / interface.unitsPerSecond
        let remainder = units % interface.unitsPerSecond
        let fraction = remainder.multipliedFullWidth(by: 1_000_000_000)
        let nanos = interface.unitsPerSecond.dividingFullWidth(fraction).quotient
        return (Int64(truncatingIfNeeded: seconds) &+ interface.offsetSeconds) &* 1_000_000_000 &+ Int64(nanos)
    }

    private func forEachOption(_ reader: ByteOrderedReader, from start: Int, to end: Int,
                               _ body: (UInt16, UnsafeRawBufferPointer) -> Void) {
        var position = start
        while position + 4 <= end, let code = reader.u16(position), let length = reader.u16(position + 2) {
            if code == 0 { return }
            let valueEnd = position + 4 + Int(length)
            guard valueEnd <= end else { return }
            body(code, UnsafeRawBufferPointer(rebasing: reader.bytes[position + 4 ..< valueEnd]))
            position = valueEnd + (4 - Int(length) % 4) % 4
        }
    }
}
