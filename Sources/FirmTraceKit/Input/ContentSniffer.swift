/// What a file is, decided from its first bytes, never from its name.
public enum ContentKind: String, Sendable, Hashable {
    case gzip, zstd, xz, bzip2, lz4
    case tar, zip, sevenZip = "7z"
    case pcap, pcapng
    case other

    /// A compression stream around one file or a container: libarchive opens these.
    public var isCompression: Bool {
        switch self {
        case .gzip, .zstd, .xz, .bzip2, .lz4: true
        default: false
        }
    }

    /// A container of several members.
    public var isContainer: Bool {
        switch self {
        case .tar, .zip, .sevenZip: true
        default: false
        }
    }

    public var isArchive: Bool { isCompression || isContainer }
}

public enum ContentSniffer {
    /// How many leading bytes `kind(of:)` needs to see everything it knows (tar's magic sits at 257).
    public static let prefixLength = 512

    public static func kind(of prefix: UnsafeRawBufferPointer) -> ContentKind {
        func starts(with magic: [UInt8], at offset: Int = 0) -> Bool {
            guard prefix.count >= offset + magic.count else { return false }
            return magic.indices.allSatisfy { prefix[offset + $0] == magic[$0] }
        }
        if starts(with: [0x1F, 0x8B]) { return .gzip }
        if starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if starts(with: [0x42, 0x5A, 0x68]) { return .bzip2 }
        if starts(with: [0x04, 0x22, 0x4D, 0x18]) { return .lz4 }
        if starts(with: [0x50, 0x4B, 0x03, 0x04]) || starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .sevenZip }
        if starts(with: Array("ustar".utf8), at: 257) { return .tar }
        if starts(with: [0x0A, 0x0D, 0x0D, 0x0A]) { return .pcapng }
        for magic: [UInt8] in [[0xD4, 0xC3, 0xB2, 0xA1], [0xA1, 0xB2, 0xC3, 0xD4], [0x4D, 0x3C, 0xB2, 0xA1],
                               [0xA1, 0xB2, 0x3C, 0x4D], [0x34, 0xCD, 0xB2, 0xA1], [0xA1, 0xB2, 0xCD, 0x34]]
        where starts(with: magic) {
            return .pcap
        }
        return .other
    }

    public static func kind(of prefix: [UInt8]) -> ContentKind {
        prefix.withUnsafeBytes { kind(of: $0) }
    }
}
