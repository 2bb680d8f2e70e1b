import Dispatch
import Synchronization

/// Hands events to a sink on a second thread, in batches, so decoding and formatting use both cores. The
/// order of events is kept (one serial queue); a bounded number of batches in flight keeps memory flat;
/// when the sink stops (the reader of the output went away) the producer hears it at the next batch.
/// A batch the sink is done with comes back to the producer, which releases its events and fills it again:
/// the producer allocated their strings and arrays, and freed on the sink's thread each went back to the
/// producer's malloc arena under its lock, the two threads taking turns at it (a tenth of the report's
/// processor time went to waiting for that lock).
final class SinkPipeline: EventSink, @unchecked Sendable {
    // @unchecked: `sink` is touched only on `queue` once the pipeline exists; `batch` only by the producer;
    // `spent` behind its lock.
    private let sink: EventSink
    private let queue = DispatchQueue(label: "firmtrace.sink")
    private let slots = DispatchSemaphore(value: 4)
    private let stopped = Atomic<Bool>(false)
    private var batch: [Event] = []
    private let spent = Locked<[[Event]]>([])
    private static let batchSize = 2048

    init(_ sink: EventSink) {
        self.sink = sink
        batch.reserveCapacity(Self.batchSize)
    }

    func accept(_ event: Event) -> Bool {
        accept(owned: copy event)
    }

    func accept(owned event: consuming Event) -> Bool {
        batch.append(event)
        if batch.count >= Self.batchSize { send() }
        return !stopped.load(ordering: .relaxed)
    }

    func finish() {
        send()
        queue.sync { sink.finish() }
        spent.withLock { $0.removeAll() }
    }

    private func send() {
        guard !batch.isEmpty else { return }
        // Every batch back is emptied here, not only the one refilled: held, their events were memory kept
        // for nothing.
        var returned = spent.withLock { batches in
            defer { batches = [] }
            return batches
        }
        var next = returned.popLast() ?? []
        returned.removeAll()
        next.removeAll(keepingCapacity: true)
        if next.capacity < Self.batchSize { next.reserveCapacity(Self.batchSize) }
        swap(&batch, &next)
        let inFlight = InFlight(consume next)
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard !stopped.load(ordering: .relaxed) else { return }
            if !inFlight.lend(to: sink) { stopped.store(true, ordering: .relaxed) }
            let events = inFlight.take()
            spent.withLock { $0.append(events) }
        }
    }

    /// A batch on the sink's thread, the only holder of its array. Each event is moved out, lent to the
    /// sink and moved back: lent straight from the array, each was copied first (every string and array in
    /// it retained, then released), a tenth of the processor time of a timeline of a log in an archive.
    private final class InFlight: @unchecked Sendable {
        // @unchecked: made by the producer, then touched by one job only.
        private var events: [Event]

        init(_ events: [Event]) {
            self.events = events
        }

        /// The array, left to no one else: the producer empties it in place only when it is the only holder.
        func take() -> [Event] {
            var taken: [Event] = []
            swap(&taken, &events)
            return taken
        }

        /// Whether the sink took every event.
        func lend(to sink: EventSink) -> Bool {
            events.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return true }
                return buffer.indices.allSatisfy { index in
                    let event = (base + index).move()
                    defer { (base + index).initialize(to: event) }
                    return sink.accept(event)
                }
            }
        }
    }
}
