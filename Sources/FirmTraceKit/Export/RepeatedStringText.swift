/// The text written lately for strings, kept by the string's identity: a timeline writes the same few
/// field names, kinds, origins and messages over and over (a repeated log line's message is one string,
/// `RepeatedLineTails`), and escaping each again for every record was some 8% of a timeline's
/// instructions (callgrind).
///
/// A string is known by its two words, not by its bytes: equal words are an equal string — a small string's
/// words are its bytes, and a larger one's point at its storage, which is not changed or freed while a
/// string holds it, as a kept slot does (`held`). Comparing two words costs less than hashing or comparing
/// the bytes. A text is kept the second time its string is seen, so strings that never come again cost a
/// look each. Slots are fixed stretches of raw memory, as `RepeatedFieldsText`'s are. One per writer, used
/// by one thread at a time.
final class RepeatedStringText {
    /// How a string is written.
    enum Form: UInt64 {
        /// A CSV field (`EventBytes.appendCSVField`).
        case csvField
        /// A JSON object's key: a JSON string and a colon, as JSON or with its quotes doubled for JSON
        /// inside a CSV field.
        case jsonKey, jsonKeyDoublingQuotes

        fileprivate func write(_ text: String, to out: inout ByteBuffer) {
            switch self {
            case .csvField: EventBytes.appendCSVField(text, to: &out)
            case .jsonKey, .jsonKeyDoublingQuotes:
                EventBytes.appendJSONString(text, to: &out, doublingQuotes: self == .jsonKeyDoublingQuotes)
                out.append(UInt8(ascii: ":"))
            }
        }
    }

    private static let slotCount = 512
    /// What a slot holds at most: longer texts are written each time.
    private static let longest = 128

    private struct Slot {
        /// The words of the string kept, and of the string last seen, each with its form.
        var kept: (UInt64, UInt64) = (0, 0)
        var keptForm = Form.csvField
        var seen: (UInt64, UInt64) = (0, 0)
        var seenForm = Form.csvField
        /// 0 for none kept.
        var length = 0
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let texts: UnsafeMutableRawPointer
    private var held: [String]

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(), count: Self.slotCount)
        texts = .allocate(byteCount: Self.slotCount * Self.longest, alignment: 16)
        held = Array(repeating: "", count: Self.slotCount)
    }

    deinit {
        slots.deallocate()
        texts.deallocate()
    }

    /// Appends `text` written in `form`.
    @inline(__always) func append(_ text: String, as form: Form, to out: inout ByteBuffer) {
        let words = unsafeBitCast(text, to: (UInt64, UInt64).self)
        let mixed = (words.0 ^ (words.1 >> 4) ^ form.rawValue) &* 0x9E37_79B9_7F4A_7C15
        let index = Int(truncatingIfNeeded: mixed >> 55) & (Self.slotCount - 1)
        let slot = slots + index
        guard slot.pointee.length > 0, slot.pointee.kept == words, slot.pointee.keptForm == form else {
            return appendAfresh(text, as: form, words: words, in: index, to: &out)
        }
        out.append(UnsafeRawBufferPointer(start: texts + index * Self.longest, count: slot.pointee.length))
    }

    private func appendAfresh(_ text: String, as form: Form, words: (UInt64, UInt64), in index: Int, to out: inout ByteBuffer) {
        let start = out.count
        form.write(text, to: &out)
        let slot = slots + index
        guard slot.pointee.seen == words, slot.pointee.seenForm == form else {
            (slot.pointee.seen, slot.pointee.seenForm) = (words, form)
            return
        }
        let length = out.count - start
        guard length > 0, length <= Self.longest else { return }
        out.withBytes { (texts + index * Self.longest).copyMemory(from: $0.baseAddress! + start, byteCount: length) }
        slot.pointee = Slot(kept: words, keptForm: form, seen: words, seenForm: form, length: length)
        held[index] = text
    }
}
