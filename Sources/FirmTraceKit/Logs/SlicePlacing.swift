import Synchronization

/// The placer of a log read in slices and what carries over from slice to slice: the lines and cut lines
/// of the slices placed so far. `@unchecked Sendable`: all but `halted` are touched only by the thread
/// whose slice's turn it is, and turns pass from slice to slice in order (`SlicedLog`'s turns,
/// `ParallelLogDecoder`'s slices).
final class SlicePlacing: @unchecked Sendable {
    let placer: LogSourceReader
    private(set) var lineBase = 0
    private(set) var cutLines = 0
    /// Set once the placer has stopped: later slices are passed over.
    let halted = Atomic<Bool>(false)

    init(_ placer: LogSourceReader) {
        self.placer = placer
    }

    /// Places a slice's events after the lines of those before it; `lines` moves the next slice's on.
    func place(_ events: HandOffQueue<DecodedEvent>, lines: Int = 0, cutLines: Int = 0) {
        if !halted.load(ordering: .relaxed) {
            placer.place(events, lineBase: lineBase)
            if placer.stopped { halted.store(true, ordering: .releasing) }
        }
        lineBase += lines
        self.cutLines += cutLines
    }
}

extension HandOffQueue where Element == DecodedEvent {
    /// A queue for the events decoded from a slice of `bytes`, with room for that many short lines up
    /// front: grown by doubling, the events were moved again and again.
    static func forSlice(of bytes: Int) -> HandOffQueue {
        HandOffQueue(capacity: bytes / SlicedLog.shortLineBytes)
    }
}
