/// Turns chunks pushed by a stream (an archive member being decompressed) into regions of whole lines,
/// carrying the unfinished last line over to the next chunk: the push-side twin of
/// `FileChunkReader.forEachRegion`, so candidate scanning works on archives read in place too.
struct RegionAssembler {
    private var carry: [UInt8] = []

    /// Hands the whole lines available so far to `body`; false when `body` asked to stop.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Bool) -> Int?) -> Bool {
        carry.append(contentsOf: chunk)
        return carry.withUnsafeBytes { bytes -> Int? in
            guard let lastNewline = ByteSearch.lastIndex(of: 0x0A, in: bytes, before: bytes.count) else {
                return carry.count > LineFramer.maxLineLength ? body(bytes, false) : 0
            }
            return body(UnsafeRawBufferPointer(rebasing: bytes[0 ... lastNewline]), false)
        }.map { used in
            carry.removeFirst(used)
            return true
        } ?? false
    }

    /// Hands over what is left, the last line without its newline.
    mutating func finish(_ body: (UnsafeRawBufferPointer, Bool) -> Int?) {
        guard !carry.isEmpty else { return }
        _ = carry.withUnsafeBytes { body($0, true) }
        carry.removeAll()
    }
}
