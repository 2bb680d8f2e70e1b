#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Texts made from a log's bytes, kept for the next time the same bytes come: a device writes the same few
/// messages, source locations and seconds over and over (`mqtt heartbeat send`, `mqc_app.c:1412`), and
/// making each a new `String` again (checked for UTF-8 twice, allocated, copied, and later freed) was a
/// tenth of decoding a line. Each slot holds the last text whose bytes hashed to it; a text is returned
/// only when its bytes are the same, so the result is always `EscapedText.escaping(bytes)`.
struct RepeatedText {
    static let slotCount = 512
    /// Longer texts rarely repeat, and comparing them would cost what it saves.
    static let longest = 96
    private var slots = [String?](repeating: nil, count: slotCount)

    mutating func text(_ bytes: UnsafeRawBufferPointer) -> String {
        guard !bytes.isEmpty, bytes.count <= Self.longest else { return EscapedText.escaping(bytes) }
        let slot = Self.slot(of: bytes)
        // A kept text equal to the bytes is valid UTF-8, so escaping the bytes would give that very text.
        if let kept = slots[slot], Self.same(kept, bytes) { return kept }
        let text = EscapedText.escaping(bytes)
        slots[slot] = text
        return text
    }

    private static func same(_ text: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        text.utf8.count == bytes.count && text.withUTF8Bytes { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
    }

    /// Mixes the length and three words (the first, the middle and the last eight bytes): texts that repeat
    /// differ from their neighbours in a number at the end or a name in the middle.
    static func slot(of bytes: UnsafeRawBufferPointer) -> Int {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        let count = bytes.count
        var hash = UInt64(count) &* multiplier
        if count >= 8 {
            hash = (hash ^ bytes.loadUnaligned(as: UInt64.self)) &* multiplier
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: (count - 8) / 2, as: UInt64.self)) &* multiplier
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) &* multiplier
        } else {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* multiplier }
        }
        return Int(truncatingIfNeeded: hash >> 55) & (slotCount - 1)
    }
}
