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

    /// A pre-sync run from `first` to `last` ended at a line placed at `anchor`. True when the run was the
    /// first day of a year, its stamps real dates; otherwise the device restarted, and a new segment begins
    /// (unless no line was placed before the run).
    mutating func presyncRunEnded(first: DeviceStamp, last: DeviceStamp, before anchor: Int64, zone: Int64?) -> Bool {
        if isNewYearsDay(first: first, last: last, before: anchor, zone: zone) { return true }
        if lastTime != nil, !restarted {
            advance()
            restarted = true
        }
        return false
    }

    /// Whether a `01-01` run was the first day of the year the line after it is in, not a clock that
    /// started again: read as that day, its last line comes within a day before that line, and its first
    /// line follows on from the line placed before the run. A device that restarts on 1 or 2 January
    /// writes `01-01` stamps that read as that day too, but as hours before the line it wrote just before
    /// restarting. Without a line before, nothing tells the two apart, and the run is placed as a boot's is.
    private func isNewYearsDay(first: DeviceStamp, last: DeviceStamp, before anchor: Int64, zone: Int64?) -> Bool {
        guard let zone, let lastTime, let lastLine = Self.newYearsDayTime(last, before: anchor, zone: zone),
              let firstLine = Self.newYearsDayTime(first, before: anchor, zone: zone)
        else { return false }
        return (0 ... 86_400_000_000_000).contains(anchor - lastLine) && firstLine >= lastTime - Self.stepBack
    }

    /// A `01-01` stamp read as 1 January of the local year `anchor` falls in (UTC, ns).
    static func newYearsDayTime(_ stamp: DeviceStamp, before anchor: Int64, zone: Int64) -> Int64? {
        let local = anchor.floorDivided(by: 1_000_000_000).quotient + zone
        let (year, _, _) = UTCDateTime.civilDate(daysSinceEpoch: local.floorDivided(by: 86_400).quotient)
        return SourceClock.nanoseconds(stamp.localSeconds(year: year) - zone, stamp.nanoseconds)
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
