/// Where a source's clock broke: the device restarted (a pre-sync `01-01` run after placed lines, not
/// the first day of a year) or its clock stepped back. The stretches between are numbered in order, and
/// each is put on the capture's clock on its own, since a restarted or reset clock keeps no offset from
/// before.
struct ClockSegments {
    /// A line placed this much before the line before it is a step back; less is a line written out of
    /// order, or a whole-second stamp beside an epoch.
    static let stepBack: Int64 = 2_000_000_000
    /// A hostile log whose clock jumps back and forth on every line does not make a run of records, and
    /// a correction, for every line.
    static let maximum: Int32 = 100

    private(set) var current: Int32 = 0
    private var lastTime: Int64?
    /// A restart began the current segment and no placed line followed yet: the line ending its pre-sync
    /// run may be earlier than the lines before the restart without being a step of its own.
    private var restarted = false

    /// A pre-sync run from `first` to `last` ended: at a line placed at `anchor`, or with none after it to
    /// place it by (the log ended, or the run outgrew what is held). The year when the run was New Year's
    /// Day, its stamps real dates; otherwise nil, and when a line ended it the device restarted, a new
    /// segment beginning (unless no line was placed before the run).
    mutating func presyncRunEnded(first: DeviceStamp, last: DeviceStamp, before anchor: Int64?, zone: Int64?) -> Int64? {
        if let year = newYearsDay(first: first, last: last, before: anchor, zone: zone) { return year }
        if anchor != nil, lastTime != nil, !restarted {
            advance()
            restarted = true
        }
        return nil
    }

    /// The year a `01-01` run was the first day of, when it was one and not a clock that started again:
    /// read as that day, its first line follows on from the line placed before the run, and its last line
    /// comes within a day before the line after it (without one, its first line comes within a day after
    /// the line before). A device that restarts on 1 or 2 January writes `01-01` stamps that read as that
    /// day too, but as hours before the line it wrote just before restarting. Without a line before,
    /// nothing tells the two apart, and the run is placed as a boot's is.
    private func newYearsDay(first: DeviceStamp, last: DeviceStamp, before anchor: Int64?, zone: Int64?) -> Int64? {
        let day: Int64 = 86_400_000_000_000
        guard let zone, let lastTime else { return nil }
        // The year of the line after the run, or else of the day after the line before it.
        let (dayAfter, overflow) = lastTime.addingReportingOverflow(day)
        guard let reference = anchor ?? (overflow ? nil : dayAfter) else { return nil }
        let localDay = (reference.floorDivided(by: 1_000_000_000).quotient + zone).floorDivided(by: 86_400).quotient
        let year = UTCDateTime.civilDate(daysSinceEpoch: localDay).year
        guard let firstLine = Self.time(first, onNewYearsDayOf: year, zone: zone), let lastLine = Self.time(last, onNewYearsDayOf: year, zone: zone),
              firstLine >= lastTime - Self.stepBack
        else { return nil }
        let follows = anchor.map { lastLine <= $0 && $0 - lastLine <= day } ?? (firstLine - lastTime <= day)
        return follows ? year : nil
    }

    /// A `01-01` stamp read as 1 January of `year` (UTC, ns).
    static func time(_ stamp: DeviceStamp, onNewYearsDayOf year: Int64, zone: Int64) -> Int64? {
        SourceClock.nanoseconds(stamp.localSeconds(year: year) - zone, stamp.nanoseconds)
    }

    /// A line placed at `time` by the source's clock.
    mutating func follow(_ time: Int64) {
        if let lastTime, !restarted, time < lastTime {
            let (gap, overflow) = lastTime.subtractingReportingOverflow(time)
            if overflow || gap > Self.stepBack { advance() }
        }
        restarted = false
        lastTime = time
    }

    private mutating func advance() {
        if current < Self.maximum { current += 1 }
    }
}
