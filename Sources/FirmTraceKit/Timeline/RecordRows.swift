import Dispatch
import Synchronization

/// The merged records made into a database writer's rows off its thread. SQLite takes rows on one thread,
/// and merging, filling each record as a JSON line and reading its columns back were a third of that
/// thread's work: the merge runs on a thread of its own and copies records into batches, the batches are
/// filled and read side by side, and the writer takes them in merge order.
final class RecordRows<Row: Sendable>: @unchecked Sendable {
    // @unchecked: `merge` is used by the merging thread alone, `ended` by the writer alone. A `Pending`'s
    // rows and failure are written by the job that decodes it before `done` is signalled and read by the
    // writer after; `mergeFailure` is written by the merging thread before it queues the end and read
    // after the end is taken.
    private final class Pending: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var rows: [Row] = []
        var failure: InputError?
    }

    private let merge: RecordMerge
    private let row: @Sendable (UnsafeRawBufferPointer) -> Row?
    private let format: TimelineFormat
    private let shared: SharedHoleValues
    private let output: InputLocation
    /// Batches queued and not yet taken, bounded so that the merge does not run ahead of the writer.
    private let slots = DispatchSemaphore(value: 4)
    private let queued = DispatchSemaphore(value: 0)
    /// In merge order; nil marks the end.
    private let pending = Locked<[Pending?]>([])
    private let stopped = Atomic<Bool>(false)
    private var mergeFailure: InputError?
    private var ended = false

    init(_ merge: RecordMerge, format: TimelineFormat, output: InputLocation, row: @escaping @Sendable (UnsafeRawBufferPointer) -> Row?) {
        self.merge = merge
        self.row = row
        self.format = format
        shared = SharedHoleValues(merge, format: format)
        self.output = output
        DispatchQueue(label: "firmtrace.merge").async { [self] in
            var batch = RecordBatch()
            do throws(InputError) {
                try self.merge.forEach { (template, values) throws(InputError) in
                    batch.append(template, values)
                    if batch.count >= RecordFiller.batchBytes {
                        send(batch)
                        batch = RecordBatch()
                    }
                    return !stopped.load(ordering: .relaxed)
                }
            } catch {
                mergeFailure = error
            }
            if batch.count > 0 { send(batch) }
            pending.withLock { $0.append(nil) }
            queued.signal()
        }
    }

    /// The next batch of rows in merge order; nil at the end.
    func next() throws(InputError) -> [Row]? {
        guard !ended else { return nil }
        guard let batch = take() else {
            if let mergeFailure { throw mergeFailure }
            return nil
        }
        if let failure = batch.failure { throw failure }
        return batch.rows
    }

    /// Stops the merge and waits for it to end: the writer has failed, or taken everything.
    func finish() {
        stopped.store(true, ordering: .relaxed)
        while !ended { _ = take() }
    }

    /// The first batch queued, once decoded; nil, and `ended` set, at the end.
    private func take() -> Pending? {
        queued.wait()
        guard let batch = pending.withLock({ $0.removeFirst() }) else {
            ended = true
            return nil
        }
        batch.done.wait()
        slots.signal()
        return batch
    }

    private func send(_ batch: RecordBatch) {
        slots.wait()
        let job = Pending()
        pending.withLock { $0.append(job) }
        queued.signal()
        DispatchQueue.global().async { [self] in
            defer { job.done.signal() }
            guard !stopped.load(ordering: .relaxed) else { return }
            var line = ByteBuffer()
            var second = EventBytes.SecondText()
            batch.forEach { template, values in
                guard job.failure == nil else { return }
                line.removeAll()
                format.fill(template, values, shared: shared, to: &line, second: &second)
                if let row = line.withBytes({ row(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }) {
                    job.rows.append(row)
                } else {
                    job.failure = InputError(.unreadable("a scratch record did not read back"), at: output)
                }
            }
        }
    }
}
