import Dispatch
import Synchronization

/// Fills merged records off the merging thread and hands the text to the writer. At the end of a
/// timeline the merge runs alone on one thread, and filling the records' holes (times as text, ids) was
/// most of its work: the merge now only copies each record and its values into a batch, in order. Batches
/// are filled side by side (the merge, the filling and the writing together need more than one core but
/// none of them a whole one) and handed to the writer in merge order: a batch filled before the one ahead
/// of it waits in `ready`, and whichever job fills the one ahead hands both over. No job waits for
/// another: a job blocked on a semaphore held one of the few threads the system lends, and the merge, short
/// of jobs, left a core idle a fifth of its time.
final class RecordFiller: @unchecked Sendable {
    // @unchecked: `batch` and `sent` are touched only by the merging thread; a batch changes hands whole,
    // to the job that fills it; `ready` is behind its lock.
    private let format: TimelineFormat
    private let shared: SharedHoleValues
    private let writer: BackgroundFileWriter
    /// Batches sent and not yet written: the merge waits for room, which bounds the memory they hold.
    private let slots = DispatchSemaphore(value: RecordFiller.batchesInFlight)
    private let unwritten = DispatchGroup()
    private let stopped = Atomic<Bool>(false)
    /// A constant, its records taken out whole when sent: a batch replaced in place was retained and
    /// released around each record the merge added, a fifth of the merging thread's time.
    private let batch = RecordBatch()
    private var sent = 0
    private let ready = Locked(ReadyBatches())
    static let batchBytes = 1 << 20
    static let batchesInFlight = 8

    /// Filled batches waiting for the ones before them, by number, and the number of the next to write.
    private struct ReadyBatches {
        var waiting: [Int: HandedBytes] = [:]
        var next = 0
    }

    init(format: TimelineFormat, shared: SharedHoleValues, writer: BackgroundFileWriter) {
        self.format = format
        self.shared = shared
        self.writer = writer
    }

    /// Takes one record in merge order; false once the output cannot be written.
    func add(_ template: UnsafeRawBufferPointer, _ values: RecordValues) -> Bool {
        batch.append(template, values)
        if batch.count >= Self.batchBytes { send() }
        return !stopped.load(ordering: .relaxed)
    }

    /// Fills what is left and waits until every batch is written.
    func finish() {
        send()
        unwritten.wait()
    }

    private func send() {
        guard batch.count > 0 else { return }
        let full = batch.takeRecords()
        let number = sent
        sent += 1
        slots.wait()
        unwritten.enter()
        DispatchQueue.global().async { [self] in
            var text = ByteBuffer(capacity: full.count + full.count / 4)
            if !stopped.load(ordering: .relaxed) {
                var second = EventBytes.SecondText()
                full.forEach { template, values in format.fill(template, values, shared: shared, to: &text, second: &second) }
            }
            let filled = HandedBytes(text)
            ready.withLock { ready in
                ready.waiting[number] = filled
                while let next = ready.waiting.removeValue(forKey: ready.next) {
                    ready.next += 1
                    let handedOver = !stopped.load(ordering: .relaxed) && writer.write(next) { [self] in written() }
                    if !handedOver {
                        stopped.store(true, ordering: .relaxed)
                        written()
                    }
                }
            }
        }
    }

    private func written() {
        slots.signal()
        unwritten.leave()
    }
}

/// Records with their values, one after another in one buffer: time (`Int64.min` for none), basis,
/// ordinal, whether it is linked (1 or 0), the template's length, its finding (0 for none), its
/// clock segment (-1 for none), its source, the template. A `ByteBuffer` in a class rather than an array:
/// appending to the array checked its storage and went through generic code twice a record, a sixth of
/// the merging thread's time. `@unchecked Sendable`: a batch is filled by the merge alone, then handed
/// whole to the one job that reads it.
final class RecordBatch: @unchecked Sendable {
    private var bytes = ByteBuffer(capacity: RecordFiller.batchBytes + (64 << 10))
    private static let headerSize = 34

    var count: Int { bytes.count }

    /// A batch holding this one's records, this one left empty.
    func takeRecords() -> RecordBatch {
        let full = RecordBatch()
        swap(&full.bytes, &bytes)
        return full
    }

    func append(_ template: UnsafeRawBufferPointer, _ values: RecordValues) {
        bytes.append(atMost: Self.headerSize) { header in
            header.storeBytes(of: values.time ?? .min, as: Int64.self)
            header.storeBytes(of: values.basis.code, toByteOffset: 8, as: UInt8.self)
            header.storeBytes(of: Int64(values.ordinal), toByteOffset: 9, as: Int64.self)
            header.storeBytes(of: Int32(values.isLinked ? 1 : 0), toByteOffset: 17, as: Int32.self)
            header.storeBytes(of: UInt32(template.count), toByteOffset: 21, as: UInt32.self)
            header.storeBytes(of: values.finding?.rawValue ?? 0, toByteOffset: 25, as: UInt8.self)
            header.storeBytes(of: Int32(values.clockSegment ?? -1), toByteOffset: 26, as: Int32.self)
            header.storeBytes(of: Int32(values.source), toByteOffset: 30, as: Int32.self)
            return Self.headerSize
        }
        bytes.append(template)
    }

    func forEach(_ body: (UnsafeRawBufferPointer, RecordValues) -> Void) {
        bytes.withBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let time = bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)
                let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 21, as: UInt32.self))
                let segment = Int(bytes.loadUnaligned(fromByteOffset: offset + 26, as: Int32.self))
                let values = RecordValues(time: time == .min ? nil : time, basis: TimeBasis(code: bytes[offset + 8]),
                                          ordinal: Int(bytes.loadUnaligned(fromByteOffset: offset + 9, as: Int64.self)),
                                          source: Int(bytes.loadUnaligned(fromByteOffset: offset + 30, as: Int32.self)),
                                          isLinked: bytes.loadUnaligned(fromByteOffset: offset + 17, as: Int32.self) != 0,
                                          finding: RecordFinding(rawValue: bytes[offset + 25]),
                                          clockSegment: segment < 0 ? nil : segment)
                let start = offset + Self.headerSize
                body(UnsafeRawBufferPointer(rebasing: bytes[start ..< start + length]), values)
                offset = start + length
            }
        }
    }
}
