/// Writes event values straight into a byte buffer: JSON strings, CSV fields, integers and ISO 8601 times.
/// The sinks run once per event over millions of events, where building intermediate `String`s cost more
/// than decoding the packets did.
enum EventBytes {
    /// With `doublingQuotes`, every `"` is written twice, so the JSON can stand inside a quoted CSV field.
    static func appendJSONString(_ text: String, to out: inout ByteBuffer, doublingQuotes: Bool = false) {
        out.append(UInt8(ascii: "\""))
        if doublingQuotes { out.append(UInt8(ascii: "\"")) }
        text.withUTF8Bytes { bytes in
            // Escaped in C, in pieces whose worst case is room a buffer can make at once: looping over the
            // stretches between escapes in Swift cost three times the scan of them (callgrind).
            var start = 0
            repeat {
                let piece = UnsafeRawBufferPointer(rebasing: bytes[start ..< min(bytes.count, start + jsonPieceBytes)])
                out.append(atMost: ByteClasses.escapedJSONRoom(piece.count)) { target in
                    ByteClasses.escapeJSON(piece, doublingQuotes: doublingQuotes, to: target)
                }
                start += piece.count
            } while start < bytes.count
        }
        out.append(UInt8(ascii: "\""))
        if doublingQuotes { out.append(UInt8(ascii: "\"")) }
    }

    /// The bytes of a JSON string escaped at once (`appendJSONString`).
    static let jsonPieceBytes = 4096

    /// A CSV field (RFC 4180) from bytes: quoted only when it must be, inner quotes doubled.
    static func appendCSVField(_ bytes: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        var copied = false
        out.append(atMost: bytes.count + ByteClasses.copySlack) { target in
            copied = ByteClasses.copyUnlessCSVSpecial(bytes, to: target)
            return copied ? bytes.count : 0
        }
        guard !copied else { return }
        out.append(UInt8(ascii: "\""))
        var start = 0
        while let quote = ByteSearch.firstIndex(of: UInt8(ascii: "\""), in: bytes, from: start) {
            out.append(UnsafeRawBufferPointer(rebasing: bytes[start ... quote]))
            out.append(UInt8(ascii: "\""))
            start = quote + 1
        }
        out.append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        out.append(UInt8(ascii: "\""))
    }

    static func appendCSVField(_ text: String, to out: inout ByteBuffer) {
        text.withUTF8Bytes { appendCSVField($0, to: &out) }
    }

    static func appendInteger(_ value: Int64, to out: inout ByteBuffer) {
        // Every event has several numbers, a timestamp of sixteen digits among them: `String(value)` went
        // through generic formatting.
        let magnitude = value.magnitude
        if value >= 0, magnitude < 10 {
            out.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(of: magnitude, atLeast: 1, to: &out)
    }

    /// The decimal digits of `magnitude`, at least `minimumCount` of them (zeros in front; at most 20),
    /// written backwards in place two at a time from a table: dividing by constants only, which compile to
    /// multiplications. A fraction's digits picked out one by one with a divisor that changed each time
    /// cost a division per digit, a sixth of filling a timeline's records; written into a stack buffer
    /// first, each number then cost a call to `memmove` for its few bytes.
    private static func appendDigits(of magnitude: UInt64, atLeast minimumCount: Int, to out: inout ByteBuffer) {
        let count = max(decimalDigitCount(magnitude), min(minimumCount, 20))
        out.append(atMost: 20) { digits in
            let pairs = digitPairs.utf8Start
            var start = count, rest = magnitude
            func write(pair: UInt64) {
                start -= 2
                digits.storeBytes(of: pairs[Int(pair) * 2], toByteOffset: start, as: UInt8.self)
                digits.storeBytes(of: pairs[Int(pair) * 2 + 1], toByteOffset: start + 1, as: UInt8.self)
            }
            while rest >= 100 {
                write(pair: rest % 100)
                rest /= 100
            }
            if rest >= 10 {
                write(pair: rest)
            } else {
                start -= 1
                digits.storeBytes(of: UInt8(ascii: "0") + UInt8(rest), toByteOffset: start, as: UInt8.self)
            }
            while start > 0 {
                start -= 1
                digits.storeBytes(of: UInt8(ascii: "0"), toByteOffset: start, as: UInt8.self)
            }
            return count
        }
    }

    /// How many decimal digits `value` has (1 for zero, 20 at most): its bits times log10(2) (1233/4096)
    /// give the count or one less, and one comparison with a power of ten tells which. Comparing with each
    /// power in turn cost a timestamp's sixteen digits sixteen comparisons.
    private static func decimalDigitCount(_ value: UInt64) -> Int {
        let estimate = ((64 - value.leadingZeroBitCount) * 1233) >> 12
        return value < powerOfTen(estimate) ? max(estimate, 1) : estimate + 1
    }

    /// 10 to the `exponent` (0…19): a switch of constants, which compiles to a table, not a lazy global.
    private static func powerOfTen(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// `00` to `99`, each number's two digits: a static string, so no lazy global stands in the way.
    private static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    static func appendFieldValue(_ value: FieldValue, to out: inout ByteBuffer, doublingQuotes: Bool = false) {
        switch value {
        case .string(let text): appendJSONString(text, to: &out, doublingQuotes: doublingQuotes)
        case .integer(let number): appendInteger(number, to: &out)
        case .bool(let truth): out.append(truth ? "true" : "false")
        }
    }

    /// `{"key":value,…}`; with `doublingQuotes`, ready to stand inside a quoted CSV field; with
    /// `findingHole`, a timeline record's hole for its `finding` last; the keys' text from `strings` when given.
    static func appendFieldsObject(_ fields: EventFields, to out: inout ByteBuffer, doublingQuotes: Bool = false,
                                   findingHole: Bool = false, strings: RepeatedStringText? = nil) {
        out.append(UInt8(ascii: "{"))
        // Read in place: iterating would copy each key and value out, a retain and a release apiece.
        fields.entries.withUnsafeBufferPointer { entries in
            // Bound once: bound for each key, the texts were retained and released around it.
            guard let strings else {
                for index in entries.indices {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    appendJSONKey(entries[index].key, to: &out, doublingQuotes: doublingQuotes)
                    appendFieldValue(entries[index].value, to: &out, doublingQuotes: doublingQuotes)
                }
                return
            }
            let keyForm: RepeatedStringText.Form = doublingQuotes ? .jsonKeyDoublingQuotes : .jsonKey
            for index in entries.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                strings.append(entries[index].key, as: keyForm, to: &out)
                appendFieldValue(entries[index].value, to: &out, doublingQuotes: doublingQuotes)
            }
        }
        if findingHole { RecordHole.finding(after: fields).append(to: &out) }
        out.append(UInt8(ascii: "}"))
    }

    /// `"key":`, a JSON object's key and its colon.
    @inline(__always) static func appendJSONKey(_ key: String, to out: inout ByteBuffer, doublingQuotes: Bool) {
        appendJSONString(key, to: &out, doublingQuotes: doublingQuotes)
        out.append(UInt8(ascii: ":"))
    }

    /// `2022-07-09T10:51:49.123Z`, with 0, 3, 6 or 9 fraction digits as the value needs.
    static func appendISO8601(nanoseconds: Int64, to out: inout ByteBuffer) {
        let (seconds, fraction) = nanoseconds.floorDivided(by: 1_000_000_000)
        appendDateTime(seconds: seconds, to: &out)
        appendFraction(fraction, to: &out)
    }

    /// The same, the date and time of the second taken from `cache` when it holds that second, the date
    /// alone when it holds that day: events come in time order, often many to a second, and working out
    /// the date was a fifth of filling a timeline's records.
    static func appendISO8601(nanoseconds: Int64, to out: inout ByteBuffer, cache: inout SecondText) {
        let (seconds, fraction) = nanoseconds.floorDivided(by: 1_000_000_000)
        if seconds != cache.second {
            let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
            if days == cache.day {
                cache.text.truncate(to: cache.text.count - timeOfDayLength)
            } else {
                cache.text.removeAll()
                appendDate(days: days, to: &cache.text)
                cache.day = days
            }
            appendTimeOfDay(secondOfDay, to: &cache.text)
            cache.second = seconds
        }
        out.append(cache.text)
        appendFraction(fraction, to: &out)
    }

    /// The last second written out, as text (`2022-07-09T10:51:49`), and its day.
    struct SecondText: ~Copyable {
        var second = Int64.min
        var day = Int64.min
        var text = ByteBuffer(capacity: 32)
    }

    private static func appendDateTime(seconds: Int64, to out: inout ByteBuffer) {
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        appendDate(days: days, to: &out)
        appendTimeOfDay(secondOfDay, to: &out)
    }

    /// `07`: a value below 100, in two digits.
    static func appendTwoDigits(_ value: Int64, to out: inout ByteBuffer) {
        out.append(UInt8(ascii: "0") + UInt8(value / 10))
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// `2022`: four digits, or as many as a year outside 0…9999 needs.
    static func appendYear(_ year: Int64, to out: inout ByteBuffer) {
        if (0 ... 9999).contains(year) {
            appendTwoDigits(year / 100, to: &out)
            appendTwoDigits(year % 100, to: &out)
        } else {
            appendInteger(year, to: &out)
        }
    }

    /// `2022-07-09`.
    private static func appendDate(days: Int64, to out: inout ByteBuffer) {
        let (year, month, day) = UTCDateTime.civilDate(daysSinceEpoch: days)
        appendYear(year, to: &out)
        out.append(UInt8(ascii: "-"))
        appendTwoDigits(month, to: &out)
        out.append(UInt8(ascii: "-"))
        appendTwoDigits(day, to: &out)
    }

    /// `T10:51:49`.
    private static let timeOfDayLength = 9

    private static func appendTimeOfDay(_ secondOfDay: Int64, to out: inout ByteBuffer) {
        out.append(UInt8(ascii: "T"))
        appendClockTime(secondOfDay, to: &out)
    }

    /// `10:51:49`.
    static func appendClockTime(_ secondOfDay: Int64, to out: inout ByteBuffer) {
        appendTwoDigits(secondOfDay / 3600, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay / 60 % 60, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay % 60, to: &out)
    }

    private static func appendFraction(_ fraction: Int64, to out: inout ByteBuffer) {
        if fraction != 0 {
            var digits = 9, value = fraction
            while digits > 3, value % 1000 == 0 {
                value /= 1000
                digits -= 3
            }
            out.append(UInt8(ascii: "."))
            appendDigits(of: UInt64(value), atLeast: digits, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
    }
}
