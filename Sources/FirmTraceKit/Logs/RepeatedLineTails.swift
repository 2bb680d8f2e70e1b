#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What follows a Tuya line's device time, read once for the next time the same bytes come: the device
/// writes the same few lines over and over (` TUYA Debug][mqc_app.c:1412] mqtt heartbeat send`), and
/// reading their level, source location, message and kind again, each text looked up on its own, was a
/// quarter of decoding such a line. A tail is returned only when its bytes are the same as those it was read
/// from, so it is what reading them again would give.
///
/// Slots are fixed stretches of raw memory, looked up by the bytes' hash, as `RepeatedText`'s are. One per
/// reader, used by one thread.
final class RepeatedLineTails {
    /// A tail as read: the ranges are offsets from the tail's first byte.
    struct Tail: Equatable {
        let level: TuyaLevel
        let sourceFile: Range<Int>
        let message: Range<Int>
        let kind: EventKind
        /// The source location's text and the message's, trimmed (`LogSourceReader.messageText`).
        let origin: String
        let messageText: String
    }

    /// `RepeatedText.slot` picks among as many.
    private static let slotCount = RepeatedText.slotCount
    /// Longer lines are nearly all one-off (URLs, JSON bodies), and comparing them would cost what it saves.
    static let longest = 128

    private struct Entry {
        var length = 0
        var tail: Tail?
    }

    private let bytes: UnsafeMutableRawPointer
    /// Raw, not an array: an array of optional tuples cost more to look in than reading the tail again saved.
    private let entries: UnsafeMutablePointer<Entry>

    init() {
        bytes = .allocate(byteCount: Self.slotCount * Self.longest, alignment: 16)
        entries = .allocate(capacity: Self.slotCount)
        entries.initialize(repeating: Entry(), count: Self.slotCount)
    }

    deinit {
        bytes.deallocate()
        entries.deinitialize(count: Self.slotCount)
        entries.deallocate()
    }

    func tail(of line: UnsafeRawBufferPointer) -> Tail? {
        guard !line.isEmpty, line.count <= Self.longest else { return nil }
        let slot = RepeatedText.slot(of: line)
        let entry = entries + slot
        guard entry.pointee.length == line.count, memcmp(bytes + slot * Self.longest, line.baseAddress!, line.count) == 0
        else { return nil }
        return entry.pointee.tail
    }

    func keep(_ tail: Tail, of line: UnsafeRawBufferPointer) {
        guard !line.isEmpty, line.count <= Self.longest else { return }
        let slot = RepeatedText.slot(of: line)
        (bytes + slot * Self.longest).copyMemory(from: line.baseAddress!, byteCount: line.count)
        entries[slot] = Entry(length: line.count, tail: tail)
    }
}
