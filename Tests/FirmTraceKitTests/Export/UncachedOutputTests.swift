import CShims
import Foundation
import Testing
@testable import FirmTraceKit

/// Large plain outputs are written around the page cache once past a threshold (lowered here to a few
/// kilobytes): the file must hold every byte, in order, whatever the sizes of the pieces and of its tail.
@Suite("uncached outputs")
struct UncachedOutputTests {
    /// Whether the folder's filesystem takes direct writes at all (tmpfs before Linux 6.6 does not).
    static func directWritesWork(in scratch: ScratchFolder) -> Bool {
        let probe = scratch.appending("probe")
        let descriptor = open(probe, O_WRONLY | O_CREAT, 0o600)
        defer { close(descriptor); unlink(probe) }
        return descriptor >= 0 && firmtrace_set_uncached(descriptor, 1) == 0
    }

    @Test("pieces of odd sizes, some larger than the buffer, read back byte for byte once the file goes uncached mid-way",
          arguments: [0, 1, 4095, 4097])
    func oddPieces(tail: Int) throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending("out.csv")
        let file = try AtomicOutputFile(path: path, overwrite: false, uncachedAfter: 3 * 4096)
        var expected: [UInt8] = []
        for size in [1, 700, 4096, 3 << 20, 13, 1 << 20, 5000, tail] {
            // Bytes that tell one place from another, so that a piece written twice or out of place shows.
            let piece = (0 ..< size).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ (expected.count >> 12)) }
            try file.write(piece)
            expected += piece
        }
        try file.writeLittleEndian(UInt32(0xDEAD_BEEF))
        try file.writeZeros(3)
        expected += [0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0]
        try file.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
        if Self.directWritesWork(in: scratch) {
            #expect(file.uncachedBytes >= 3 << 20, "all but the first buffer and the tail went around the page cache")
        } else {
            #expect(file.uncachedBytes == 0)
        }
        #expect(scratch.tree() == ["out.csv"])
    }

    @Test("a file smaller than the threshold never leaves the page cache")
    func smallStaysCached() throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending("small.csv")
        let file = try AtomicOutputFile(path: path, overwrite: false)
        try file.write(Array(repeating: UInt8(ascii: "x"), count: 3 << 20))
        try file.commit()
        #expect(file.uncachedBytes == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 3 << 20)
    }
}
