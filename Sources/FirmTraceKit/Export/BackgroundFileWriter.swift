import Dispatch
import Synchronization

/// Writes an `AtomicOutputFile` on a second thread: copying gigabytes into the page cache costs the
/// kernel about as much as the timeline's merge costs us, and the two can overlap. A few buffers in
/// flight keep memory flat; the first failure is kept and reported by `commit`.
final class BackgroundFileWriter: @unchecked Sendable {
    // @unchecked: `file` is touched only on `queue` until `commit`, which waits for the queue first.
    private let file: AtomicOutputFile
    private let queue = DispatchQueue(label: "firmtrace.output")
    private let slots = DispatchSemaphore(value: 4)
    private let failure = Mutex<InputError?>(nil)

    init(_ file: AtomicOutputFile) {
        self.file = file
    }

    /// False once a write has failed: nothing more need be produced.
    func write(_ bytes: consuming ByteBuffer) -> Bool {
        guard failure.withLock({ $0 == nil }) else { return false }
        slots.wait()
        let handed = HandedBytes(bytes)
        queue.async { [self] in
            defer { slots.signal() }
            guard failure.withLock({ $0 == nil }) else { return }
            do throws(InputError) {
                try handed.bytes.withBytes { (bytes) throws(InputError) in try file.write(bytes) }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        return true
    }

    /// Bytes on their way to the writing thread. Unchecked: the thread that made them lets go of them.
    private final class HandedBytes: @unchecked Sendable {
        let bytes: ByteBuffer

        init(_ bytes: consuming ByteBuffer) {
            self.bytes = bytes
        }
    }

    /// Waits for every write, then renames the file into place, or throws the first failure.
    func commit() throws(InputError) {
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
        try file.commit()
    }
}
