/// Why a capture could not be read on, with the byte offset where it went wrong.
public struct CaptureError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case unrecognizedMagic(UInt32)
        case badBlockLength(UInt32)
        case packetTooLarge(Int)
        case unknownInterface(UInt32)
        case badSectionHeader(String)
        /// The file ends inside a record: every complete packet before it was read.
        case truncated(available: Int)
    }

    public let kind: Kind
    public let location: InputLocation

    public init(_ kind: Kind, at location: InputLocation) {
        self.kind = kind
        self.location = location
    }

    public var explanation: String {
        switch kind {
        case .unrecognizedMagic(let magic): "not a pcap or pcapng file (magic 0x\(String(magic, radix: 16)))"
        case .badBlockLength(let length): "pcapng block with an impossible length (\(length) bytes)"
        case .packetTooLarge(let length): "a packet of \(length) bytes, more than the \(CaptureLimits.maxPacketLength) a capture can hold"
        case .unknownInterface(let id): "a packet on interface \(id), which no interface block described"
        case .badSectionHeader(let reason): "bad pcapng section header: \(reason)"
        case .truncated(let available):
            "the file is cut short in the middle of a record (\(available) bytes of it are there); every complete packet before it was read"
        }
    }

    public var description: String { "\(location): \(explanation)" }
}

public enum CaptureLimits {
    /// Wireshark's limit for a packet (WTAP_MAX_PACKET_SIZE_STANDARD): a larger length is a lying field.
    public static let maxPacketLength = 262_144
    /// The largest pcapng block accepted, so a lying length cannot make the reader wait for gigabytes.
    public static let maxBlockLength = 16 << 20
}
