import Dispatch
import Synchronization

/// Hands events to a sink on a second thread, in batches, so decoding and formatting use both cores. The
/// order of events is kept (one serial queue); a bounded number of batches in flight keeps memory flat;
/// when the sink stops (the reader of the output went away) the producer hears it at the next batch.
/// Batches go both ways: the sink hands each one back once formatted, and the producer empties it and
/// fills it again, so events are freed on the thread that allocated them. Freed on the sink's thread
/// instead, they sent malloc to its arena lock, which the two threads then fought over.
final class SinkPipeline: EventSink, @unchecked Sendable {
    // @unchecked: `sink` is touched only on `queue` once the pipeline exists; `batch` only by the producer;
    // batches change hands only through the two locked queues.
    private let sink: EventSink
    private let queue = DispatchQueue(label: "firmtrace.sink")
    private let slots = DispatchSemaphore(value: 4)
    private let stopped = Atomic<Bool>(false)
    private let sent = Mutex<[[Event]]>([])
    private let returned = Mutex<[[Event]]>([])
    private var batch: [Event] = []
    private static let batchSize = 2048

    init(_ sink: EventSink) {
        self.sink = sink
        batch.reserveCapacity(Self.batchSize)
    }

    func accept(_ event: Event) -> Bool {
        batch.append(event)
        if batch.count >= Self.batchSize { send() }
        return !stopped.load(ordering: .relaxed)
    }

    func finish() {
        send()
        queue.sync { sink.finish() }
        returned.withLock { $0.removeAll() }
    }

    private func send() {
        guard !batch.isEmpty else { return }
        slots.wait()
        var next = returned.withLock { $0.popLast() } ?? []
        next.removeAll(keepingCapacity: true)
        next.reserveCapacity(Self.batchSize)
        swap(&next, &batch)
        sent.withLock { $0.append(next) }
        queue.async { [self] in
            let events = sent.withLock { $0.removeFirst() }
            // Through a buffer pointer, each event is lent to the sink, not copied out of the array.
            if !stopped.load(ordering: .relaxed), !events.withUnsafeBufferPointer({ batch in batch.indices.allSatisfy { sink.accept(batch[$0]) } }) {
                stopped.store(true, ordering: .relaxed)
            }
            returned.withLock { $0.append(consume events) }
            slots.signal()
        }
    }
}
