import CCompression
import CShims

/// How an output is compressed while it is written, chosen by its name: `timeline.csv.zst`,
/// `filtered.pcapng.gz`. The levels are the command-line tools' defaults (`gzip` 6, `zstd` 3), so a file
/// comes out the size an analyst expects from compressing it by hand.
public enum OutputCompression: String, Sendable, CaseIterable {
    case gzip = ".gz"
    case zstd = ".zst"

    public init?(path: String) {
        guard let compression = Self.allCases.first(where: { path.hasSuffix($0.rawValue) }) else { return nil }
        self = compression
    }

    /// The name without its compression suffix, which says what the content is (`timeline.jsonl.gz` → `timeline.jsonl`).
    public static func contentPath(_ path: String) -> String {
        guard let compression = OutputCompression(path: path) else { return path }
        return String(path.dropLast(compression.rawValue.count))
    }

    func makeCompressor(for output: InputLocation) throws(InputError) -> any StreamCompressor {
        switch self {
        case .gzip: try GzipCompressor(output: output)
        case .zstd: try ZstdCompressor(output: output)
        }
    }
}

/// A compression stream: bytes go in, compressed bytes come out through `write` as they are ready.
protocol StreamCompressor: AnyObject {
    /// Compresses `input`; with `finishing`, also ends the stream (its trailer, its checksum).
    func compress(_ input: UnsafeRawBufferPointer, finishing: Bool,
                  to write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError)
}

/// gzip through zlib's deflate.
final class GzipCompressor: StreamCompressor {
    /// On the heap: zlib keeps a pointer back to the stream and refuses a stream that has moved.
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
    private let output: InputLocation

    init(output: InputLocation) throws(InputError) {
        self.output = output
        stream.initialize(to: z_stream())
        // 15 window bits plus 16: a gzip header and trailer around the deflate data, as `gzip` writes.
        let status = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                   Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            chunk.deallocate()
            throw InputError(.writeFailed("cannot start gzip compression (zlib status \(status))"), at: output)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        chunk.deallocate()
    }

    func compress(_ input: UnsafeRawBufferPointer, finishing: Bool,
                  to write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError) {
        // zlib counts input in 32 bits: a larger piece goes in parts.
        var rest = input
        repeat {
            let part = UnsafeRawBufferPointer(rebasing: rest.prefix(1 << 30))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(part.count))
            try deflate(part, finishing: finishing && rest.isEmpty, to: write)
        } while !rest.isEmpty
    }

    private func deflate(_ input: UnsafeRawBufferPointer, finishing: Bool,
                         to write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = chunk.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(chunk.count)
            let status = CCompression.deflate(stream, finishing ? Z_FINISH : Z_NO_FLUSH)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw InputError(.writeFailed("gzip compression failed (zlib status \(status))"), at: output)
            }
            let produced = chunk.count - Int(stream.pointee.avail_out)
            if produced > 0 { try write(UnsafeRawBufferPointer(rebasing: chunk[0 ..< produced])) }
            // Done when zlib took all the input and had room left over, or, finishing, wrote the trailer.
            if finishing ? status == Z_STREAM_END : stream.pointee.avail_out > 0 { return }
        }
    }
}

/// zstd, with as many worker threads as there are cores: the timeline's writer thread would otherwise
/// compress alone while the merge waits on it.
final class ZstdCompressor: StreamCompressor {
    private let context: OpaquePointer
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
    private let output: InputLocation

    init(output: InputLocation) throws(InputError) {
        self.output = output
        guard let context = ZSTD_createCCtx() else {
            chunk.deallocate()
            throw InputError(.writeFailed("cannot start zstd compression"), at: output)
        }
        self.context = context
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, ZSTD_CLEVEL_DEFAULT)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        // A library built without threads refuses workers and compresses on the calling thread instead.
        ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, firmtrace_active_cores())
    }

    deinit {
        ZSTD_freeCCtx(context)
        chunk.deallocate()
    }

    func compress(_ input: UnsafeRawBufferPointer, finishing: Bool,
                  to write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError) {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var target = ZSTD_outBuffer(dst: chunk.baseAddress, size: chunk.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &target, &source, finishing ? ZSTD_e_end : ZSTD_e_continue)
            if ZSTD_isError(remaining) != 0 {
                throw InputError(.writeFailed("zstd compression failed: \(String(cString: ZSTD_getErrorName(remaining)))"), at: output)
            }
            if target.pos > 0 { try write(UnsafeRawBufferPointer(rebasing: chunk[0 ..< target.pos])) }
            // Finishing, zstd says how much of the frame is still to be flushed; otherwise it is done once
            // it has taken all the input.
            if finishing ? remaining == 0 : source.pos == source.size { return }
        }
    }
}
