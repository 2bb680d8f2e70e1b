/// Civil UTC date and time from seconds since 1970, computed by hand: no `DateFormatter`, no locale, no
/// time zone database, so the same instant always prints the same text.
public enum UTCDateTime {
    /// `2022-07-09T10:51:49Z`
    public static func iso8601(seconds: Int64) -> String {
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
    }

    /// `2022-07-09T10:51:49.123456789Z` from nanoseconds, with as many fraction digits as needed (0, 3, 6 or 9).
    /// Written as the exports write it (`EventBytes`): put together from a dozen strings for each of an SQLite
    /// timeline's rows, it cost 52 MB of log 0.9 s of processor time in 12.9. The years nanoseconds reach
    /// (1677 to 2262) are four digits either way.
    public static func iso8601(nanoseconds: Int64) -> String {
        var text = ByteBuffer(capacity: 32)
        EventBytes.appendISO8601(nanoseconds: nanoseconds, to: &text)
        return text.string
    }

    /// Seconds since 1970 for a civil UTC date and time (Howard Hinnant's days-from-civil).
    public static func epochSeconds(year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0,
                                    second: Int64 = 0) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// Parses `2022-07-09`, `2022-07-09T10:51:49`, `…Z`, `…+10:00`, with optional fractions, as UTC
    /// unless an offset is given. For `--since`/`--until`.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index ..< index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(45), let month = number(2), skip(45), let day = number(2),
              (1 ... 12).contains(month), (1 ... 31).contains(day) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanoseconds: Int64 = 0
        if skip(84) || skip(32) {
            guard let h = number(2), skip(58), let m = number(2) else { return nil }
            (hour, minute) = (h, m)
            if skip(58) {
                guard let s = number(2) else { return nil }
                second = s
                if skip(46) {
                    var scale: Int64 = 100_000_000
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        nanoseconds += Int64(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                }
            }
        }
        var offset: Int64 = 0
        if skip(90) {
        } else if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign: Int64 = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let h = number(2) else { return nil }
            _ = skip(58)
            let m = number(2) ?? 0
            offset = sign * (h * 3600 + m * 60)
        }
        guard index == bytes.count else { return nil }
        let seconds = epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second) - offset
        return seconds * 1_000_000_000 + nanoseconds
    }

    /// Howard Hinnant's days-from-civil inverse: exact for every proleptic Gregorian date.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, so instants before 1970 land on the right day.
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}
