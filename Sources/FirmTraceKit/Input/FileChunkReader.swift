#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file with `read(2)` through one reused buffer. Logs are read this way rather than mapped: a
/// scan over a mapped multi-gigabyte file takes a page fault per 4 KiB and counts every page it touched
/// as the process's memory, while a reused buffer keeps memory flat and copies from the page cache at
/// memory speed.
final class FileChunkReader {
    static let chunkSize = 4 << 20

    let descriptor: Int32
    private let path: String

    init(path: String) throws(SystemCallError) {
        self.path = path
        descriptor = try retryingOnInterrupt("open") { open(path, O_RDONLY | O_CLOEXEC) }
    }

    deinit {
        close(descriptor)
    }

    /// The first bytes, for sniffing, without moving the read position.
    func head(_ count: Int) throws(SystemCallError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { buffer in pread(descriptor, buffer.baseAddress, count, 0) }
        if read < 0 { throw SystemCallError("pread") }
        return Array(bytes.prefix(read))
    }

    /// Hands the file's bytes from `start` up to `end` (or its end) to `body` in chunks; `body` returns
    /// false to stop. Read with `pread`, so slices of one file can be read side by side.
    func forEachChunk(from start: Int64 = 0, upTo end: Int64 = .max, _ body: (UnsafeRawBufferPointer) -> Bool) throws(SystemCallError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(min(Int64(Self.chunkSize), end - start)), alignment: 64)
        defer { buffer.deallocate() }
        var offset = start
        while offset < end {
            let wanted = Int(min(Int64(buffer.count), end - offset))
            let count = try retryingOnInterrupt("pread") { pread(descriptor, buffer.baseAddress, wanted, off_t(offset)) }
            if count == 0 { return }
            offset += Int64(count)
            guard body(UnsafeRawBufferPointer(rebasing: buffer[0 ..< count])) else { return }
        }
    }

    /// Hands the file to `body` as regions of whole lines, ripgrep's line buffer: the unfinished line at
    /// the end of a read moves to the front and the next read continues behind it. `body` gets the region
    /// and whether it is the last, and returns how much of the region it used (the rest comes again, with
    /// more behind it), or nil to stop. A line longer than the buffer grows it, up to `maxLineLength`.
    func forEachRegion(maxLineLength: Int, _ body: (UnsafeRawBufferPointer, Bool) -> Int?) throws(SystemCallError) {
        try retryingOnInterrupt("lseek") { lseek(descriptor, 0, SEEK_SET) }
        var capacity = Self.chunkSize
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var filled = 0
        var atEnd = false
        func grow() -> Bool {
            guard capacity < maxLineLength else { return false }
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(capacity * 2, maxLineLength), alignment: 64)
            grown.copyMemory(from: UnsafeRawBufferPointer(buffer))
            buffer.deallocate()
            buffer = grown
            capacity = grown.count
            return true
        }
        while true {
            if !atEnd, filled < capacity {
                let count = try retryingOnInterrupt("read") { read(descriptor, buffer.baseAddress! + filled, capacity - filled) }
                if count == 0 { atEnd = true }
                filled += count
                if count > 0, filled < capacity { continue }
            }
            let available = UnsafeRawBufferPointer(rebasing: buffer[0 ..< filled])
            var wholeLines = atEnd ? filled : (ByteSearch.lastIndex(of: 0x0A, in: available, before: filled).map { $0 + 1 } ?? 0)
            if wholeLines == 0 {
                // One line fills the buffer: grow it, or hand it over cut when it is beyond reason.
                if grow() { continue }
                wholeLines = filled
            }
            guard let used = body(UnsafeRawBufferPointer(rebasing: buffer[0 ..< wholeLines]), atEnd && wholeLines == filled) else { return }
            if atEnd && wholeLines == filled && used >= filled { return }
            if used > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + used, byteCount: filled - used)
                filled -= used
            } else if atEnd || (filled == capacity && !grow()) {
                // The body needs more than the file or the largest buffer can give: stop rather than loop.
                return
            }
        }
    }
}
