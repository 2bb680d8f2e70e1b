/// Whether a behaviour repeats on a clock, and how well. A period is claimed only when most occurrences
/// are followed by another one period later, far more often than events at the same rate would be by
/// chance; bursts, gaps (missed occurrences) and several events per cycle (a query and its retry) still
/// find the cycle, and anything else is called irregular rather than forced into a period.
public struct Periodicity: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case periodic, irregular
        /// Fewer than three occurrences: nothing can be said about repetition.
        case tooFew = "too_few"
    }

    public let verdict: Verdict
    /// Occurrences after merging events closer than `coincidence` (an A and an AAAA query are one).
    public let occurrences: Int
    public let periodSeconds: Double?
    /// Median distance of a successor from exactly one period later.
    public let jitterSeconds: Double?
    /// Occurrences per cycle: 2 for a request and its retry every period.
    public let perCycle: Double?
    /// 0…1: how many occurrences the period explains, discounted when there are few cycles to go on.
    public let confidence: Double
    /// The median gap between occurrences, for irregular behaviour.
    public let medianIntervalSeconds: Double?

    /// Events this close are one occurrence.
    static let coincidence: Int64 = 50_000_000
    /// Share of occurrences that must have a successor one period later.
    static let requiredScore = 0.7
    /// At most this many candidate periods are tested.
    static let candidates = 16
    /// Work is bounded on huge behaviours by testing periods on an evenly spread sample.
    static let maxTested = 20_000

    /// A behaviour spread over more than this (73 years: a broken clock) is not timed, which keeps every
    /// sum of an instant and a period below within 64 bits (the fuzzer found the overflow).
    static let maxSpan: Int64 = 1 << 61

    /// `times` in nanoseconds, in any order.
    public static func detect(_ times: [Int64]) -> Periodicity {
        detect(sorted: times.sorted())
    }

    /// The same, for times already in order (the report sorts them once for everything it derives).
    static func detect(sorted: [Int64]) -> Periodicity {
        let earliest = sorted.first ?? 0
        if let latest = sorted.last {
            let (span, overflow) = latest.subtractingReportingOverflow(earliest)
            guard !overflow, span <= maxSpan else {
                return Periodicity(verdict: .irregular, occurrences: sorted.count, periodSeconds: nil, jitterSeconds: nil, perCycle: nil,
                                   confidence: 0, medianIntervalSeconds: nil)
            }
        }
        let occurrences = merged(sorted.map { $0 - earliest })
        let count = occurrences.count
        let intervals = zip(occurrences.dropFirst(), occurrences).map { $0 - $1 }
        let median = intervals.isEmpty ? nil : Double(intervals.sorted()[intervals.count / 2]) / 1e9
        guard count >= 3, let first = occurrences.first, let last = occurrences.last, last > first else {
            return Periodicity(verdict: .tooFew, occurrences: count, periodSeconds: nil, jitterSeconds: nil, perCycle: nil,
                               confidence: 0, medianIntervalSeconds: median)
        }
        let span = Double(last - first)
        let rate = Double(count - 1) / span
        for period in candidatePeriods(occurrences) {
            let tolerance = max(Double(period) * 0.08, 20e6)
            // A window this wide catches a random event this often at this rate: the period must do far better.
            let chance = 1 - exp(-rate * 2 * tolerance)
            guard chance < 0.5 else { continue }
            let fit = score(occurrences, period: period, tolerance: Int64(tolerance))
            guard fit.tested >= 2, fit.score >= requiredScore, fit.score >= chance + 0.3 else { continue }
            let cycles = span / Double(fit.period)
            // The share explained beyond what chance explains, trusted less with fewer than ten cycles.
            let confidence = (fit.score - chance) / (1 - chance) * min(1, cycles / 10)
            return Periodicity(verdict: .periodic, occurrences: count, periodSeconds: Double(fit.period) / 1e9,
                               jitterSeconds: fit.jitter / 1e9, perCycle: Double(count) / (cycles + 1),
                               confidence: (confidence * 100).rounded() / 100, medianIntervalSeconds: median)
        }
        return Periodicity(verdict: .irregular, occurrences: count, periodSeconds: nil, jitterSeconds: nil, perCycle: nil,
                           confidence: 0, medianIntervalSeconds: median)
    }

    private static func merged(_ sorted: [Int64]) -> [Int64] {
        var result: [Int64] = []
        result.reserveCapacity(sorted.count)
        for time in sorted where result.last.map({ time - $0 >= coincidence }) ?? true {
            result.append(time)
        }
        return result
    }

    /// Differences to the next few occurrences, gathered in 2 % wide bins; the fullest bins, shortest first
    /// so the fundamental wins over its multiples.
    private static func candidatePeriods(_ times: [Int64]) -> [Int64] {
        var bins: [Int: (count: Int, total: Double)] = [:]
        let stride = max(1, times.count / maxTested)
        for index in Swift.stride(from: 0, to: times.count, by: stride) {
            for next in index + 1 ..< min(index + 5, times.count) {
                let difference = Double(times[next] - times[index])
                let bin = Int((log(difference) / log(1.02)).rounded())
                bins[bin, default: (0, 0)].count += 1
                bins[bin, default: (0, 0)].total += difference
            }
        }
        // Neighbouring bins split one period's jitter between them: each bin is judged with its neighbours.
        let pooled = bins.map { bin, value -> (period: Int64, count: Int) in
            let around = [bin - 1, bin, bin + 1].compactMap { bins[$0] }
            let total = around.reduce(0) { $0 + $1.total }, count = around.reduce(0) { $0 + $1.count }
            return (Int64(total / Double(count)), value.count + (bins[bin - 1]?.count ?? 0) + (bins[bin + 1]?.count ?? 0))
        }
        // Ties go to the shorter period: the bins' dictionary order changes from run to run.
        return pooled.sorted { ($0.count, $1.period) > ($1.count, $0.period) }.prefix(candidates).map(\.period).sorted()
    }

    /// The share of occurrences (those at least a period before the end) with a successor one period later,
    /// the period refined to the median of the matched gaps, and the median deviation from it.
    private static func score(_ times: [Int64], period: Int64, tolerance: Int64) -> (score: Double, tested: Int, period: Int64, jitter: Double) {
        guard let last = times.last else { return (0, 0, period, 0) }
        var matchedGaps: [Int64] = []
        var tested = 0
        let stride = max(1, times.count / maxTested)
        var cursor = 0
        for index in Swift.stride(from: 0, to: times.count, by: stride) {
            let start = times[index]
            guard start + period - tolerance <= last else { break }
            tested += 1
            let target = start + period
            if cursor < index { cursor = index }
            while cursor < times.count, times[cursor] < target - tolerance { cursor += 1 }
            var best: Int64?
            var probe = cursor
            while probe < times.count, times[probe] <= target + tolerance {
                if best.map({ abs(times[probe] - target) < abs($0 - target) }) ?? true { best = times[probe] }
                probe += 1
            }
            if let best { matchedGaps.append(best - start) }
        }
        guard tested > 0, !matchedGaps.isEmpty else { return (0, tested, period, 0) }
        matchedGaps.sort()
        let refined = matchedGaps[matchedGaps.count / 2]
        let deviations = matchedGaps.map { abs($0 - refined) }.sorted()
        return (Double(matchedGaps.count) / Double(tested), tested, refined, Double(deviations[deviations.count / 2]))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
