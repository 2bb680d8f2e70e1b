import CCompression
import CShims
import Dispatch

/// gzip on every core: the stream is cut into 1 MiB blocks, each compressed on its own thread as a complete
/// gzip member, and the members are written in order. Members may follow each other in one file (RFC 1952,
/// 2.2); gzip, zcat, Python and tshark read them as one stream. One deflate stream on the writing thread
/// made a 2 GB timeline take three times as long as the plain one. Deflate looks back only 32 KiB, so
/// starting afresh every 1 MiB costs well under a percent of the size.
final class GzipCompressor: StreamCompressor {
    private let output: InputLocation
    private var block: [UInt8] = []
    /// Members being compressed, in stream order.
    private var inFlight: [GzipMember] = []
    /// An empty stream is still one member: a gzip file with nothing in it.
    private var startedMember = false
    private let maximumInFlight = 2 * Int(firmtrace_active_cores())
    private static let blockSize = 1 << 20

    init(output: InputLocation) {
        self.output = output
        block.reserveCapacity(Self.blockSize)
    }

    func compress(_ input: UnsafeRawBufferPointer, finishing: Bool,
                  to write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError) {
        var rest = input
        while !rest.isEmpty {
            let taken = min(Self.blockSize - block.count, rest.count)
            block.append(contentsOf: rest.prefix(taken))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(taken))
            if block.count == Self.blockSize { try startMember(writingTo: write) }
        }
        guard finishing else { return }
        if !block.isEmpty || !startedMember { try startMember(writingTo: write) }
        while !inFlight.isEmpty { try writeOldest(to: write) }
    }

    /// Hands the block to a thread; writes the members already done, waiting for the oldest while too
    /// many are in flight, so memory stays bounded when the disk or the compression is the slower.
    private func startMember(writingTo write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError) {
        inFlight.append(GzipMember(compressing: block))
        startedMember = true
        block = []
        block.reserveCapacity(Self.blockSize)
        while let oldest = inFlight.first, inFlight.count > maximumInFlight || oldest.isDone { try writeOldest(to: write) }
    }

    private func writeOldest(to write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError) {
        let member = inFlight.removeFirst()
        guard let compressed = member.result() else {
            throw InputError(.writeFailed("gzip compression failed (zlib could not compress a block)"), at: output)
        }
        try compressed.withBytes { (bytes) throws(InputError) in try write(bytes) }
    }
}

/// One block compressed on a thread of its own into a whole gzip member.
private final class GzipMember: @unchecked Sendable {
    // @unchecked: `compressed` is written once on the compressing thread before `finished` is signalled,
    // and read only after waiting for it.
    private let finished = DispatchSemaphore(value: 0)
    private var compressed: [UInt8]?
    private var waited = false

    init(compressing block: [UInt8]) {
        DispatchQueue.global().async { [self] in
            compressed = Self.member(of: block)
            finished.signal()
        }
    }

    /// True once the member is ready (without waiting for it).
    var isDone: Bool {
        if !waited, finished.wait(timeout: .now()) == .success { waited = true }
        return waited
    }

    /// The member's bytes, waiting for them; nil when zlib failed.
    func result() -> [UInt8]? {
        if !waited {
            finished.wait()
            waited = true
        }
        return compressed
    }

    private static func member(of block: [UInt8]) -> [UInt8]? {
        // On the heap: zlib keeps a pointer back to its stream and refuses one that has moved.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        // 15 window bits plus 16: a gzip header and trailer around the deflate data, as `gzip` writes.
        guard deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(stream) }
        // Room for the worst case, so one call compresses the whole block and writes the trailer.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(block.count))))
        let status = block.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { target in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(input.count)
                stream.pointee.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(target.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeLast(Int(stream.pointee.avail_out))
        return output
    }
}
