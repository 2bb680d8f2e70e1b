/// Cuts a stream of chunks into whole records (pcap packet records, pcapng blocks). Records inside a chunk
/// are handed over where they lie; only a record split across chunks is copied, into a carry buffer.
/// `length` says how long the record at the front of some bytes is (nil: more bytes are needed to tell),
/// or throws when the bytes cannot start a record. Both callbacks get the record's offset in the stream,
/// so they never need to look at the framer while it works.
struct RecordFramer {
    private var carry: [UInt8] = []
    /// Offset in the stream of the next byte not yet handed over.
    private(set) var offset: Int64 = 0

    var pendingBytes: Int { carry.count }

    mutating func feed(_ chunk: UnsafeRawBufferPointer,
                       length: (UnsafeRawBufferPointer, Int64) throws(CaptureError) -> Int?,
                       record: (UnsafeRawBufferPointer, Int64) throws(CaptureError) -> Bool) throws(CaptureError) -> Bool {
        var rest = chunk[...]
        // First finish a record begun in an earlier chunk, taking from this chunk only what it needs.
        while !carry.isEmpty, !rest.isEmpty {
            let start = offset
            let known = try carry.withBytes { bytes throws(CaptureError) in try length(bytes, start) }
            let wanted = known ?? carry.count + 64
            let take = min(wanted - carry.count, rest.count)
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            rest = rest.dropFirst(take)
            if let known, carry.count >= known {
                let whole = carry
                carry.removeAll(keepingCapacity: true)
                let keepGoing = try whole.withBytes { bytes throws(CaptureError) in try record(bytes, offset) }
                offset += Int64(known)
                if !keepGoing { return false }
            }
        }
        var bytes = UnsafeRawBufferPointer(rebasing: rest)
        while !bytes.isEmpty {
            guard let known = try length(bytes, offset), known <= bytes.count else { break }
            guard try record(UnsafeRawBufferPointer(rebasing: bytes[0 ..< known]), offset) else { return false }
            offset += Int64(known)
            bytes = UnsafeRawBufferPointer(rebasing: bytes[known...])
        }
        carry.append(contentsOf: bytes)
        return true
    }
}

/// Reads integers from a record in the byte order of its file or section.
struct ByteOrderedReader {
    let bytes: UnsafeRawBufferPointer
    let bigEndian: Bool

    func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    func u64(_ offset: Int) -> UInt64? {
        guard offset >= 0, offset + 8 <= bytes.count else { return nil }
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }
}
