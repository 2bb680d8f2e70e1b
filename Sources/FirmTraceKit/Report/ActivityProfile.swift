/// When things happen: counts by hour of the day and over the span of the evidence, and the windows where
/// behaviours run far above their own usual rate (the seed's 3 am burst).
public struct ActivityPeak: Sendable, Equatable {
    public let start: Int64
    public let end: Int64
    /// Events above what the behaviours involved usually do in a window this long.
    public let excessEvents: Int
    /// The behaviours that made the peak, most excess first.
    public let behaviours: [(id: String, description: String, events: Int)]

    public static func == (lhs: ActivityPeak, rhs: ActivityPeak) -> Bool {
        lhs.start == rhs.start && lhs.end == rhs.end && lhs.excessEvents == rhs.excessEvents
            && lhs.behaviours.map(\.id) == rhs.behaviours.map(\.id)
    }
}

enum ActivityProfile {
    /// Counts per hour of the day in the given zone.
    static func hourOfDay(_ times: [Int64], zoneSeconds: Int64) -> [Int] {
        var hours = Array(repeating: 0, count: 24)
        for time in times {
            let local = time.floorDivided(by: 1_000_000_000).quotient + zoneSeconds
            hours[Int(local.floorDivided(by: 3600).quotient.floorDivided(by: 24).remainder)] += 1
        }
        return hours
    }

    /// A bin width that gives a readable number of bins over `span` (about 90 at most): a minute for an
    /// hour's capture, an hour for a few days, whole days beyond, so a span of decades (a clock that
    /// started at 1970) still gives few bins.
    static func binWidth(span: Int64) -> Int64 {
        let seconds: [Int64] = [60, 300, 600, 900, 1800, 3600, 7200, 21_600, 86_400]
        let wanted = max(0, span) / 1_000_000_000 / 90
        if let width = seconds.first(where: { $0 >= wanted }) { return width * 1_000_000_000 }
        return (wanted / 86_400 + 1) * 86_400 * 1_000_000_000
    }

    /// Counts of `times` in bins of `width` from `origin`.
    static func bins(_ times: [Int64], origin: Int64, width: Int64, count: Int) -> [Int] {
        var bins = Array(repeating: 0, count: count)
        for time in times {
            let index = Int((time - origin) / width)
            if bins.indices.contains(index) { bins[index] += 1 }
        }
        return bins
    }

    /// A bin is hot for a behaviour when it holds at least 3 of its events and 4 times its average per
    /// bin over the span it is active in; adjacent hot bins make one peak. Peaks are returned by excess.
    /// `bins` are each behaviour's counts on the axis from `origin` in steps of `width`.
    static func peaks(_ behaviours: [(behaviour: Behaviour, bins: [Int])], origin: Int64, width: Int64, limit: Int = 5) -> [ActivityPeak] {
        let binCount = behaviours.first?.bins.count ?? 0
        guard binCount >= 4 else { return [] }
        var excess = Array(repeating: 0.0, count: binCount)
        var contributions = Array(repeating: [(index: Int, events: Int, excess: Double)](), count: binCount)
        for (index, entry) in behaviours.enumerated() {
            let counts = entry.bins
            let total = counts.reduce(0, +)
            guard total >= 3 else { continue }
            let average = Double(total) / Double(binCount)
            for bin in counts.indices where counts[bin] >= 3 && Double(counts[bin]) >= 4 * average {
                let extra = Double(counts[bin]) - average
                excess[bin] += extra
                contributions[bin].append((index, counts[bin], extra))
            }
        }
        var peaks: [ActivityPeak] = []
        var bin = 0
        while bin < binCount {
            guard excess[bin] > 0 else {
                bin += 1
                continue
            }
            let first = bin
            var total = 0.0
            var byBehaviour: [Int: (events: Int, excess: Double)] = [:]
            while bin < binCount, excess[bin] > 0 {
                total += excess[bin]
                for contribution in contributions[bin] {
                    byBehaviour[contribution.index, default: (0, 0)].events += contribution.events
                    byBehaviour[contribution.index, default: (0, 0)].excess += contribution.excess
                }
                bin += 1
            }
            // Ties go to the behaviour listed first: a dictionary's order changes from run to run.
            let named = byBehaviour.sorted { ($0.value.excess, $1.key) > ($1.value.excess, $0.key) }.prefix(8).map {
                (id: behaviours[$0.key].behaviour.id, description: behaviours[$0.key].behaviour.description, events: $0.value.events)
            }
            peaks.append(ActivityPeak(start: origin + Int64(first) * width, end: origin + Int64(bin) * width,
                                      excessEvents: Int(total.rounded()), behaviours: Array(named)))
        }
        return Array(peaks.sorted { ($0.excessEvents, $1.start) > ($1.excessEvents, $0.start) }.prefix(limit))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
