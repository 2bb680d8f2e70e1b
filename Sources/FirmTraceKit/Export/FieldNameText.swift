/// The text written for field names (`"src_ip":`), kept by the name's identity: events have a few dozen
/// names between them, and escaping each name again for every field written was a twentieth of a
/// timeline's instructions.
///
/// A name is known by the two words of its `String`, not by its bytes: equal words are an equal string —
/// a small string's words are its bytes, and a larger one's point at its storage, which is not changed or
/// freed while a string holds it, as the slot does (`held`). Comparing two words costs less than hashing or
/// comparing the name. Slots are fixed stretches of raw memory, as `RepeatedFieldsText`'s are; each keeps
/// the text both ways it is written: as JSON, and with every `"` doubled for JSON inside a CSV field. One
/// per writer, used by one thread at a time.
final class FieldNameText {
    private static let slotCount = 256
    /// Room for one way of writing a name: longer names are written each time.
    private static let longest = 64

    private struct Slot {
        var identity: (UInt64, UInt64) = (0, 0)
        /// 0 for an empty slot: a name's text holds its quotes and colon at least.
        var length = 0
        var doubledLength = 0
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let texts: UnsafeMutableRawPointer
    private var held: [String]

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(), count: Self.slotCount)
        texts = .allocate(byteCount: Self.slotCount * 2 * Self.longest, alignment: 16)
        held = Array(repeating: "", count: Self.slotCount)
    }

    deinit {
        slots.deallocate()
        texts.deallocate()
    }

    /// Appends `name` as a JSON string and a colon, its quotes doubled with `doublingQuotes`.
    @inline(__always) func append(_ name: String, doublingQuotes: Bool, to out: inout ByteBuffer) {
        let identity = unsafeBitCast(name, to: (UInt64, UInt64).self)
        let mixed = (identity.0 ^ (identity.1 >> 4)) &* 0x9E37_79B9_7F4A_7C15
        let index = Int(truncatingIfNeeded: mixed >> 56) & (Self.slotCount - 1)
        let slot = slots + index
        guard slot.pointee.length > 0, slot.pointee.identity == identity else {
            return appendAfresh(name, identity: identity, in: index, doublingQuotes: doublingQuotes, to: &out)
        }
        let text = texts + index * 2 * Self.longest
        out.append(doublingQuotes ? UnsafeRawBufferPointer(start: text + Self.longest, count: slot.pointee.doubledLength)
                                  : UnsafeRawBufferPointer(start: text, count: slot.pointee.length))
    }

    private func appendAfresh(_ name: String, identity: (UInt64, UInt64), in index: Int, doublingQuotes: Bool,
                              to out: inout ByteBuffer) {
        var plain = ByteBuffer(capacity: Self.longest)
        EventBytes.appendJSONString(name, to: &plain)
        plain.append(UInt8(ascii: ":"))
        let doubled = Self.doublingQuotes(plain)
        if doublingQuotes { out.append(doubled) } else { out.append(plain) }
        guard doubled.count <= Self.longest else { return }
        let text = texts + index * 2 * Self.longest
        plain.withBytes { text.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        doubled.withBytes { (text + Self.longest).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        slots[index] = Slot(identity: identity, length: plain.count, doubledLength: doubled.count)
        held[index] = name
    }

    /// JSON text as `EventBytes.appendJSONString` writes it with `doublingQuotes`: each `"` twice.
    private static func doublingQuotes(_ json: borrowing ByteBuffer) -> ByteBuffer {
        var doubled = ByteBuffer(capacity: 2 * json.count)
        json.withBytes { bytes in
            for byte in bytes {
                doubled.append(byte)
                if byte == UInt8(ascii: "\"") { doubled.append(byte) }
            }
        }
        return doubled
    }
}
