#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libc call: which call, and the `errno` it left. Turned into a sentence for users with
/// `strerror`, so "No such file or directory" reads as the system would say it.
struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    let call: String
    let code: Int32

    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    var description: String { String(cString: strerror(code)) }

    var isNotFound: Bool { code == ENOENT }
    var isAlreadyPresent: Bool { code == EEXIST }
}

/// Runs a libc call that returns -1 and sets `errno` on failure, retrying when a signal interrupted it.
@discardableResult
func retryingOnInterrupt<T: FixedWidthInteger>(_ call: String, _ body: () -> T) throws(SystemCallError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code != EINTR { throw SystemCallError(call, code: code) }
    }
}
