/// One log source's clock as far as its own lines settle it: the time zone and year, learned from the
/// first epoch a line carries (`t=1657363909` next to the line's `07-09 20:51:49`). The full clock model
/// against captures refines this later; here nothing is guessed, and each event says what placed it.
struct SourceClock {
    /// Device local time minus UTC, rounded to a real zone offset (15-minute steps).
    private(set) var utcOffset: Int64?
    /// The epoch that settled the zone, and the year it gave.
    private(set) var referenceEpoch: Int64?
    private(set) var referenceYear: Int64?
    /// Where the year came from, for the clock report: `epoch`, `line`, `archive mtime`, `bundle name`, `--year`.
    private(set) var yearSource: String?

    var isSettled: Bool { utcOffset != nil }

    /// A clock already on UTC with full dates (miio_client).
    static let utc: SourceClock = {
        var clock = SourceClock()
        clock.utcOffset = 0
        clock.yearSource = "line"
        return clock
    }()

    /// Settles a clock no line settled: the zone the user gave (`--tz`) and the year the source's context
    /// gives. Lines are then placed in the year that puts them nearest to its middle.
    mutating func assume(utcOffset: Int64, year: Int64, yearSource: String) {
        guard !isSettled else { return }
        self.utcOffset = utcOffset
        referenceYear = year
        referenceEpoch = UTCDateTime.epochSeconds(year: year, month: 7, day: 2) - utcOffset
        self.yearSource = yearSource
    }

    /// Learns the zone and year from an epoch written beside a device-local stamp. Returns false when the
    /// two cannot belong together (more than 15 hours apart whatever the year). Once settled, later epochs
    /// only move the reference forward, so a log spanning years keeps placing its lines in the right one.
    mutating func learn(epoch: Int64, stamp: DeviceStamp) -> Bool {
        guard !stamp.isUnsyncedClock else { return false }
        if let utcOffset, yearSource == "epoch" {
            let (year, _, _) = UTCDateTime.civilDate(daysSinceEpoch: (epoch + utcOffset).floorDivided(by: 86_400).quotient)
            referenceEpoch = epoch
            referenceYear = year
            return false
        }
        guard !isSettled else { return false }
        let (epochYear, _, _) = UTCDateTime.civilDate(daysSinceEpoch: epoch.floorDivided(by: 86_400).quotient)
        var best: (year: Int64, difference: Int64)?
        for year in epochYear - 1 ... epochYear + 1 {
            let difference = stamp.localSeconds(year: year) - epoch
            if best == nil || abs(difference) < abs(best!.difference) { best = (year, difference) }
        }
        guard let best, abs(best.difference) <= 15 * 3600 else { return false }
        utcOffset = (best.difference + (best.difference >= 0 ? 450 : -450)) / 900 * 900
        referenceEpoch = epoch
        referenceYear = best.year
        yearSource = "epoch"
        return true
    }

    /// UTC nanoseconds for a stamp, and the basis that placed it.
    func place(_ stamp: DeviceStamp) -> (time: Int64?, basis: TimeBasis) {
        if let year = stamp.year {
            guard let utcOffset, let time = Self.nanoseconds(stamp.localSeconds(year: year) - utcOffset, stamp.nanoseconds) else {
                return (nil, .unknown)
            }
            return (time, .logClock)
        }
        if stamp.isUnsyncedClock, !referenceIsNewYear { return (nil, .logUnsynced) }
        guard let utcOffset, let referenceEpoch, let referenceYear else { return (nil, .unknown) }
        // The year that puts the stamp nearest the reference: a log running over New Year changes year.
        // Within 150 days of the reference, the reference's own year is that year (the others are at
        // least 215 days away), which spares two date conversions on nearly every line.
        let sameYear = stamp.localSeconds(year: referenceYear) - utcOffset
        if abs(sameYear - referenceEpoch) <= 150 * 86_400 {
            guard let time = Self.nanoseconds(sameYear, stamp.nanoseconds) else { return (nil, .unknown) }
            return (time, .logClock)
        }
        var best: Int64?
        for year in referenceYear - 1 ... referenceYear + 1 {
            let seconds = stamp.localSeconds(year: year) - utcOffset
            if best == nil || abs(seconds - referenceEpoch) < abs(best! - referenceEpoch) { best = seconds }
        }
        guard let best, let time = Self.nanoseconds(best, stamp.nanoseconds) else { return (nil, .unknown) }
        return (time, .logClock)
    }

    /// Seconds and a fraction as nanoseconds; nil past what 64 bits hold (after 2262), which a broken or
    /// hostile clock writing the year 9999 reaches (the fuzzer found it).
    static func nanoseconds(_ seconds: Int64, _ fraction: Int64) -> Int64? {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflowAgain) = scaled.addingReportingOverflow(fraction)
        return overflow || overflowAgain ? nil : sum
    }

    /// True when the settling epoch itself falls on 1 January local time, so `01-01` lines are real.
    private var referenceIsNewYear: Bool {
        guard let utcOffset, let referenceEpoch else { return false }
        let (_, month, day) = UTCDateTime.civilDate(daysSinceEpoch: (referenceEpoch + utcOffset).floorDivided(by: 86_400).quotient)
        return month == 1 && day == 1
    }
}

/// A timestamp as a device wrote it, in numbers. Tuya stamps have no year; miio stamps have one.
///
/// Stored in sixteen bytes rather than seven `Int64`s: a stamp travels with every log line, in the pending
/// and the decoded event, and each of the several moves of those between framing and placing copied it.
/// The parsers bound every part (two digits, a four-digit year, milliseconds).
struct DeviceStamp: Sendable, Hashable {
    private var storedYear: Int32
    private var storedMonth: UInt8, storedDay: UInt8, storedHour: UInt8, storedMinute: UInt8, storedSecond: UInt8
    private var storedNanoseconds: Int32

    init(year: Int64? = nil, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, nanoseconds: Int64 = 0) {
        storedYear = year.map { Int32($0) } ?? Self.noYear
        (storedMonth, storedDay, storedHour) = (UInt8(month), UInt8(day), UInt8(hour))
        (storedMinute, storedSecond) = (UInt8(minute), UInt8(second))
        storedNanoseconds = Int32(nanoseconds)
    }

    private static let noYear = Int32.min

    var year: Int64? { storedYear == Self.noYear ? nil : Int64(storedYear) }
    var month: Int64 { Int64(storedMonth) }
    var day: Int64 { Int64(storedDay) }
    var hour: Int64 { Int64(storedHour) }
    var minute: Int64 { Int64(storedMinute) }
    var second: Int64 { Int64(storedSecond) }
    var nanoseconds: Int64 { Int64(storedNanoseconds) }

    /// The Tuya SDK's clock before time sync starts on `01-01`: not a date.
    var isUnsyncedClock: Bool { year == nil && month == 1 && day == 1 }

    /// Where in a year of its own the stamp lies: pre-sync stamps compared and subtracted.
    var nanosecondsInYear: Int64 { localSeconds(year: 1970) * 1_000_000_000 + nanoseconds }

    func localSeconds(year: Int64) -> Int64 {
        UTCDateTime.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
