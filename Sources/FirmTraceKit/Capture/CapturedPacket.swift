/// One packet as a capture file holds it, borrowed from the reader's buffer for the length of a callback.
public struct CapturedPacket {
    /// The captured bytes (possibly fewer than were on the wire).
    public let data: UnsafeRawBufferPointer
    public let originalLength: Int
    /// Nanoseconds since 1970 UTC; nil for pcapng simple packet blocks, which carry no time.
    public let timestamp: Int64?
    public let linkType: LinkType
    /// 1-based number of the packet in its file, as Wireshark numbers frames.
    public let frame: Int
    /// Interface number within the file (pcapng), 0 for pcap.
    public let interface: Int
    /// Byte offset of the record in the file.
    public let offset: Int64
}

/// A link-layer header type, as numbered by tcpdump.org (`LINKTYPE_*`).
public struct LinkType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    public static let raw = LinkType(rawValue: 101)
    public static let rawAlternate = LinkType(rawValue: 12)
    public static let loop = LinkType(rawValue: 108)
    public static let ieee80211 = LinkType(rawValue: 105)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let radiotap = LinkType(rawValue: 127)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let linuxSLL2 = LinkType(rawValue: 276)

    public var description: String { String(rawValue) }
}
