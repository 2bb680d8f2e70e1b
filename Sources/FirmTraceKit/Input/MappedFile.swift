#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory. Inputs are read through the page cache instead of being
/// copied into buffers, and an archive reader can seek in a zip's central directory for free.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// Maps the file open at `descriptor`, which the caller still owns and may close afterwards.
    init(descriptor: Int32) throws(SystemCallError) {
        var status = stat()
        try retryingOnInterrupt("fstat") { fstat(descriptor, &status) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw SystemCallError("mmap", code: EINVAL) }
        let size = Int(status.st_size)
        guard size > 0 else {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw SystemCallError("mmap")
        }
        mapping = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    convenience init(path: String) throws(SystemCallError) {
        let descriptor = try retryingOnInterrupt("open") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { _ = close(descriptor) }
        try self.init(descriptor: descriptor)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}
