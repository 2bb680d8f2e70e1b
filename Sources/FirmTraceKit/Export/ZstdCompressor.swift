import CCompression
import CShims

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
