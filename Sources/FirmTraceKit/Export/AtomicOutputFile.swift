#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file written under a hidden temporary name beside its destination and renamed into place
/// only by `commit()`: a run that fails or is interrupted never leaves a file that looks finished. An
/// existing destination is refused unless `overwrite` is set. A name ending in `.gz` or `.zst` is
/// compressed on its way to the disk. The path `-` is standard output, written as it comes: a pipe cannot
/// be renamed into place, so there a failed run is told only by its exit status. A large file does not
/// stay in the page cache behind its writing (`PageCacheRelease`).
public final class AtomicOutputFile {
    public let path: String
    private let isStandardOutput: Bool
    private let temporaryPath: String
    private var descriptor: Int32
    /// Raw memory with a fill mark rather than `[UInt8]`: captures write millions of small pieces, and
    /// a plain copy into place is what keeps `filter` level with tcpdump.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    private var used = 0
    private var committed = false
    private let compressor: (any StreamCompressor)?
    private static let bufferSize = 1 << 20
    private var pageRelease: PageCacheRelease?
    /// Bytes from the start of the file asked to leave the page cache.
    var droppedBytes: Int64 { pageRelease?.dropped ?? 0 }

    /// The path that names standard output, as for most tools.
    static let standardOutput = "-"

    public static func isStandardOutput(_ path: String) -> Bool { path == standardOutput }

    /// An output path as messages name it.
    public static func name(of path: String) -> String { isStandardOutput(path) ? "standard output" : path }

    /// Refuses an output that cannot be written, before any work is spent on it: one that exists (unless
    /// `overwrite`), a folder, one whose folder is missing. Found only when the file was made, after every
    /// input had been read, a slip in the name cost the minutes of a large timeline or report. Standard
    /// output is always written.
    public static func checkWritable(_ path: String, overwrite: Bool) throws(InputError) {
        guard !isStandardOutput(path) else { return }
        let location = InputLocation(path: path)
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT != S_IFDIR else {
                throw InputError(.writeFailed("it is a folder; give the name of a file to write"), at: location)
            }
            if !overwrite { throw InputError(.alreadyExists, at: location) }
            return
        }
        let folder = PartialFiles.scratchDirectory(beside: path)
        guard stat(folder.isEmpty ? "." : folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            let named = folder.count > 1 ? String(folder.dropLast()) : folder
            throw InputError(.writeFailed("there is no folder \(named) to write it in"), at: location)
        }
    }

    public convenience init(path: String, overwrite: Bool) throws(InputError) {
        try self.init(path: path, overwrite: overwrite, pageRelease: PageCacheRelease())
    }

    /// `pageRelease` is made smaller by tests, to give pages back within a small file.
    init(path: String, overwrite: Bool, pageRelease: PageCacheRelease) throws(InputError) {
        self.path = path
        let location = InputLocation(path: path)
        try Self.checkWritable(path, overwrite: overwrite)
        isStandardOutput = Self.isStandardOutput(path)
        if isStandardOutput {
            temporaryPath = ""
            compressor = nil
            descriptor = STDOUT_FILENO
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
        self.pageRelease = pageRelease
    }

    deinit {
        if !committed { discard() }
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count > buffer.count {
            try writeThrough(bytes)
            return
        }
        if let base = bytes.baseAddress { (buffer.baseAddress! + used).copyMemory(from: base, byteCount: bytes.count) }
        used += bytes.count
    }

    public func writeLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) throws(InputError) {
        if used + MemoryLayout<Integer>.size > buffer.count { try flush() }
        buffer.storeBytes(of: value.littleEndian, toByteOffset: used, as: Integer.self)
        used += MemoryLayout<Integer>.size
    }

    public func writeZeros(_ count: Int) throws(InputError) {
        if used + count > buffer.count { try flush() }
        (buffer.baseAddress! + used).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        used += count
    }

    public func write(_ bytes: [UInt8]) throws(InputError) {
        try bytes.withBytes { bytes throws(InputError) in try write(bytes) }
    }

    private func flush() throws(InputError) {
        try writeThrough(UnsafeRawBufferPointer(rebasing: buffer[0 ..< used]))
        used = 0
    }

    private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        if let compressor {
            try compressor.compress(bytes, finishing: false, to: writeToDisk)
        } else {
            try writeToDisk(bytes)
        }
    }

    private func writeToDisk(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        do {
            try FileDescriptorIO.writeAll(descriptor, bytes)
            pageRelease?.wrote(bytes.count, to: descriptor)
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
