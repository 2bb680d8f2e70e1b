import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import FirmTraceKit

@Suite("byte-level helpers of the hot paths")
struct ByteLevelTests {
    /// What each class means, a byte at a time: the oracle for the vector scans.
    static let classes: [(name: String, scan: @Sendable (UnsafeRawBufferPointer) -> Bool, member: @Sendable (UInt8) -> Bool)] = [
        ("non-ASCII", ByteClasses.containsNonASCII, { $0 >= 0x80 }),
        ("JSON special", escaped, { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }),
        ("CSV special", refused(ByteClasses.copyUnlessCSVSpecial), { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }),
    ]

    /// A copy that checks as it goes, as a scan: whether it refused the bytes; when it took them, the copy
    /// must be exact.
    static func refused(_ copy: @escaping @Sendable (UnsafeRawBufferPointer, UnsafeMutableRawPointer) -> Bool)
        -> @Sendable (UnsafeRawBufferPointer) -> Bool {
        { bytes in
            let target = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + ByteClasses.copySlack, alignment: 1)
            defer { target.deallocate() }
            guard copy(bytes, target) else { return true }
            #expect(Array(UnsafeRawBufferPointer(start: target, count: bytes.count)) == Array(bytes), "copied as they were")
            return false
        }
    }

    /// Escaping for JSON, as a scan: whether it changed the bytes (an escape always adds one); when it did
    /// not, they must be copied exactly.
    @Sendable static func escaped(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let target = UnsafeMutableRawPointer.allocate(byteCount: ByteClasses.escapedJSONRoom(bytes.count), alignment: 1)
        defer { target.deallocate() }
        let written = ByteClasses.escapeJSON(bytes, doublingQuotes: false, to: target)
        #expect(written >= bytes.count)
        guard written == bytes.count else { return true }
        #expect(Array(UnsafeRawBufferPointer(start: target, count: written)) == Array(bytes), "copied as they were")
        return false
    }

    /// JSON's escape of each byte, a byte at a time: the oracle for `ByteClasses.escapeJSON`.
    static func escapedByByte(_ bytes: [UInt8], doublingQuotes: Bool) -> [UInt8] {
        bytes.flatMap { byte -> [UInt8] in
            switch byte {
            case 0x22: Array((doublingQuotes ? "\\\"\"" : "\\\"").utf8)
            case 0x5C: Array("\\\\".utf8)
            case 0x0A: Array("\\n".utf8)
            case 0x0D: Array("\\r".utf8)
            case 0x09: Array("\\t".utf8)
            case ..<0x20: Array(String(format: "\\u%04x", byte).utf8)
            default: [byte]
            }
        }
    }

    @Test("escaping for JSON copies up to the first byte to escape exactly, escapes it, and goes on to the next, wherever they lie",
          arguments: [1, 7, 15, 16, 17, 31, 32, 33, 47, 64, 100])
    func escapesWhereSpecialsLie(length: Int) {
        let target = UnsafeMutableRawPointer.allocate(byteCount: ByteClasses.escapedJSONRoom(length), alignment: 1)
        defer { target.deallocate() }
        for first in 0 ..< length {
            for second in [nil] + Array(first + 1 ..< length) {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                bytes[first] = UInt8(ascii: "\"")
                if let second { bytes[second] = 0x01 }
                for doublingQuotes in [false, true] {
                    let written = bytes.withUnsafeBytes { ByteClasses.escapeJSON($0, doublingQuotes: doublingQuotes, to: target) }
                    #expect(Array(UnsafeRawBufferPointer(start: target, count: written)) == Self.escapedByByte(bytes, doublingQuotes: doublingQuotes),
                            "a quote at \(first) of \(length), a control at \(String(describing: second))")
                }
            }
        }
    }

    @Test("a string longer than one piece escaped at once reads back as itself, escapes falling on the pieces' edges")
    func longStringReadsBack() throws {
        let piece = EventBytes.jsonPieceBytes
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 3 * piece + 5)
        for edge in [piece - 1, piece, 2 * piece - 1, 2 * piece, 3 * piece] { bytes[edge] = UInt8(ascii: "\"") }
        bytes[piece + 1] = 0x0A
        let text = String(decoding: bytes, as: UTF8.self)
        var out = ByteBuffer()
        EventBytes.appendJSONString(text, to: &out)
        #expect(try JSONSerialization.jsonObject(with: Data(out.array), options: .fragmentsAllowed) as? String == text)
        #expect(out.array == Array("\"".utf8) + Self.escapedByByte(bytes, doublingQuotes: false) + Array("\"".utf8))
    }

    @Test("random texts written as JSON strings and CSV fields read back as themselves", arguments: 1 ... 4)
    func stringsReadBack(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let alphabet = Array("ab,\"\\\n\r\t\u{01}\u{1F} é😀x/") + Array(repeating: Character("a"), count: 12)
        for _ in 0 ..< 400 {
            let text = String((0 ..< Int.random(in: 0 ... 90, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            for doublingQuotes in [false, true] {
                var bytes = ByteBuffer()
                EventBytes.appendJSONString(text, to: &bytes, doublingQuotes: doublingQuotes)
                var json = bytes.string
                if doublingQuotes { json = json.replacingOccurrences(of: "\"\"", with: "\"") }
                let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed) as? String
                #expect(decoded == text, "\(json)")
            }
            var field = ByteBuffer()
            EventBytes.appendCSVField(text, to: &field)
            let written = field.string
            let needsQuotes = text.utf8.contains { [0x2C, 0x22, 0x0A, 0x0D].contains($0) }
            #expect(written.hasPrefix("\"") == needsQuotes, "\(written)")
            let read = needsQuotes ? String(written.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") : written
            #expect(read == text, "\(written)")
        }
    }

    @Test("a byte class is found at every place of texts shorter than, as long as and longer than a vector",
          arguments: [0, 1, 7, 15, 16, 17, 31, 32, 33, 47, 64, 100])
    func classFoundAnywhere(length: Int) {
        for byteClass in Self.classes {
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(!plain.withUnsafeBytes(byteClass.scan), "\(byteClass.name) in \(length) plain bytes")
            for position in 0 ..< length {
                for byte in UInt8.min ... UInt8.max {
                    var bytes = plain
                    bytes[position] = byte
                    let found = bytes.withUnsafeBytes(byteClass.scan)
                    #expect(found == byteClass.member(byte), "\(byteClass.name): byte \(byte) at \(position) of \(length)")
                }
            }
        }
    }

    @Test("a slice is scanned alone, never the bytes around it")
    func sliceScannedAlone() {
        let bytes: [UInt8] = Array("\"\\,\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 40) + Array("\u{e9}\"\n".utf8)
        bytes.withUnsafeBytes { all in
            let inner = UnsafeRawBufferPointer(rebasing: all[4 ..< 44])
            for byteClass in Self.classes {
                for end in 0 ... inner.count {
                    #expect(!byteClass.scan(UnsafeRawBufferPointer(rebasing: inner[0 ..< end])), "\(byteClass.name) up to \(end)")
                }
            }
        }
    }

    @Test("a short text at the very end of readable memory is scanned without reading past it")
    func shortTextBeforeUnreadablePage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(mapping, 2 * page) }
        #expect(mprotect(mapping + page, page, PROT_NONE) == 0)
        for byteClass in Self.classes {
            for length in 1 ..< 16 {
                let start = mapping + page - length
                for byte in [UInt8(ascii: "a"), 0x22, 0x2C, 0x0A, 0xE9] {
                    memset(start, Int32(UInt8(ascii: "a")), length)
                    start.storeBytes(of: byte, toByteOffset: length - 1, as: UInt8.self)
                    let found = byteClass.scan(UnsafeRawBufferPointer(start: start, count: length))
                    #expect(found == byteClass.member(byte), "\(byteClass.name): byte \(byte) ending \(length) bytes")
                }
            }
        }
    }

    /// Each power of ten that fits, and its neighbours: where a number gains a digit.
    static let digitBoundaries: [Int64] = (1 ... 18).flatMap { digits -> [Int64] in
        let power = (0 ..< digits).reduce(Int64(1)) { product, _ in product * 10 }
        return [power - 1, power, power + 1, -power]
    }

    @Test("integers are written as String writes them", arguments: [
        0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 65_535, 1_657_384_304_000_000, -1, -9, -10, -99, -100, -1_234_567,
        Int64.max, Int64.min, Int64.max - 1, Int64.min + 1,
    ] + digitBoundaries)
    func integersWritten(_ value: Int64) {
        var bytes = ByteBuffer()
        EventBytes.appendInteger(value, to: &bytes)
        #expect(bytes.string == String(value))
    }

    @Test("times are written with as many fraction digits as they need, in threes", arguments: [
        (0, "1970-01-01T00:00:00Z"), (1, "1970-01-01T00:00:00.000000001Z"), (500_000_000, "1970-01-01T00:00:00.500Z"),
        (1_657_384_304_123_450_000, "2022-07-09T16:31:44.123450Z"), (1_657_384_304_000_001_000, "2022-07-09T16:31:44.000001Z"),
        (1_657_384_304_999_999_999, "2022-07-09T16:31:44.999999999Z"), (-1, "1969-12-31T23:59:59.999999999Z"),
    ] as [(Int64, String)])
    func timesWritten(_ nanoseconds: Int64, _ text: String) {
        var bytes = ByteBuffer()
        EventBytes.appendISO8601(nanoseconds: nanoseconds, to: &bytes)
        #expect(bytes.string == text)
    }

    @Test("JSON numbers: digits alone are taken without strtod, others still checked by it", arguments: [
        ("1660016744", true), ("-42", true), ("0", true), ("007", true), ("3.25", true), ("-1e5", true), ("2E+3", true),
        ("1.2.3", false), ("--1", false), ("1-", false), ("-", false), ("1e", false), ("+1", false),
    ])
    func jsonNumbers(_ text: String, _ valid: Bool) throws {
        let parsed = try? JSONParser.parse("[" + text + "]")
        #expect((parsed != nil) == valid, "\(text)")
        if valid { #expect(parsed == .array([.number(text)])) }
    }

    /// Values that count themselves alive, to see the queue destroy each exactly once.
    final class Census {
        var alive = 0
    }

    final class Tracked {
        let number: Int
        let census: Census
        init(_ number: Int, _ census: Census) {
            (self.number, self.census) = (number, census)
            census.alive += 1
        }
        deinit { census.alive -= 1 }
    }

    @Test("a hand-off queue hands every value on once, in order, growing as it fills")
    func handOffInOrder() {
        let census = Census()
        do {
            let queue = HandOffQueue<Tracked>(capacity: 2)
            for number in 0 ..< 100 { queue.append(Tracked(number, census)) }
            #expect(queue.count == 100)
            var seen: [Int] = []
            queue.drain { value in
                seen.append(value.number)
                return true
            }
            #expect(seen == Array(0 ..< 100))
            #expect(queue.isEmpty)
            #expect(census.alive == 0)
            queue.append(Tracked(100, census))
            queue.drain { value in value.number == 100 }
        }
        #expect(census.alive == 0)
    }

    @Test("values a stopped hand-off did not reach, and values never handed on, are destroyed once")
    func handOffStopped() {
        let census = Census()
        do {
            let queue = HandOffQueue<Tracked>()
            for number in 0 ..< 10 { queue.append(Tracked(number, census)) }
            var seen = 0
            queue.drain { _ in
                seen += 1
                return seen < 3
            }
            #expect(seen == 3)
            #expect(queue.isEmpty)
            #expect(census.alive == 0)
            for number in 0 ..< 5 { queue.append(Tracked(number, census)) }
            #expect(census.alive == 5)
        }
        #expect(census.alive == 0)
    }

    @Test("a needle is found where a byte-by-byte search finds it, in texts shorter and longer than a short haystack",
          arguments: [8, 40, ByteSearch.shortHaystack, ByteSearch.shortHaystack + 1, 1_000])
    func needleFoundAsNaively(length: Int) {
        // Few distinct bytes, so that needles' first bytes repeat and partial matches abound.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt8 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(ascii: "a") + UInt8(state % 3)
        }
        for _ in 0 ..< 200 {
            let haystack = (0 ..< length).map { _ in next() }
            let needle = (0 ..< 1 + Int(state % 4)).map { _ in next() }
            let start = Int(state % UInt64(length))
            let expected = (start ... max(start, length - needle.count)).first { position in
                position + needle.count <= length && Array(haystack[position ..< position + needle.count]) == needle
            }
            let found = haystack.withUnsafeBytes { bytes in
                needle.withUnsafeBytes { ByteSearch.firstIndex(of: $0, in: bytes, from: start) }
            }
            #expect(found == expected, "\(needle) in \(haystack) from \(start)")
        }
    }
}
