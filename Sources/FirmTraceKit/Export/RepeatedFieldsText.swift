/// What was written for the fields of events lately, by the array that holds the fields: a log's repeated
/// lines share one array (`RepeatedFields`), and writing fields key by key and value by value was nearly a
/// seventh of a timeline's instructions, most of it for fields written before. An array is written out the first time, kept the
/// second, and copied from then on, so events whose fields never come again (packets, one-off lines) cost
/// one look each. A kept array is held: while it is, no other array can have its address, and any change
/// to its events' fields copies it to a new one first.
///
/// Slots are fixed stretches of raw memory, looked up by address: the look happens once per event written,
/// and a Swift array of texts there would be retained and released, and checked for uniqueness on a write.
/// One per writer, used by one thread at a time.
final class RepeatedFieldsText {
    private static let slotCount = 512
    /// What a slot holds at most: longer texts, rare among repeated lines, are written each time.
    private static let longest = 512

    private struct Slot {
        var kept: UInt = 0
        var seen: UInt = 0
        var length = 0
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let texts: UnsafeMutableRawPointer
    private var held: [[EventField]]
    /// The text of strings written lately (field names, kinds, messages), for what is not kept here.
    let strings = RepeatedStringText()

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(), count: Self.slotCount)
        texts = .allocate(byteCount: Self.slotCount * Self.longest, alignment: 16)
        held = Array(repeating: [], count: Self.slotCount)
    }

    deinit {
        slots.deallocate()
        texts.deallocate()
    }

    /// Appends what `write` appends for `fields`, or the copy kept of it: `write` must depend on the
    /// fields alone. They are handed to it, not captured: a closure that captured its event copied it,
    /// retaining each of its strings.
    func append(_ fields: EventFields, to out: inout ByteBuffer, writing write: (EventFields, inout ByteBuffer) -> Void) {
        guard !fields.isEmpty else { return write(fields, &out) }
        let address = fields.entries.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let index = Int(truncatingIfNeeded: ((address >> 4) &* 0x9E37_79B9_7F4A_7C15) >> 55)
        let slot = slots + index
        let text = texts + index * Self.longest
        if slot.pointee.kept == address {
            out.append(UnsafeRawBufferPointer(start: text, count: slot.pointee.length))
            return
        }
        let start = out.count
        write(fields, &out)
        guard slot.pointee.seen == address else {
            slot.pointee.seen = address
            return
        }
        let length = out.count - start
        guard length <= Self.longest else { return }
        out.withBytes { text.copyMemory(from: $0.baseAddress! + start, byteCount: length) }
        slot.pointee = Slot(kept: address, seen: address, length: length)
        held[index] = fields.entries
    }
}
