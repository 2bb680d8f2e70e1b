/// Whether bytes hold any of a class (outside ASCII, or what a JSON string or a CSV field must escape),
/// eight bytes at a time: run on every string of every event, where a byte loop was a tenth of writing a
/// timeline.
enum ByteClasses {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// True when some byte of `word` is below `limit` (at most 128).
    @inline(__always) private static func hasByte(below limit: UInt8, in word: UInt64) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highs != 0
    }

    @inline(__always) private static func hasByte(_ byte: UInt8, in word: UInt64) -> Bool {
        hasByte(below: 1, in: word ^ (ones &* UInt64(byte)))
    }

    /// Bytes of multi-byte UTF-8 sequences, or of no UTF-8 at all.
    static func containsNonASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        scan(bytes) { $0 & highs != 0 } byte: { $0 >= 0x80 }
    }

    /// Control characters, `"` and `\`.
    static func containsJSONSpecial(_ bytes: UnsafeRawBufferPointer) -> Bool {
        scan(bytes) { hasByte(below: 0x20, in: $0) || hasByte(0x22, in: $0) || hasByte(0x5C, in: $0) }
            byte: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
    }

    /// `,`, `"`, CR and LF.
    static func containsCSVSpecial(_ bytes: UnsafeRawBufferPointer) -> Bool {
        scan(bytes) { hasByte(0x2C, in: $0) || hasByte(0x22, in: $0) || hasByte(0x0A, in: $0) || hasByte(0x0D, in: $0) }
            byte: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }

    @inline(__always) private static func scan(_ bytes: UnsafeRawBufferPointer, word: (UInt64) -> Bool, byte: (UInt8) -> Bool) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if word(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { return true }
            index += 8
        }
        while index < bytes.count {
            if byte(bytes[index]) { return true }
            index += 1
        }
        return false
    }
}
