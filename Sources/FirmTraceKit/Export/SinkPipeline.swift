import Dispatch
import Synchronization

/// Hands events to a sink on a second thread, in batches, so decoding and formatting use both cores. The
/// order of events is kept (one serial queue); a bounded number of batches in flight keeps memory flat;
/// when the sink stops (the reader of the output went away) the producer hears it at the next batch.
final class SinkPipeline: EventSink, @unchecked Sendable {
    // @unchecked: `sink` is touched only on `queue` once the pipeline exists; `batch` only by the producer.
    private let sink: EventSink
    private let queue = DispatchQueue(label: "firmtrace.sink")
    private let slots = DispatchSemaphore(value: 4)
    private let stopped = Atomic<Bool>(false)
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
    }

    private func send() {
        guard !batch.isEmpty else { return }
        let events = batch
        batch.removeAll(keepingCapacity: true)
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard !stopped.load(ordering: .relaxed) else { return }
            // Through a buffer pointer each event is lent to the sink, not copied out of the array.
            if !events.withUnsafeBufferPointer({ batch in batch.indices.allSatisfy { sink.accept(batch[$0]) } }) {
                stopped.store(true, ordering: .relaxed)
            }
        }
    }
}
