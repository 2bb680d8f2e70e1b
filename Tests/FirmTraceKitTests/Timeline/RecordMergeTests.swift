import Testing
@testable import FirmTraceKit

@Suite("merging spilled runs")
struct RecordMergeTests {
    /// `sources` logs of `events` lines each, one unit each, spilled under a tiny memory bound: back to back
    /// in time as rotated logs are, or all over the same seconds. Returns the spill and the units' ordinal bases.
    static func spill(sources: Int, events: Int, overlapping: Bool, in scratch: ScratchFolder) throws -> (RecordSpill, [Int]) {
        let spill = try RecordSpill(index: 0, beside: scratch.appending("timeline.csv"), format: .csv, memoryBytes: 512)
        for source in 0 ..< sources {
            try spill.begin(unit: source)
            for line in 1 ... events {
                let second = overlapping ? line : source * events + line
                let event = Event(time: Int64(second) * 1_000_000_000, timeBasis: .logEpoch, kind: .tuyaConnect, origin: "rriot_tuya",
                                  source: "tuya.log.\(sources - source)", line: line, message: "line \(line)")
                #expect(try spill.add(event, ordinal: line))
            }
        }
        try spill.flush()
        return (spill, (0 ..< sources).map { $0 * events })
    }

    /// Every record's time and ordinal among all units, in the order the merge hands them over.
    static func merged(_ merge: RecordMerge) throws -> [(time: Int64?, ordinal: Int)] {
        var order: [(time: Int64?, ordinal: Int)] = []
        try merge.forEach { _, values in
            order.append((values.time, values.ordinal))
            return true
        }
        return order
    }

    @Test("logs that follow one another in time are merged a cursor at a time, however many runs they make",
          arguments: [false, true])
    func followingRunsOpenOneAtATime(overlapping: Bool) throws {
        let scratch = try ScratchFolder()
        let (sources, events) = (40, 25)
        let (spill, bases) = try Self.spill(sources: sources, events: events, overlapping: overlapping, in: scratch)
        #expect(spill.timedRuns.count >= sources)
        var merge = RecordMerge(spills: [spill], ordinalBases: bases, skipping: [], correlation: CorrelationCollector().correlate(),
                                output: InputLocation(path: scratch.appending("timeline.csv")))
        merge.fanIn = 3
        let order = try Self.merged(merge)
        var expected: [(time: Int64?, ordinal: Int)] = []
        for source in 0 ..< sources {
            for line in 1 ... events {
                let second = Int64(overlapping ? line : source * events + line)
                expected.append((second * 1_000_000_000, bases[source] + line))
            }
        }
        expected.sort { ($0.time!, $0.ordinal) < ($1.time!, $1.ordinal) }
        #expect(order.map { $0.time } == expected.map { $0.time })
        #expect(order.map { $0.ordinal } == expected.map { $0.ordinal })
        #expect(merge.statistics.mostOpenCursors <= (overlapping ? merge.fanIn : 1))
        if overlapping {
            #expect(merge.statistics.settledRuns > 0, "forty runs over the same seconds cannot all be open")
        } else {
            #expect(merge.statistics.settledRuns == 0, "runs that never overlap are not written again")
        }
    }

    @Test("a spilled record's header reads back as written, for every time basis", arguments: TimeBasis.allCases)
    func headerRoundTrip(basis: TimeBasis) {
        var header = RecordHeader(time: -42, ordinal: 7, length: 300, source: 3, basis: basis, isLog: true, unit: 9)
        header.clockSegment = 2
        var bytes = [UInt8](repeating: 0, count: RecordHeader.size)
        bytes.withUnsafeMutableBytes { header.store(into: $0) }
        let read = bytes.withUnsafeBytes { RecordHeader($0) }
        #expect((read.time, read.ordinal, read.length, read.source, read.isLog, read.unit) == (-42, 7, 300, 3, true, 9))
        #expect(read.basis == basis)
        #expect(basis.staticName.description == basis.rawValue)
        #expect(read.clockSegment == 2)
    }
}
