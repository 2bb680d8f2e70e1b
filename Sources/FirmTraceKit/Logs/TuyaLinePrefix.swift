/// The `[MM-DD hh:mm:ss TUYA Level][file.c:line] ` prefix of a Tuya SDK log line, parsed from bytes.
/// Variants from the field: milliseconds after the seconds (`18:12:15:692`, not zero-padded), `--` after
/// the time, and a prefix that starts mid-line after another program's output (`bk_rst:0 tuya_rst:0[01-01 …`).
struct TuyaLinePrefix: Equatable {
    var month = 0, day = 0, hour = 0, minute = 0, second = 0
    var millisecond: Int?
    var level: TuyaLevel = .debug
    /// Byte ranges within the parsed line.
    var prefixStart = 0
    var deviceTime: Range<Int> = 0 ..< 0
    var sourceFile: Range<Int> = 0 ..< 0
    var message: Range<Int> = 0 ..< 0

    var stamp: DeviceStamp {
        DeviceStamp(month: Int64(month), day: Int64(day), hour: Int64(hour), minute: Int64(minute), second: Int64(second),
                    nanoseconds: Int64(millisecond ?? 0) * 1_000_000)
    }

    /// Finds and parses a prefix anywhere in `line`; nil when the line has none (a continuation).
    static func find(in line: UnsafeRawBufferPointer) -> TuyaLinePrefix? {
        find(in: line, knownTails: nil)?.prefix
    }

    /// As `find`, what follows the device time taken from `tails` when the same bytes were read before:
    /// the prefix, and that tail if so.
    static func find(in line: UnsafeRawBufferPointer, knownTails tails: RepeatedLineTails?)
        -> (prefix: TuyaLinePrefix, known: RepeatedLineTails.Tail?)? {
        var searchFrom = 0
        while let open = ByteSearch.firstIndex(of: UInt8(ascii: "["), in: line, from: searchFrom) {
            if var prefix = stamp(line, at: open) {
                let tailStart = prefix.deviceTime.upperBound
                if let known = tails?.tail(of: UnsafeRawBufferPointer(rebasing: line[tailStart...])) {
                    prefix.level = known.level
                    prefix.sourceFile = tailStart + known.sourceFile.lowerBound ..< tailStart + known.sourceFile.upperBound
                    prefix.message = tailStart + known.message.lowerBound ..< tailStart + known.message.upperBound
                    return (prefix, known)
                }
                if prefix.readTail(line) { return (prefix, nil) }
            }
            searchFrom = open + 1
        }
        return nil
    }

    /// Parses a prefix starting exactly at `start` (a `[`).
    static func parse(_ line: UnsafeRawBufferPointer, at start: Int) -> TuyaLinePrefix? {
        guard var prefix = stamp(line, at: start), prefix.readTail(line) else { return nil }
        return prefix
    }

    /// The prefix's device time at `start` (a `[`): `[MM-DD hh:mm:ss`, and milliseconds if there are.
    private static func stamp(_ line: UnsafeRawBufferPointer, at start: Int) -> TuyaLinePrefix? {
        // `[MM-DD hh:mm:ss` has a fixed shape: one bound checked for its fifteen bytes, then read unchecked.
        // Read field by field, with a bound and an optional for each, it cost nearly 800 instructions a line.
        let stampLength = 15
        guard start >= 0, line.count - start >= stampLength, let base = line.baseAddress?.advanced(by: start) else { return nil }
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        /// The two digits at `offset` as a number; -1 when either is not a digit.
        @inline(__always) func twoDigits(_ offset: Int) -> Int {
            let (tens, units) = (byte(offset) &- UInt8(ascii: "0"), byte(offset + 1) &- UInt8(ascii: "0"))
            return tens < 10 && units < 10 ? Int(tens) * 10 + Int(units) : -1
        }
        guard byte(3) == UInt8(ascii: "-"), byte(6) == UInt8(ascii: " "), byte(9) == UInt8(ascii: ":"), byte(12) == UInt8(ascii: ":")
        else { return nil }
        let (month, day, hour, minute, second) = (twoDigits(1), twoDigits(4), twoDigits(7), twoDigits(10), twoDigits(13))
        guard (1 ... 12).contains(month), (1 ... 31).contains(day), (0 ..< 24).contains(hour), (0 ..< 60).contains(minute),
              (0 ..< 61).contains(second)
        else { return nil }
        var cursor = start + stampLength
        var prefix = TuyaLinePrefix()
        prefix.prefixStart = start
        (prefix.month, prefix.day, prefix.hour, prefix.minute, prefix.second) = (month, day, hour, minute, second)
        if cursor < line.count, line[cursor] == UInt8(ascii: ":") {
            cursor += 1
            var millisecond = 0, digits = 0
            while digits < 3, cursor < line.count, line[cursor] &- UInt8(ascii: "0") < 10 {
                millisecond = millisecond * 10 + Int(line[cursor] - UInt8(ascii: "0"))
                cursor += 1
                digits += 1
            }
            guard digits > 0 else { return nil }
            prefix.millisecond = millisecond
        }
        prefix.deviceTime = start + 1 ..< cursor
        return prefix
    }

    /// Reads what follows the device time: ` TUYA Level][file.c:line] `, and where the message starts.
    private mutating func readTail(_ line: UnsafeRawBufferPointer) -> Bool {
        var cursor = deviceTime.upperBound
        while cursor < line.count, line[cursor] == UInt8(ascii: " ") || line[cursor] == UInt8(ascii: "-") { cursor += 1 }
        guard ByteSearch.hasPrefix("TUYA ", line, at: cursor) else { return false }
        cursor += 5
        let levelStart = cursor
        guard let levelEnd = ByteSearch.firstIndex(of: UInt8(ascii: "]"), in: line, from: cursor), levelEnd - levelStart <= 8,
              let level = TuyaLevel(UnsafeRawBufferPointer(rebasing: line[levelStart ..< levelEnd]))
        else { return false }
        cursor = levelEnd + 1
        guard cursor < line.count, line[cursor] == UInt8(ascii: "["),
              let fileEnd = ByteSearch.firstIndex(of: UInt8(ascii: "]"), in: line, from: cursor + 1), fileEnd - (cursor + 1) <= 256
        else { return false }
        self.level = level
        sourceFile = cursor + 1 ..< fileEnd
        cursor = fileEnd + 1
        if cursor < line.count, line[cursor] == UInt8(ascii: " ") { cursor += 1 }
        message = cursor ..< line.count
        return true
    }
}

enum TuyaLevel: String, Sendable {
    case error = "Err", warning = "Warn", notice = "Notice", info = "Info", debug = "Debug", trace = "Trace"

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let first = bytes.first else { return nil }
        // Compared as static bytes: a generic comparison with `rawValue`'s UTF-8 ran on every line.
        let candidate: TuyaLevel, name: StaticString
        switch first {
        case UInt8(ascii: "E"): (candidate, name) = (.error, "Err")
        case UInt8(ascii: "W"): (candidate, name) = (.warning, "Warn")
        case UInt8(ascii: "N"): (candidate, name) = (.notice, "Notice")
        case UInt8(ascii: "I"): (candidate, name) = (.info, "Info")
        case UInt8(ascii: "D"): (candidate, name) = (.debug, "Debug")
        case UInt8(ascii: "T"): (candidate, name) = (.trace, "Trace")
        default: return nil
        }
        guard bytes.count == name.utf8CodeUnitCount, ByteSearch.hasPrefix(name, bytes) else { return nil }
        self = candidate
    }
}

/// Removes ANSI colour sequences (`ESC [ … letter`) some builds wrap log lines in.
enum ANSIEscapes {
    static func strip(_ line: UnsafeRawBufferPointer) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(line.count)
        var index = 0
        while index < line.count {
            if line[index] == 0x1B, index + 1 < line.count, line[index + 1] == UInt8(ascii: "[") {
                index += 2
                while index < line.count, !(0x40 ... 0x7E).contains(line[index]) { index += 1 }
                index += 1
                continue
            }
            result.append(line[index])
            index += 1
        }
        return result
    }
}
