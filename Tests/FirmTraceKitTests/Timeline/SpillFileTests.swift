import Foundation
import Testing
@testable import FirmTraceKit

/// The timeline's scratch files hold runs of records compressed in blocks: what is appended to a run
/// comes back exactly, across block boundaries and for pieces larger than a block, and a scratch file
/// cut short under the run is one clear error.
@Suite("spill files")
struct SpillFileTests {
    /// Text that compresses (repeated words with numbers between), as formatted records do.
    static func records(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var text = ""
        for index in 0 ..< count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            text += "2022-07-10T02:31:\(index % 60)Z,\(state >> 40),net.dns_query,\"{\"\"name\"\":\"\"a\(state % 97).tuyaeu.com\"\"}\"\n"
        }
        return Array(text.utf8)
    }

    static func readRun(_ file: SpillFile, from start: Int64, to end: Int64, readSize: Int) throws -> [UInt8] {
        let reader = SpillBlockReader(descriptor: file.descriptor, from: start, to: end, readSize: readSize,
                                      output: InputLocation(path: "t.csv"))
        var bytes: [UInt8] = []
        while let length = try reader.nextLength() {
            var block = [UInt8](repeating: 0, count: length)
            var failure: InputError?
            block.withUnsafeMutableBytes { target in
                do throws(InputError) { try reader.decompressNext(to: target.baseAddress!, length: length) } catch { failure = error }
            }
            if let failure { throw failure }
            bytes += block
        }
        #expect(reader.isAtEnd)
        return bytes
    }

    @Test("runs sealed one after another read back as appended, whatever the read size", arguments: [1, 4096, 1 << 20])
    func runsReadBack(readSize: Int) throws {
        let scratch = try ScratchFolder()
        let file = try SpillFile(beside: scratch.appending("t.csv"))
        let runs = [Self.records(10, seed: 1), Self.records(5000, seed: 2), [UInt8](repeating: 7, count: SpillFile.blockSize * 3 + 5),
                    Self.records(1, seed: 3), Self.records(3000, seed: 4)]
        var bounds: [(Int64, Int64)] = []
        for (index, run) in runs.enumerated() {
            let start = file.size
            // In pieces of every size, as records come: one byte, a few hundred, several blocks at once; the
            // last run whole, as a sorted batch comes.
            var rest = run[...]
            let sizes = index == runs.count - 1 ? [run.count] : [1, 300, SpillFile.blockSize + 1]
            var turn = 0
            while !rest.isEmpty {
                let piece = rest.prefix(sizes[turn % sizes.count])
                try Array(piece).withBytes { (bytes) throws(InputError) in try file.append(bytes) }
                rest = rest.dropFirst(piece.count)
                turn += 1
            }
            try file.seal()
            bounds.append((start, file.size))
        }
        try file.flush()
        for (run, (start, end)) in zip(runs, bounds) {
            #expect(try Self.readRun(file, from: start, to: end, readSize: readSize) == run)
        }
        let total = runs.reduce(0) { $0 + $1.count }
        #expect(file.size * 4 < Int64(total), "records are stored compressed")
        #expect(scratch.tree().isEmpty, "the scratch file has no name")
    }

    @Test("a scratch file cut short under the run is an error naming the output, never a crash", arguments: [1, 2, 4])
    func cutShort(keepingEighths: Int) throws {
        let scratch = try ScratchFolder()
        let file = try SpillFile(beside: scratch.appending("t.csv"))
        let run = Self.records(4000, seed: 9)
        try run.withBytes { (bytes) throws(InputError) in try file.append(bytes) }
        try file.flush()
        #expect(ftruncate(file.descriptor, off_t(file.size * Int64(keepingEighths) / 8)) == 0)
        #expect {
            _ = try Self.readRun(file, from: 0, to: file.size, readSize: 4096)
        } throws: { error in
            (error as? InputError).map { "\($0)".contains("scratch file") && $0.location.source.hasSuffix("t.csv") } ?? false
        }
    }

    @Test("a block that says it holds more than a block is refused before anything is made that large")
    func oversizedBlock() throws {
        let scratch = try ScratchFolder()
        let file = try SpillFile(beside: scratch.appending("t.csv"))
        try Self.records(100, seed: 4).withBytes { (bytes) throws(InputError) in try file.append(bytes) }
        try file.flush()
        let claimed = UInt32(0xFFFF_FFF0).littleEndian
        #expect(withUnsafeBytes(of: claimed) { pwrite(file.descriptor, $0.baseAddress, 4, 4) } == 4)
        #expect(throws: InputError.self) { _ = try Self.readRun(file, from: 0, to: file.size, readSize: 4096) }
    }
}
