/// Writes packets as pcapng, or as pcap when asked and the packets share one link type, keeping each
/// packet's bytes, original length, timestamp (to the nanosecond) and link type.
public final class CaptureWriter {
    public enum Format: Sendable {
        case pcapng, pcap
    }

    private struct InterfaceKey: Hashable {
        let source: String
        let interface: Int
        let linkType: LinkType
    }

    private let file: AtomicOutputFile
    private let format: Format
    private var interfaces: [InterfaceKey: UInt32] = [:]
    private var lastInterface: (key: InterfaceKey, id: UInt32)?
    private var pcapLinkType: LinkType?
    public private(set) var packetsWritten = 0

    public init(path: String, format: Format, overwrite: Bool) throws(InputError) {
        file = try AtomicOutputFile(path: path, overwrite: overwrite)
        self.format = format
        if format == .pcapng { try writeSectionHeader() }
    }

    /// `.pcap` (or `.pcap.gz`, `.pcap.zst`) asks for pcap; anything else is pcapng.
    public static func format(forPath path: String) -> Format {
        OutputCompression.contentPath(path).hasSuffix(".pcap") ? .pcap : .pcapng
    }

    public func write(_ packet: CapturedPacket, source: String) throws(InputError) {
        let timestamp = UInt64(bitPattern: packet.timestamp ?? 0)
        switch format {
        case .pcap:
            if pcapLinkType == nil {
                pcapLinkType = packet.linkType
                // The nanosecond magic, so microsecond and nanosecond inputs both keep their exact times.
                var header = Bytes()
                header.u32(0xA1B2_3C4D); header.u16(2); header.u16(4); header.u32(0); header.u32(0)
                header.u32(UInt32(CaptureLimits.maxPacketLength)); header.u32(packet.linkType.rawValue)
                try file.write(header.bytes)
            }
            guard pcapLinkType == packet.linkType else {
                throw InputError(.writeFailed("packets of link types \(pcapLinkType!) and \(packet.linkType) cannot share a pcap file; write .pcapng"),
                                 at: InputLocation(path: file.path))
            }
            try file.writeLittleEndian(UInt32(timestamp / 1_000_000_000))
            try file.writeLittleEndian(UInt32(timestamp % 1_000_000_000))
            try file.writeLittleEndian(UInt32(packet.data.count))
            try file.writeLittleEndian(UInt32(packet.originalLength))
            try file.write(packet.data)
        case .pcapng:
            let key = InterfaceKey(source: source, interface: packet.interface, linkType: packet.linkType)
            let interface: UInt32
            // Consecutive packets nearly always share an interface: skip hashing the source for them.
            if let last = lastInterface, last.key == key {
                interface = last.id
            } else if let known = interfaces[key] {
                interface = known
            } else {
                interface = UInt32(interfaces.count)
                interfaces[key] = interface
                try writeInterface(packet.linkType)
            }
            lastInterface = (key, interface)
            let padded = (packet.data.count + 3) & ~3
            try file.writeLittleEndian(UInt32(6))
            try file.writeLittleEndian(UInt32(32 + padded))
            try file.writeLittleEndian(interface)
            try file.writeLittleEndian(UInt32(timestamp >> 32))
            try file.writeLittleEndian(UInt32(timestamp & 0xFFFF_FFFF))
            try file.writeLittleEndian(UInt32(packet.data.count))
            try file.writeLittleEndian(UInt32(packet.originalLength))
            try file.write(packet.data)
            try file.writeZeros(padded - packet.data.count)
            try file.writeLittleEndian(UInt32(32 + padded))
        }
        packetsWritten += 1
    }

    public func commit() throws(InputError) {
        if format == .pcap, pcapLinkType == nil {
            var header = Bytes()
            header.u32(0xA1B2_3C4D); header.u16(2); header.u16(4); header.u32(0); header.u32(0)
            header.u32(UInt32(CaptureLimits.maxPacketLength)); header.u32(LinkType.ethernet.rawValue)
            try file.write(header.bytes)
        }
        try file.commit()
    }

    public func discard() { file.discard() }

    private func writeSectionHeader() throws(InputError) {
        let application = Array("firmtrace \(FirmTraceVersion.current)".utf8)
        let optionLength = 4 + (application.count + 3) & ~3 + 4
        var block = Bytes()
        block.u32(0x0A0D_0D0A); block.u32(UInt32(28 + optionLength)); block.u32(0x1A2B_3C4D)
        block.u16(1); block.u16(0); block.u32(0xFFFF_FFFF); block.u32(0xFFFF_FFFF)
        block.option(4, application)
        block.u32(0)
        block.u32(UInt32(28 + optionLength))
        try file.write(block.bytes)
    }

    private func writeInterface(_ linkType: LinkType) throws(InputError) {
        // if_tsresol 9: nanoseconds, so every input's timestamps are kept exactly.
        var block = Bytes()
        block.u32(1); block.u32(32); block.u16(UInt16(truncatingIfNeeded: linkType.rawValue)); block.u16(0)
        block.u32(UInt32(CaptureLimits.maxPacketLength))
        block.option(9, [9])
        block.u32(0)
        block.u32(32)
        try file.write(block.bytes)
    }
}

/// Little-endian bytes for the records the writer builds.
private struct Bytes {
    var bytes: [UInt8] = []
    mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
    mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(value >> UInt32(shift) & 0xFF)) } }
    mutating func option(_ code: UInt16, _ value: [UInt8]) {
        u16(code); u16(UInt16(value.count))
        bytes += value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    }
}
