#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCompression
import Synchronization

/// An unlinked scratch file beside the output, its bytes compressed with LZ4 in blocks of `blockSize`.
/// Spilled records are formatted text that repeats itself line after line (LZ4 makes a sample bundle's
/// timeline 6.5 times smaller, the benchmark log's 13 times), and compressing them costs less than
/// moving them through the page cache: spilling a 500 MB log's timeline wrote 1.6 GB, a quarter of the
/// run's time in the kernel. LZ4 rather than zstd, which compresses more: zstd at level 1 took an eighth
/// of the run's processor time, and its fast levels run at half to two thirds of LZ4's speed on a
/// timeline's CSV (`zstd -b`, `lz4 -b`). At `acceleration` 8 rather than LZ4's default 1: on the
/// benchmark that took 0.7 s less processor time, for scratch files a sixth larger (32 was no faster).
/// A block is its compressed length and its length (32 bits each, little endian), then the compressed
/// bytes; runs begin and end on block boundaries (`seal`).
final class SpillFile {
    let descriptor: Int32
    private let output: InputLocation
    /// Bytes of the sealed blocks, written or not yet: where the next run begins.
    private(set) var size: Int64 = 0
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
    private var blockUsed = 0
    private let pending = UnsafeMutableRawBufferPointer.allocate(byteCount: writeSize + maximumBlockBytes, alignment: 16)
    private var pendingUsed = 0

    /// Raw bytes compressed together: small enough that the merge holds one per run it reads back.
    static let blockSize = 64 << 10
    static let blockHeaderSize = 8
    private static let acceleration: Int32 = 8
    /// The most one block can take in the file.
    static let maximumBlockBytes = blockHeaderSize + Int(LZ4_compressBound(Int32(blockSize)))
    private static let writeSize = 1 << 20

    /// Numbers this run's scratch files.
    private static let created = Atomic<Int>(0)

    /// A scratch file beside `output`, removed from its folder as soon as it is open: it lives as long as
    /// the descriptor. It is created as a partial file, so that an interrupt between creating and removing
    /// it leaves nothing behind.
    init(beside output: String) throws(InputError) {
        self.output = InputLocation(path: output)
        let directory = PartialFiles.scratchDirectory(beside: output)
        while true {
            let number = Self.created.wrappingAdd(1, ordering: .relaxed).oldValue
            let path = directory + ".firmtrace-spill-\(getpid())-\(number)"
            do {
                descriptor = try PartialFiles.create(path) { () throws(SystemCallError) in
                    try retryingOnInterrupt("open") { open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
                }
                PartialFiles.remove(path)
                break
            } catch {
                // A name left by a killed run whose process number this run now has: the next one.
                if error.isAlreadyPresent, number < 1_000 { continue }
                block.deallocate()
                pending.deallocate()
                throw InputError(.writeFailed("cannot make a scratch file: \(error)"), at: self.output)
            }
        }
    }

    deinit {
        close(descriptor)
        block.deallocate()
        pending.deallocate()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        var rest = bytes
        while !rest.isEmpty {
            // A whole block's bytes with no block begun are compressed where they lie: a sorted batch of
            // records comes whole, and copying it into the block first was one more pass over every byte.
            if blockUsed == 0, rest.count >= block.count {
                try compress(UnsafeRawBufferPointer(rebasing: rest[..<block.count]))
                rest = UnsafeRawBufferPointer(rebasing: rest[block.count...])
                continue
            }
            let count = min(rest.count, block.count - blockUsed)
            (block.baseAddress! + blockUsed).copyMemory(from: rest.baseAddress!, byteCount: count)
            blockUsed += count
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            if blockUsed == block.count { try seal() }
        }
    }

    /// Compresses what has been appended since the last block into one of its own, so that `size` is
    /// where the next run begins.
    func seal() throws(InputError) {
        guard blockUsed > 0 else { return }
        try compress(UnsafeRawBufferPointer(rebasing: block[..<blockUsed]))
        blockUsed = 0
    }

    /// Adds `bytes`, at most a block of them, as one compressed block.
    private func compress(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        if pendingUsed + Self.maximumBlockBytes > pending.count { try writePending() }
        let target = (pending.baseAddress! + pendingUsed + Self.blockHeaderSize).assumingMemoryBound(to: CChar.self)
        let source = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
        let compressed = Int(LZ4_compress_fast(source, target, Int32(bytes.count), Int32(Self.maximumBlockBytes - Self.blockHeaderSize),
                                               Self.acceleration))
        guard compressed > 0 else { throw InputError(.writeFailed("cannot compress a scratch file"), at: output) }
        pending.storeBytes(of: UInt32(compressed).littleEndian, toByteOffset: pendingUsed, as: UInt32.self)
        pending.storeBytes(of: UInt32(bytes.count).littleEndian, toByteOffset: pendingUsed + 4, as: UInt32.self)
        pendingUsed += Self.blockHeaderSize + compressed
        size += Int64(Self.blockHeaderSize + compressed)
    }

    /// Seals and writes out everything appended.
    func flush() throws(InputError) {
        try seal()
        try writePending()
    }

    private func writePending() throws(InputError) {
        do {
            try FileDescriptorIO.writeAll(descriptor, UnsafeRawBufferPointer(rebasing: pending[0 ..< pendingUsed]))
        } catch {
            throw InputError(.writeFailed("cannot write a scratch file: \(error)"), at: output)
        }
        pendingUsed = 0
    }
}

/// Reads the blocks of one run of a spill file back with `pread`, decompressing one at a time.
final class SpillBlockReader {
    private let descriptor: Int32
    private let end: Int64
    private let output: InputLocation
    /// The next byte of the file to read.
    private var next: Int64
    private let input: UnsafeMutableRawBufferPointer
    private var inputUsed = 0
    private var inputFilled = 0

    init(descriptor: Int32, from start: Int64, to end: Int64, readSize: Int, output: InputLocation) {
        (self.descriptor, self.next, self.end, self.output) = (descriptor, start, end, output)
        input = .allocate(byteCount: max(readSize, SpillFile.maximumBlockBytes), alignment: 16)
    }

    deinit {
        input.deallocate()
    }

    /// The bytes of the run read and decompressed so far, from the file's start.
    var consumed: Int64 { next - Int64(inputFilled - inputUsed) }

    var isAtEnd: Bool { consumed >= end }

    /// The length of the next block once decompressed; nil at the end of the run.
    func nextLength() throws(InputError) -> Int? {
        guard !isAtEnd else { return nil }
        try fill(SpillFile.blockHeaderSize)
        let length = Int(UInt32(littleEndian: input.loadUnaligned(fromByteOffset: inputUsed + 4, as: UInt32.self)))
        guard length <= SpillFile.blockSize else { throw damaged() }
        return length
    }

    /// Decompresses the next block, of `nextLength()` bytes, to `target`.
    func decompressNext(to target: UnsafeMutableRawPointer, length: Int) throws(InputError) {
        let compressed = Int(UInt32(littleEndian: input.loadUnaligned(fromByteOffset: inputUsed, as: UInt32.self)))
        guard compressed <= SpillFile.maximumBlockBytes - SpillFile.blockHeaderSize else { throw damaged() }
        try fill(SpillFile.blockHeaderSize + compressed)
        let source = (input.baseAddress! + inputUsed + SpillFile.blockHeaderSize).assumingMemoryBound(to: CChar.self)
        let made = LZ4_decompress_safe(source, target.assumingMemoryBound(to: CChar.self), Int32(compressed), Int32(length))
        guard made == length else { throw damaged() }
        inputUsed += SpillFile.blockHeaderSize + compressed
    }

    /// Makes `count` bytes from `inputUsed` available, reading what the run has left.
    private func fill(_ count: Int) throws(InputError) {
        guard inputFilled - inputUsed < count else { return }
        let remaining = inputFilled - inputUsed
        if remaining > 0 { memmove(input.baseAddress!, input.baseAddress! + inputUsed, remaining) }
        (inputUsed, inputFilled) = (0, remaining)
        while inputFilled < count, next < end {
            let wanted = min(input.count - inputFilled, Int(end - next))
            let read: Int
            do {
                read = try retryingOnInterrupt("pread") { pread(descriptor, input.baseAddress! + inputFilled, wanted, off_t(next)) }
            } catch {
                throw InputError(.unreadable("cannot read a scratch file: \(error)"), at: output)
            }
            guard read > 0 else { throw damaged() }
            inputFilled += read
            next += Int64(read)
        }
        guard inputFilled >= count else { throw damaged() }
    }

    private func damaged() -> InputError {
        InputError(.unreadable("a scratch file was cut short or damaged under the run"), at: output)
    }
}
