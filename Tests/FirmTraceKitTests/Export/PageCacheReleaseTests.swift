import Foundation
import Testing
@testable import FirmTraceKit

/// A large output gives its pages back behind the writing (sent to the disk, then dropped from the page
/// cache): the file must still hold every byte, in order, whatever the sizes of the pieces.
@Suite("page cache release")
struct PageCacheReleaseTests {
    @Test("a file written in pieces of odd sizes reads back byte for byte while its pages are given back behind the writing",
          arguments: [false, true])
    func oddPieces(compressed: Bool) throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending(compressed ? "out.csv.zst" : "out.csv")
        let release = PageCacheRelease(largeFileBytes: 4096, writebackStep: 64 << 10, dropDistance: 256 << 10)
        let file = try AtomicOutputFile(path: path, overwrite: false, pageRelease: release)
        var expected: [UInt8] = []
        for size in [1, 700, 4096, 3 << 20, 13, 1 << 20, 5000, 4097] {
            // Bytes that tell one place from another, so that a piece written twice or out of place shows.
            let piece = (0 ..< size).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ (expected.count >> 12)) }
            try file.write(piece)
            expected += piece
        }
        try file.writeLittleEndian(UInt32(0xDEAD_BEEF))
        try file.writeZeros(3)
        expected += [0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0]
        try file.commit()
        if compressed {
            try CompressedOutputTests.decompress(path, to: scratch.appending("back"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.appending("back"))) == Data(expected))
        } else {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
            #expect(file.droppedBytes >= Int64(expected.count) - (1 << 20) - (256 << 10) - (64 << 10),
                    "all but the last buffer, the distance and a step were given back")
        }
    }

    @Test("a file smaller than the threshold stays in the page cache")
    func smallStaysCached() throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending("small.csv")
        let file = try AtomicOutputFile(path: path, overwrite: false)
        try file.write(Array(repeating: UInt8(ascii: "x"), count: 3 << 20))
        try file.commit()
        #expect(file.droppedBytes == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 3 << 20)
    }
}
