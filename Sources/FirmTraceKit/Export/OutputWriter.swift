#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to a file descriptor. A closed pipe (`firmtrace grep … | head`) is not an error: the
/// writer notes it and everything upstream stops quietly, as ripgrep does.
public final class OutputWriter {
    private let descriptor: Int32
    private var buffer: ByteBuffer
    private static let capacity = 1 << 16
    public private(set) var pipeClosed = false
    public private(set) var failure: String?

    public init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer = ByteBuffer(capacity: Self.capacity + Self.capacity / 4)
    }

    public static func standardOutput() -> OutputWriter { OutputWriter(descriptor: STDOUT_FILENO) }

    /// False once the reader went away or writing failed.
    public var isWritable: Bool { !pipeClosed && failure == nil }

    public func write(_ text: String) {
        guard isWritable else { return }
        buffer.append(utf8: text)
        if buffer.count >= Self.capacity { flush() }
    }

    /// Lets a sink append bytes straight into the buffer.
    func write(_ body: (inout ByteBuffer) -> Void) {
        guard isWritable else { return }
        body(&buffer)
        if buffer.count >= Self.capacity { flush() }
    }

    public func flush() {
        guard isWritable, !buffer.isEmpty else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { pipeClosed = true } else { failure = String(cString: strerror(errno)) }
                break
            }
            offset += written
        }
        buffer.removeAll()
    }
}
