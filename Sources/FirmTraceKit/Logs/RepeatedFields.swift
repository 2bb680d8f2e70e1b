/// The fields decoded from a log's one-line events, kept for the next time the same line comes: a device
/// writes the same few messages over and over (`mqtt heartbeat send`, a connect to the same host), and
/// reading each one's fields again — a new array, its values, a JSON body parsed — was nearly a third of
/// decoding it. A line's fields are a function of its kind, level, origin and message alone (the reader's
/// dialect, bundle and key being fixed), so a kept result is returned only when all four are the same; the
/// events then share one array, which a later change to one of them copies.
struct RepeatedFields {
    struct Decoded {
        var fields: EventFields
        let epoch: Int64?
    }

    private struct Entry {
        let kind: EventKind
        let level: String?
        let origin: String?
        let message: String
        let onlyForClock: Bool
        let decoded: Decoded
    }

    private var slots = [Entry?](repeating: nil, count: RepeatedText.slotCount)

    /// The fields kept in `slot` for a line like `event`, if any.
    func kept(in slot: Int, for event: PendingEvent) -> Decoded? {
        guard let kept = slots[slot], kept.kind == event.kind, kept.onlyForClock == event.onlyForClock,
              kept.message == event.message, kept.origin == event.origin, kept.level == event.level else { return nil }
        return kept.decoded
    }

    mutating func keep(_ decoded: Decoded, in slot: Int, for event: PendingEvent) {
        slots[slot] = Entry(kind: event.kind, level: event.level, origin: event.origin, message: event.message,
                            onlyForClock: event.onlyForClock, decoded: decoded)
    }

    /// Where the fields of `event` are kept: only those of an event of one line whose message is short
    /// enough to repeat (continuation lines, foreign output and NUL bytes make a line's fields its own).
    static func slot(of event: PendingEvent) -> Int? {
        guard event.isOneLine, event.message.utf8.count <= RepeatedText.longest else { return nil }
        return event.message.utf8.withContiguousStorageIfAvailable { RepeatedText.slot(of: UnsafeRawBufferPointer($0)) }
    }
}
