#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CShims

/// An output file written under a hidden temporary name beside its destination and renamed into place
/// only by `commit()`: a run that fails or is interrupted never leaves a file that looks finished. An
/// existing destination is refused unless `overwrite` is set. A name ending in `.gz` or `.zst` is
/// compressed on its way to the disk. The path `-` is standard output, written as it comes: a pipe cannot
/// be renamed into place, so there a failed run is told only by its exit status. Past `largeOutputBytes`,
/// a plain file is written around the page cache where the system allows it.
public final class AtomicOutputFile {
    public let path: String
    private let isStandardOutput: Bool
    private let temporaryPath: String
    private var descriptor: Int32
    /// Raw memory with a fill mark rather than `[UInt8]`: captures write millions of small pieces, and
    /// a plain copy into place is what keeps `filter` level with tcpdump. Aligned, and written whole, for
    /// writes around the page cache.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: alignment)
    private var used = 0
    private var committed = false
    private let compressor: (any StreamCompressor)?
    private static let bufferSize = 1 << 20
    private static let alignment = Int(FIRMTRACE_UNCACHED_ALIGNMENT)
    /// Bytes written to the file so far: where the next write lands.
    private var written: Int64 = 0
    /// Whether writes bypass the page cache now.
    private var uncached = false
    /// Bytes written around the page cache.
    private(set) var uncachedBytes: Int64 = 0
    /// A plain file, uncompressed: the output that may be written around the page cache.
    private let mayGoUncached: Bool
    private let uncachedAfter: Int64

    /// Bytes after which a large output is written around the page cache. A multi-gigabyte timeline
    /// would otherwise push the user's captures and logs out of the cache for a file they read once,
    /// and a virtual machine that hands freed memory back to its host makes every fresh page cache page
    /// cost a fault: 2 GB took 5.1 s to write through the cache on fresh pages and 1.4 s around it.
    /// Smaller outputs stay cached, to be read back at once.
    static let largeOutputBytes: Int64 = 64 << 20

    /// The path that names standard output, as for most tools.
    static let standardOutput = "-"

    public static func isStandardOutput(_ path: String) -> Bool { path == standardOutput }

    /// An output path as messages name it.
    public static func name(of path: String) -> String { isStandardOutput(path) ? "standard output" : path }

    /// Whether `path` may be written: standard output always, a file when it does not exist or `overwrite`.
    static func mayWrite(_ path: String, overwrite: Bool) -> Bool {
        overwrite || isStandardOutput(path) || access(path, F_OK) != 0
    }

    public convenience init(path: String, overwrite: Bool) throws(InputError) {
        try self.init(path: path, overwrite: overwrite, uncachedAfter: Self.largeOutputBytes)
    }

    /// `uncachedAfter` is lowered by tests, to change modes within a small file.
    init(path: String, overwrite: Bool, uncachedAfter: Int64) throws(InputError) {
        self.path = path
        self.uncachedAfter = uncachedAfter
        let location = InputLocation(path: path)
        guard Self.mayWrite(path, overwrite: overwrite) else { throw InputError(.alreadyExists, at: location) }
        isStandardOutput = Self.isStandardOutput(path)
        if isStandardOutput {
            temporaryPath = ""
            compressor = nil
            descriptor = STDOUT_FILENO
            mayGoUncached = false
            return
        }
        let temporaryPath = PartialFiles.temporaryPath(beside: path)
        self.temporaryPath = temporaryPath
        do throws(InputError) {
            compressor = try OutputCompression(path: path)?.makeCompressor(for: location)
        } catch {
            buffer.deallocate()
            throw error
        }
        do {
            descriptor = try PartialFiles.create(temporaryPath) { () throws(SystemCallError) in
                try retryingOnInterrupt("open") { open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
            }
        } catch {
            buffer.deallocate()
            throw InputError(.writeFailed(error.description), at: location)
        }
        mayGoUncached = compressor == nil
    }

    deinit {
        if !committed { discard() }
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        if mayGoUncached {
            try fillingWholeBuffers(bytes)
            return
        }
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count > buffer.count {
            try writeThrough(bytes)
            return
        }
        if let base = bytes.baseAddress { (buffer.baseAddress! + used).copyMemory(from: base, byteCount: bytes.count) }
        used += bytes.count
    }

    public func writeLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) throws(InputError) {
        guard used + MemoryLayout<Integer>.size <= buffer.count else {
            try write(Array(withUnsafeBytes(of: value.littleEndian) { $0 }))
            return
        }
        buffer.storeBytes(of: value.littleEndian, toByteOffset: used, as: Integer.self)
        used += MemoryLayout<Integer>.size
    }

    public func writeZeros(_ count: Int) throws(InputError) {
        guard used + count <= buffer.count else {
            try write([UInt8](repeating: 0, count: count))
            return
        }
        (buffer.baseAddress! + used).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        used += count
    }

    public func write(_ bytes: [UInt8]) throws(InputError) {
        try bytes.withBytes { bytes throws(InputError) in try write(bytes) }
    }

    /// Copies `bytes` in, writing the buffer each time it is full, so that every write but the last is
    /// whole aligned buffers, as writing around the page cache needs.
    private func fillingWholeBuffers(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        var rest = bytes
        while !rest.isEmpty {
            if used == buffer.count { try flush() }
            let count = min(rest.count, buffer.count - used)
            (buffer.baseAddress! + used).copyMemory(from: rest.baseAddress!, byteCount: count)
            used += count
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
        }
    }

    private func flush() throws(InputError) {
        if uncached, used % Self.alignment != 0 { goCached() }
        try writeThrough(UnsafeRawBufferPointer(rebasing: buffer[0 ..< used]))
        used = 0
        if mayGoUncached, !uncached, written >= uncachedAfter, written % Int64(Self.alignment) == 0 {
            uncached = firmtrace_set_uncached(descriptor, 1) == 0
        }
    }

    private func goCached() {
        uncached = false
        _ = firmtrace_set_uncached(descriptor, 0)
    }

    private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        if let compressor {
            try compressor.compress(bytes, finishing: false, to: writeToDisk)
        } else {
            try writeToDisk(bytes)
        }
    }

    private func writeToDisk(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        do throws(SystemCallError) {
            do throws(SystemCallError) {
                try FileDescriptorIO.writeAll(descriptor, bytes)
            } catch where uncached && error.code == EINVAL {
                // A filesystem that took the flag but not the write: write the whole piece again through
                // the cache, from where it began.
                goCached()
                guard lseek(descriptor, off_t(written), SEEK_SET) == written else { throw SystemCallError("lseek") }
                try FileDescriptorIO.writeAll(descriptor, bytes)
            }
            written += Int64(bytes.count)
            if uncached { uncachedBytes += Int64(bytes.count) }
        } catch {
            guard isStandardOutput else { throw InputError(.writeFailed(error.description), at: InputLocation(path: path)) }
            throw InputError(error.code == EPIPE ? .readerClosed : .writeFailed(error.description), at: InputLocation(path: Self.name(of: path)))
        }
    }

    /// Writes what is buffered and renames the file into place.
    public func commit() throws(InputError) {
        try flush()
        try compressor?.compress(UnsafeRawBufferPointer(start: nil, count: 0), finishing: true, to: writeToDisk)
        if isStandardOutput {
            committed = true
            return
        }
        FileDescriptorIO.close(descriptor)
        descriptor = -1
        if rename(temporaryPath, path) != 0 {
            let error = SystemCallError("rename")
            discard()
            throw InputError(.writeFailed(error.description), at: InputLocation(path: path))
        }
        PartialFiles.unregister(temporaryPath)
        committed = true
    }

    /// Removes the temporary file; the destination is untouched. What went to standard output stays sent.
    public func discard() {
        guard !isStandardOutput else { return }
        if descriptor >= 0 {
            FileDescriptorIO.close(descriptor)
            descriptor = -1
        }
        PartialFiles.remove(temporaryPath)
    }
}
