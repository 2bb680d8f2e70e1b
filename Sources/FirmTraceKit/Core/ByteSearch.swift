import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Searches over raw bytes, through libc's vectorised `memchr`/`memmem` (`CShims` exposes the GNU ones): these loops run over every
/// byte of multi-gigabyte inputs, where a Swift loop over `UInt8` is several times slower.
enum ByteSearch {
    /// Index of the first `byte` in `bytes[from...]`, or nil.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Index of the last `byte` in `bytes[..<end]`, or nil.
    static func lastIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, before end: Int) -> Int? {
        guard end > 0, let base = bytes.baseAddress else { return nil }
        guard let found = firmtrace_memrchr(base, Int32(byte), end) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Index of the first occurrence of `needle` in `bytes[from...]`, or nil.
    static func firstIndex(of needle: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress, let needleBase = needle.baseAddress else { return nil }
        if bytes.count - start <= shortHaystack, let first = needle.first {
            // A log message is a few dozen bytes: `memmem` spent more setting its search up (some two hundred
            // instructions) than searching, where `memchr` for the first byte and a `memcmp` of the rest do not.
            var position = start
            while let found = firstIndex(of: first, in: bytes, from: position) {
                guard bytes.count - found >= needle.count else { return nil }
                if memcmp(base + found, needleBase, needle.count) == 0 { return found }
                position = found + 1
            }
            return nil
        }
        guard let found = firmtrace_memmem(base + start, bytes.count - start, needleBase, needle.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Haystacks searched without `memmem`: long enough for nearly every log message, short enough that a
    /// needle whose first byte repeats in it costs little.
    static let shortHaystack = 256

    /// Index of the first `first` directly followed by `second`: glibc's `memmem` walks two-byte needles
    /// a byte at a time, `memchr` for the first byte is vectorised, and on every line that mattered.
    static func firstIndex(ofPair first: UInt8, _ second: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        var position = start
        while let found = firstIndex(of: first, in: bytes, from: position) {
            if found + 1 < bytes.count, bytes[found + 1] == second { return found }
            position = found + 1
        }
        return nil
    }

    static func containsPair(_ first: UInt8, _ second: UInt8, in bytes: UnsafeRawBufferPointer) -> Bool {
        firstIndex(ofPair: first, second, in: bytes) != nil
    }

    /// Index of the first occurrence of an ASCII marker in `bytes[from...]`, or nil.
    static func firstIndex(of needle: StaticString, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        firstIndex(of: UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), in: bytes, from: start)
    }

    static func contains(_ needle: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        firstIndex(of: needle, in: bytes) != nil
    }

    /// Where `needle` first occurs in `text`, searched over its UTF-8 with `memmem`: Foundation's
    /// `range(of:)` converts to UTF-16 first and was a third of decoding a Tuya log.
    static func range(of needle: StaticString, in text: String) -> Range<String.Index>? {
        let offset = text.withUTF8Bytes { firstIndex(of: needle, in: $0) }
        guard let offset else { return nil }
        let start = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
        return start ..< text.utf8.index(start, offsetBy: needle.utf8CodeUnitCount)
    }

    /// `String.hasPrefix` compares canonically equivalent Characters; the markers here are ASCII, where
    /// bytes say the same far more cheaply.
    /// Compared with `memcmp` over the text's own bytes: the generic `starts(with:)` on a UTF-8 view took
    /// some 400 instructions a call, and a TLS line tries five prefixes.
    static func hasPrefix(_ prefix: StaticString, _ text: String) -> Bool {
        text.withUTF8Bytes { hasPrefix(prefix, $0) }
    }

    static func hasSuffix(_ suffix: StaticString, _ text: String) -> Bool {
        text.withUTF8Bytes { hasPrefix(suffix, $0, at: $0.count - suffix.utf8CodeUnitCount) }
    }

    static func contains(_ needle: StaticString, in text: String) -> Bool {
        text.withUTF8Bytes { contains(needle, in: $0) }
    }

    static func hasPrefix(_ prefix: StaticString, _ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard offset >= 0, bytes.count - offset >= count else { return false }
        return memcmp(bytes.baseAddress! + offset, prefix.utf8Start, count) == 0
    }

    /// Where `bytes` end without their trailing spaces, tabs and CRs (`Decode Rev:` lines end in tabs).
    static func endTrimmingWhitespace<Bytes: BidirectionalCollection>(_ bytes: Bytes) -> Bytes.Index where Bytes.Element == UInt8 {
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let before = bytes.index(before: end)
            guard bytes[before] == UInt8(ascii: " ") || bytes[before] == UInt8(ascii: "\t") || bytes[before] == UInt8(ascii: "\r")
            else { break }
            end = before
        }
        return end
    }

    /// Number of `\n` bytes, eight at a time: counts lines between prefilter hits without decoding them.
    static func countNewlines(in bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var index = 0
        let highs: UInt64 = 0x8080_8080_8080_8080
        let pattern: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ pattern
            // A byte of `word` is zero where the input held '\n'; this marks exactly those bytes' high bits.
            let zeros = ~(((word & ~highs) &+ ~highs) | word) & highs
            count += zeros.nonzeroBitCount
            index += 8
        }
        while index < bytes.count {
            if bytes[index] == 0x0A { count += 1 }
            index += 1
        }
        return count
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for typed throws: the standard one rethrows as `any Error`.
    func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        var outcome: Swift.Result<Result, Failure>?
        withUnsafeBytes { bytes in
            do throws(Failure) {
                outcome = .success(try body(bytes))
            } catch {
                outcome = .failure(error)
            }
        }
        switch outcome! {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }
}
