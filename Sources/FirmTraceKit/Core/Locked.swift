#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that threads share, changed only while its lock is held. A pthread mutex rather than the
/// Synchronization library's `Mutex`: on Linux that library is built without ThreadSanitizer's
/// instrumentation, so the sanitizer cannot see its lock, and it reported every access the lock guards
/// as a race, which stopped `Scripts/sanitize thread` at the first.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is touched only between `pthread_mutex_lock` and `pthread_mutex_unlock`.
    /// Allocated, not stored inline: a pthread mutex must not move, and a class's stored property may
    /// be reached through a temporary copy.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
