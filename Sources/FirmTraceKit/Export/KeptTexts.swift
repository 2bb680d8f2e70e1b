/// Texts written lately, kept by a key that names what each was written for (`RepeatedFieldsText`: an
/// array of fields by its address; `RepeatedStringText`: a string by its two words). A text is kept the
/// second time its key is seen, so what never comes again costs one look; what it was written from is held
/// while it is kept, so that its key cannot come to name anything else meanwhile.
///
/// Slots are fixed stretches of raw memory, picked by the key's hash: the look happens for every event or
/// string written, and a Swift array of texts there would be retained and released, and checked for
/// uniqueness on a write. Used by one thread at a time.
final class KeptTexts<Key: Equatable, Held> {
    /// Computed: a generic class has no stored statics. `append` picks a slot by a hash's top nine bits.
    private static var slotCount: Int { 512 }

    /// A slot's keys count only once it holds a text (`length` above 0); before, they are the `blank` key.
    private struct Slot {
        var kept: Key
        var seen: Key
        var length = 0
    }

    /// What a slot holds at most: longer texts are written each time.
    private let longest: Int
    private let slots: UnsafeMutablePointer<Slot>
    private let texts: UnsafeMutableRawPointer
    private var held: [Held?]

    /// `blank` is any key: one that names something written is kept at its first sighting, no harm done.
    init(longest: Int, blank: Key) {
        self.longest = longest
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(kept: blank, seen: blank), count: Self.slotCount)
        texts = .allocate(byteCount: Self.slotCount * longest, alignment: 16)
        held = Array(repeating: nil, count: Self.slotCount)
    }

    deinit {
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
        texts.deallocate()
    }

    /// Appends the text kept for `key`, or what `write` appends for `source`, which `key` names; `hash` is
    /// any mix of the key's bits. `source` is handed to `write`, not captured: a closure that captured what
    /// it writes copied it.
    @inline(__always) func append(_ key: Key, hash: UInt64, source: Held, to out: inout ByteBuffer,
                                  writing write: (Held, inout ByteBuffer) -> Void) {
        let index = Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 55)
        let slot = slots + index
        guard slot.pointee.length > 0, slot.pointee.kept == key else {
            return appendAfresh(key, in: index, source: source, to: &out, writing: write)
        }
        out.append(UnsafeRawBufferPointer(start: texts + index * longest, count: slot.pointee.length))
    }

    private func appendAfresh(_ key: Key, in index: Int, source: Held, to out: inout ByteBuffer,
                              writing write: (Held, inout ByteBuffer) -> Void) {
        let start = out.count
        write(source, &out)
        let slot = slots + index
        guard slot.pointee.seen == key else {
            slot.pointee.seen = key
            return
        }
        let length = out.count - start
        guard length > 0, length <= longest else { return }
        out.withBytes { (texts + index * longest).copyMemory(from: $0.baseAddress! + start, byteCount: length) }
        slot.pointee = Slot(kept: key, seen: key, length: length)
        held[index] = source
    }
}
