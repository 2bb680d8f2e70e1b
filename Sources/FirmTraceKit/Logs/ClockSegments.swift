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

    /// A pre-sync run ended at a line placed at `anchor`: the device restarted, unless the run was the
    /// first day of a year.
    mutating func presyncRunEnded(lastStamp: DeviceStamp, before anchor: Int64, zone: Int64?) {
        guard lastTime != nil, !restarted, !Self.isNewYearsDay(lastStamp, before: anchor, zone: zone) else { return }
        advance()
        restarted = true
    }

    /// Whether a `01-01` run was the first day of the year the line after it is in, not a clock that
    /// started again: read as that day, its last line comes within a day before that line.
    private static func isNewYearsDay(_ lastStamp: DeviceStamp, before anchor: Int64, zone: Int64?) -> Bool {
        guard let zone else { return false }
        let local = anchor.floorDivided(by: 1_000_000_000).quotient + zone
        let (year, _, _) = UTCDateTime.civilDate(daysSinceEpoch: local.floorDivided(by: 86_400).quotient)
        return (0 ... 86_400).contains(local - lastStamp.localSeconds(year: year))
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
