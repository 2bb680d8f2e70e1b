/// What was written for the fields of events lately, by the array that holds the fields: a log's repeated
/// lines share one array (`RepeatedFields`), and writing fields key by key and value by value was nearly a
/// seventh of a timeline's instructions, most of it for fields written before. An array's text is kept the
/// second time it is written (`KeptTexts`), so events whose fields never come again (packets, one-off
/// lines) cost one look each. A kept array is held: while it is, no other array can have its address, and
/// any change to its events' fields copies it to a new one first. One per writer, used by one thread at a
/// time.
final class RepeatedFieldsText {
    /// Longer texts, rare among repeated lines, are written each time.
    private let kept = KeptTexts<UInt, EventFields>(longest: 512, blank: 0)
    /// The text of strings written lately (field names, kinds, messages), for what is not kept here.
    let strings = RepeatedStringText()

    /// Appends what `write` appends for `fields`, or the copy kept of it: `write` must depend on the
    /// fields alone. They are handed to it, not captured: a closure that captured its event copied it,
    /// retaining each of its strings.
    func append(_ fields: EventFields, to out: inout ByteBuffer, writing write: (EventFields, inout ByteBuffer) -> Void) {
        guard !fields.isEmpty else { return write(fields, &out) }
        let address = fields.entries.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        kept.append(address, hash: UInt64(address >> 4), source: fields, to: &out, writing: write)
    }
}
