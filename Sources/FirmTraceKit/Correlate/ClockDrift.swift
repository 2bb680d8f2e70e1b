/// A device clock that runs fast or slow against the capture: its offset grows along a line. Each pair's
/// difference (device stamp minus packet time) is the offset less the network delay and less what the
/// whole-second stamp dropped. The rate is the median of the slopes between pairs (Theil–Sen): that noise
/// is one-sided but the same all along, so it leaves the median slope alone, where an envelope's ends,
/// with few pairs near them, would flatten it. The level is then fitted as for a steady clock, to the
/// upper envelope of the differences with the drift taken out.
struct ClockDrift: Sendable, Equatable {
    /// Offset at `reference` (device time, nanoseconds), in nanoseconds.
    let offset: Int64
    let reference: Int64
    /// Nanoseconds of offset gained per nanosecond of device time (`ppm` × 1e-6).
    let rate: Double
    /// Half the width the estimate can be off by, in seconds.
    let errorSeconds: Double

    var ppm: Double { rate * 1e6 }

    /// The offset at device time `time`; in floating point, since a hostile log's times may lie anywhere
    /// in 64 bits and their distance from the reference would not.
    func offset(at time: Int64) -> Int64 {
        offset + Int64(((Double(time) - Double(reference)) * rate).rounded())
    }

    /// Pairs must span at least this long, and the line must move the offset by at least this much over
    /// them, before a drift is believed: less is what whole-second stamps and delays make up. A second is
    /// the stamps' resolution: pairs from one part of a log whose dropped fractions were large, and from
    /// another whose were small, tilt a line by up to that (the benchmark log, the samples' steady clock
    /// twice over, had its 12 pairs fitted with -259 ppm, 0.93 s over the hour, at half a second).
    static let minimumSpan: Int64 = 1_200_000_000_000
    static let minimumMovement = 1.0
    static let minimumPairs = 10
    /// A clock a thousandth off is broken, not drifting; and a rate this small keeps corrected times in
    /// order (they move by at most a thousandth of how far apart they were).
    static let maximumRate = 0.001
    /// Slopes are taken among at most this many pairs, evenly spread: a large log makes hundreds of
    /// thousands of claims, and pairs of pairs grow as their square.
    static let maximumSampled = 400

    /// The drifting line through `pairs` (device time, difference), or nil when the data does not support
    /// one: too few pairs, too short a span, or a slope that is small against the scatter or moves the
    /// offset less than the stamps' own second over the span.
    static func fit(_ pairs: [(time: Int64, difference: Int64)]) -> ClockDrift? {
        guard pairs.count >= minimumPairs else { return nil }
        let sorted = pairs.sorted { ($0.time, $0.difference) < ($1.time, $1.difference) }
        let span = Double(sorted.last!.time - sorted.first!.time) / 1e9
        guard span >= Double(minimumSpan) / 1e9 else { return nil }
        let reference = sorted.first!.time + (sorted.last!.time - sorted.first!.time) / 2
        // Seconds from the reference keep the arithmetic well inside a Double's precision.
        let points = sorted.map { (x: Double($0.time - reference) / 1e9, y: Double($0.difference) / 1e9) }
        let step = max(1, points.count / maximumSampled)
        let sample = stride(from: 0, to: points.count, by: step).map { points[$0] }
        var slopes: [Double] = []
        for (index, left) in sample.enumerated() {
            for right in sample[(index + 1)...] where right.x - left.x > 1 {
                slopes.append((right.y - left.y) / (right.x - left.x))
            }
        }
        guard !slopes.isEmpty else { return nil }
        slopes.sort()
        let rate = slopes[slopes.count / 2]
        let residuals = points.map { $0.y - rate * $0.x }
        // The slope must stand well clear of what the scatter alone would tilt a line by.
        let meanX = points.reduce(0) { $0 + $1.x } / Double(points.count)
        let spreadX = (points.reduce(0) { $0 + ($1.x - meanX) * ($1.x - meanX) } / Double(points.count)).squareRoot()
        let meanResidual = residuals.reduce(0, +) / Double(residuals.count)
        let scatter = (residuals.reduce(0) { $0 + ($1 - meanResidual) * ($1 - meanResidual) } / Double(residuals.count)).squareRoot()
        let standardError = scatter / (spreadX * Double(points.count).squareRoot())
        guard abs(rate) < maximumRate, abs(rate) * span >= minimumMovement, abs(rate) >= 4 * standardError else { return nil }
        // As for a steady clock: the largest difference is the low bound, the smallest plus a second the high.
        let ordered = residuals.sorted()
        let median = ordered[ordered.count / 2]
        let kept = ordered.filter { abs($0 - median) <= 3 }
        let (low, high) = (kept.last!, kept.first! + 1)
        return ClockDrift(offset: Int64(((low + high) / 2 * 1e9).rounded()), reference: reference, rate: rate,
                          errorSeconds: abs(high - low) / 2)
    }
}
