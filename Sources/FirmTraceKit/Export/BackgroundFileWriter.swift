import Dispatch
import Synchronization

/// Writes an `AtomicOutputFile` on a second thread: copying gigabytes into the page cache costs the
/// kernel about as much as the timeline's merge costs us, and the two can overlap. The caller bounds how
/// much it hands over (`RecordFiller` keeps a few buffers in flight); the first failure is kept and
/// reported by `commit`.
final class BackgroundFileWriter: @unchecked Sendable {
    // @unchecked: `file` is touched only on `queue` until `commit`, which waits for the queue first.
    private let file: AtomicOutputFile
    private let queue = DispatchQueue(label: "firmtrace.output")
    private let failure = Locked<InputError?>(nil)

    init(_ file: AtomicOutputFile) {
        self.file = file
    }

    /// Queues `bytes` after everything queued before; `written` runs once they are written, or given up
    /// after a failure. False, and `written` never runs, once a write has failed: nothing more need be
    /// produced.
    func write(_ bytes: consuming ByteBuffer, then written: (@Sendable () -> Void)? = nil) -> Bool {
        write(HandedBytes(bytes), then: written)
    }

    func write(_ handed: HandedBytes, then written: (@Sendable () -> Void)? = nil) -> Bool {
        guard failure.withLock({ $0 == nil }) else { return false }
        queue.async { [self] in
            defer { written?() }
            guard failure.withLock({ $0 == nil }) else { return }
            do throws(InputError) {
                try handed.bytes.withBytes { (bytes) throws(InputError) in try file.write(bytes) }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        return true
    }

    /// Waits for every write, then renames the file into place, or throws the first failure.
    func commit() throws(InputError) {
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
        try file.commit()
    }

    /// Waits for every write, then removes the file.
    func discard() {
        queue.sync {}
        file.discard()
    }
}

/// Bytes on their way to another thread. Unchecked: the thread that made them lets go of them.
final class HandedBytes: @unchecked Sendable {
    let bytes: ByteBuffer

    init(_ bytes: consuming ByteBuffer) {
        self.bytes = bytes
    }
}
