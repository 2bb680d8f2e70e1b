import Testing
@testable import FirmTraceKit

@Suite("periodicity: a clock is found when there is one, and only then")
struct PeriodicityTests {
    static let second: Int64 = 1_000_000_000

    /// A small deterministic generator, so the jitter and randomness are the same on every run.
    struct SeededRandom {
        var state: UInt64
        mutating func unit() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    @Test("a period with jitter is recovered within 1 %", arguments: [0.5, 5.0, 10.0, 300.0, 1500.0])
    func jitteredPeriod(_ period: Double) {
        var random = SeededRandom(state: 7)
        var times: [Int64] = []
        for index in 0 ..< 40 {
            let jitter = (random.unit() - 0.5) * period * 0.02
            times.append(Int64((Double(index) * period + jitter) * 1e9))
        }
        let found = Periodicity.detect(times)
        #expect(found.verdict == .periodic)
        #expect(abs((found.periodSeconds ?? 0) - period) / period < 0.01)
        #expect(found.confidence > 0.9)
    }

    @Test("missed occurrences (gaps) do not change the period")
    func gaps() {
        let kept = (0 ..< 120).filter { $0 % 7 != 3 && !(40 ..< 55).contains($0) }
        let found = Periodicity.detect(kept.map { Int64($0) * 10 * Self.second })
        #expect(found.periodSeconds == 10)
    }

    @Test("a request and its retry every cycle give the cycle, two per cycle")
    func twoPerCycle() {
        var times: [Int64] = []
        for cycle in Int64(0) ..< 60 {
            times += [cycle * 10 * Self.second, cycle * 10 * Self.second + Self.second / 2]
        }
        let found = Periodicity.detect(times)
        #expect(found.verdict == .periodic)
        #expect(abs((found.periodSeconds ?? 0) - 10) < 0.6)
        #expect(abs((found.perCycle ?? 0) - 2) < 0.1)
    }

    @Test("events at random (Poisson) are irregular, not forced into a period", arguments: [UInt64(1), 2, 3, 4, 5])
    func random(_ seed: UInt64) {
        var random = SeededRandom(state: seed)
        var time = 0.0
        let times = (0 ..< 300).map { _ -> Int64 in
            time += -log(1 - random.unit()) * 30
            return Int64(time * 1e9)
        }
        let found = Periodicity.detect(times)
        #expect(found.verdict == .irregular, "period \(found.periodSeconds ?? 0)")
        #expect(found.medianIntervalSeconds != nil)
    }

    @Test("a burst of a few seconds' spacing inside an hour is irregular")
    func burst() {
        var random = SeededRandom(state: 11)
        var time = 1800.0
        let times = (0 ..< 50).map { _ -> Int64 in
            time += 2 + random.unit() * 3
            return Int64(time * 1e9)
        }
        #expect(Periodicity.detect(times).verdict == .irregular)
    }

    @Test("A and AAAA queries a millisecond apart are one occurrence")
    func coincidentEventsMerge() {
        var times: [Int64] = []
        for cycle in Int64(0) ..< 20 {
            times += [cycle * 5 * Self.second, cycle * 5 * Self.second + 1_000_000]
        }
        let found = Periodicity.detect(times)
        #expect(found.occurrences == 20)
        #expect(found.periodSeconds == 5)
    }

    @Test("fewer than three occurrences say nothing about repetition")
    func tooFew() {
        #expect(Periodicity.detect([]).verdict == .tooFew)
        #expect(Periodicity.detect([0, 10 * Self.second]).verdict == .tooFew)
        #expect(Periodicity.detect([5, 5, 5]).verdict == .tooFew)
    }

    @Test("a million events are timed without trouble")
    func large() {
        let times = (0 ..< 1_000_000).map { Int64($0) * Self.second / 2 }
        #expect(Periodicity.detect(times).periodSeconds == 0.5)
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite("activity bins")
struct ActivityBinTests {
    static let spans: [Int64] = [3600, 86_400, 7 * 86_400, 365 * 86_400, 60 * 365 * 86_400, 8_000_000_000]

    @Test("any span gives at most about 90 bins: a minute for an hour, days for decades", arguments: spans)
    func boundedBins(_ seconds: Int64) {
        let span = seconds * 1_000_000_000
        let width = ActivityProfile.binWidth(span: span)
        #expect(span / width + 1 <= 92)
        #expect(width >= 60_000_000_000)
    }
}
