import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one run's records back in order, a block at a time: no parsing, the header says where each
/// record ends. What has been read is given back to the system as it goes (a hole punched in the scratch
/// file), so that the scratch files of a long merge never hold more than they must.
final class RunCursor {
    let run: RecordRun
    private let descriptor: Int32
    private let output: InputLocation
    private let blocks: SpillBlockReader
    /// Where the pages not yet given back begin: page-aligned, as a page shared with a neighbouring run is
    /// never given back.
    private var released: Int64
    private static let pageSize: Int64 = 4096
    private static let releaseStep: Int64 = 4 << 20
    /// Decompressed records: one block and the part of a record the block before it left.
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private var filled = 0
    private var currentSize = 0
    private(set) var header = RecordHeader(time: 0, ordinal: 0, length: 0, source: 0, basis: .unknown, isLog: false, unit: 0)
    /// Set by the merge: what fills the current record's holes (time on the capture's clock, ordinal
    /// among all units), and the order key made of them.
    var values = RecordValues(time: nil, basis: .unknown, ordinal: 0)
    var key: (time: Int64, ordinal: Int) = (0, 0)

    func settle(_ values: RecordValues) {
        self.values = values
        key = (values.time ?? .max, values.ordinal)
    }

    /// Units whose records are passed over.
    private let skipping: Set<Int>
    /// What puts the run's log records on the capture's clock. Looked up once for the run: one source a
    /// run, and looked up for each record the correction was copied, its arrays retained and released.
    let correction: ClockCorrection?
    /// The number of the run's source's first clock segment, when the report numbers them.
    let firstSegment: Int?
    /// The number of the run's source among the merge's `sourceNames`; a settled run's records each say theirs.
    let sourceName: Int

    init(_ run: RecordRun, file: SpillFile, readSize: Int, output: InputLocation, skipping: Set<Int> = [],
         correction: ClockCorrection? = nil, firstSegment: Int? = nil, sourceName: Int = 0) {
        self.run = run
        self.correction = correction
        self.firstSegment = firstSegment
        self.sourceName = sourceName
        // A settled run's records carry no unit.
        self.skipping = run.unit == RecordRun.settled ? [] : skipping
        descriptor = file.descriptor
        self.output = output
        blocks = SpillBlockReader(descriptor: file.descriptor, from: run.start, to: run.end, readSize: readSize, output: output)
        released = (run.start + Self.pageSize - 1) / Self.pageSize * Self.pageSize
        buffer = .allocate(byteCount: SpillFile.blockSize + (16 << 10), alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// The current record's template; valid until `advance`.
    var template: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[used + RecordHeader.size ..< used + currentSize])
    }

    /// Moves to the next record not passed over; false at the end of the run.
    func advance() throws(InputError) -> Bool {
        repeat {
            used += currentSize
            currentSize = 0
            guard try ensure(RecordHeader.size) else { return false }
            header = RecordHeader(UnsafeRawBufferPointer(rebasing: buffer[used ..< used + RecordHeader.size]))
            let size = RecordHeader.size + header.length
            _ = try ensure(size)
            currentSize = size
        } while !skipping.isEmpty && skipping.contains(header.unit)
        return true
    }

    /// Makes `count` bytes from `used` available; false when the run has ended before any of them.
    /// A run that ends inside a record means the scratch file was cut short under us.
    private func ensure(_ count: Int) throws(InputError) -> Bool {
        if filled - used >= count { return true }
        if used > 0 {
            let remaining = filled - used
            if remaining > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + used, remaining) }
            (used, filled) = (0, remaining)
        }
        while filled < count, let length = try blocks.nextLength() {
            if filled + length > buffer.count {
                // A record longer than a block (an event with long continuation lines): grow to hold it.
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(filled + length, 2 * buffer.count), alignment: 16)
                larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled)
                buffer.deallocate()
                buffer = larger
            }
            try blocks.decompressNext(to: buffer.baseAddress! + filled, length: length)
            filled += length
        }
        release(upTo: blocks.consumed, final: blocks.isAtEnd)
        if filled == 0 { return false }
        guard filled >= count else { throw InputError(.unreadable("a scratch file ended inside a record"), at: output) }
        return true
    }

    /// Gives back the whole pages before `offset`, already consumed, in steps (or all of them at the end);
    /// a filesystem that cannot punch holes keeps them until the scratch file closes.
    private func release(upTo offset: Int64, final: Bool) {
        let end = offset / Self.pageSize * Self.pageSize
        guard end - released >= (final ? 1 : Self.releaseStep) else { return }
        _ = firmtrace_release_file_range(descriptor, released, end - released)
        released = end
    }
}

/// Hands the spilled records over in timeline order: a k-way merge of the timed runs (a binary heap on
/// time on the capture's clock, then arrival), then the untimed runs in arrival order. Each record comes
/// with the values that fill its holes. More runs than `fanIn` (many small sources, or a clock that keeps
/// stepping back) are first merged, the smallest first, into settled runs, times corrected and ordinals
/// global, so that read-back buffers never outgrow `bufferBudget` and a decompressed block a run, however
/// many runs there are.
struct RecordMerge {
    let spills: [RecordSpill]
    /// Where each unit's ordinals start among all units.
    let ordinalBases: [Int]
    /// Pieces whose records are left out: the same evidence as an earlier piece.
    let skipping: Set<Int>
    let correlation: Correlation
    let output: InputLocation
    var fanIn = 256
    /// Only the timed records inside it (on the capture's clock) are handed over.
    var window: TimeBounds?
    /// Only the records of the correlation's findings are handed over.
    var onlyFindings = false
    let statistics = MergeStatistics()
    /// Every source's name once, whichever spills hold its records: `RecordValues.source` numbers them.
    let sourceNames: [String]
    /// By spill, by the spill's source (a stretch of a source's clock): the number of its name.
    private let sourceNumbers: [[Int]]

    init(spills: [RecordSpill], ordinalBases: [Int], skipping: Set<Int>, correlation: Correlation, output: InputLocation) {
        (self.spills, self.ordinalBases, self.skipping, self.correlation, self.output) = (spills, ordinalBases, skipping, correlation, output)
        var names = InternTable<String>()
        sourceNumbers = spills.map { spill in spill.sources.map { names.number(of: $0.source).number } }
        sourceNames = names.names
    }

    /// The whole read-back buffer for compressed blocks, shared among the runs; each also holds one
    /// block decompressed.
    static let bufferBudget = 16 << 20

    private typealias Source = (run: RecordRun, file: SpillFile)

    func forEach(_ body: (UnsafeRawBufferPointer, RecordValues) throws(InputError) -> Bool) throws(InputError) {
        let linked = OrdinalSet(correlation.links.keys)
        let claimsWithoutPackets = OrdinalSet(correlation.unmatchedClaimOrdinals)
        let trafficWithoutLogLine = OrdinalSet(correlation.unloggedTrafficOrdinals)
        func values(_ cursor: RunCursor) -> RecordValues {
            let header = cursor.header
            var values = RecordValues(time: header.time == .min ? nil : header.time, basis: header.basis,
                                      ordinal: Int(header.ordinal), source: cursor.sourceName)
            if cursor.run.unit != RecordRun.settled {
                values.ordinal += ordinalBases[header.unit]
                // Moving a run's times by the same correction (drifting at most `ClockDrift.maximumRate`) keeps it in order.
                if header.isLog, let time = values.time {
                    if let first = cursor.firstSegment {
                        values.clockSegment = first + (cursor.correction?.piece(at: time) ?? 0)
                    }
                    if let correction = cursor.correction {
                        values.time = correction.captureTime(time)
                        values.basis = .logClock
                    }
                }
            } else {
                values.clockSegment = header.clockSegment
                values.source = header.source
            }
            values.isLinked = linked.contains(values.ordinal)
            if claimsWithoutPackets.contains(values.ordinal) {
                values.finding = .claimWithoutPacket
            } else if trafficWithoutLogLine.contains(values.ordinal) {
                values.finding = .trafficWithoutLogLine
            }
            return values
        }
        var timed: [Source] = spills.flatMap { spill in spill.timedRuns.map { ($0, spill.timedFile) } }
        while case let crowded = mostOverlapping(timed), crowded.count > max(2, fanIn) {
            timed = try settleSmallest(of: crowded, in: timed, values: values)
        }
        // The unselected records passed over here; `selected` stops the merge at the first past the window.
        let isSelecting = window != nil || onlyFindings
        func selected(_ template: UnsafeRawBufferPointer, _ values: RecordValues) throws(InputError) -> Bool {
            if let window {
                let time = values.time ?? .max
                if window.isPast(time) { return false }
                guard window.contains(time) else { return true }
            }
            guard !onlyFindings || values.finding != nil else { return true }
            return try body(template, values)
        }
        let goesOn = try isSelecting ? merge(timed, values: values, selected) : merge(timed, values: values, body)
        // No record without a time falls inside a window.
        guard goesOn, window == nil else { return }
        // Units are numbered as they are met (an archive's members as it is read), not in walk order: where
        // their ordinals start is.
        let untimed = spills.flatMap(\.untimedRuns).enumerated().sorted {
            (ordinalBases[$0.element.unit], $0.offset) < (ordinalBases[$1.element.unit], $1.offset)
        }
        for (_, run) in untimed {
            let cursor = makeCursor(run, file: spills[run.spill].untimedFile, readSize: 1 << 20)
            while try cursor.advance() {
                guard try isSelecting ? selected(cursor.template, values(cursor)) : body(cursor.template, values(cursor)) else { return }
            }
        }
    }

    private func makeCursor(_ run: RecordRun, file: SpillFile, readSize: Int) -> RunCursor {
        guard run.unit != RecordRun.settled else { return RunCursor(run, file: file, readSize: readSize, output: output, skipping: skipping) }
        let clock = spills[run.spill].sources[run.source]
        return RunCursor(run, file: file, readSize: readSize, output: output, skipping: skipping,
                         correction: correlation.corrections[clock], firstSegment: correlation.segmentNumbers[clock],
                         sourceName: sourceNumbers[run.spill][run.source])
    }

    /// The first and last times of a run's records on the capture's clock: a run's clock is corrected as
    /// a whole, keeping it in order.
    private func span(of run: RecordRun) -> (first: Int64, last: Int64) {
        guard run.unit != RecordRun.settled, let correction = correlation.corrections[spills[run.spill].sources[run.source]] else {
            return (run.firstTime, run.lastTime)
        }
        return (correction.captureTime(run.firstTime), correction.captureTime(run.lastTime))
    }

    /// The runs (indices into `runs`) whose spans share the moment most of them share: as many cursors as
    /// the merge holds open at once.
    private func mostOverlapping(_ runs: [Source]) -> [Int] {
        // At a moment where one span ends and another begins both are open: beginnings come first.
        let edges = runs.indices.flatMap { index in
            let span = span(of: runs[index].run)
            return [(time: span.first, isEnd: false), (time: span.last, isEnd: true)]
        }.sorted { ($0.time, $0.isEnd ? 1 : 0) < ($1.time, $1.isEnd ? 1 : 0) }
        var (open, most, moment) = (0, 0, Int64.min)
        for edge in edges {
            open += edge.isEnd ? -1 : 1
            if open > most { (most, moment) = (open, edge.time) }
        }
        return runs.indices.filter { index in
            let span = span(of: runs[index].run)
            return span.first <= moment && moment <= span.last
        }
    }

    /// Merges the smallest of the runs open at one moment into one settled run, in a new scratch file: as
    /// many as bring their count down to `fanIn`, and at most `fanIn`. Only they are written again: merging
    /// every run in groups wrote the whole timeline once more, alone on one core (1.5 s of a 10 s timeline
    /// of 279 log files).
    private func settleSmallest(of crowded: [Int], in runs: [Source], values: (RunCursor) -> RecordValues) throws(InputError) -> [Source] {
        let bySize = crowded.sorted { runs[$0].run.end - runs[$0].run.start < runs[$1].run.end - runs[$1].run.start }
        let merged = Set(bySize.prefix(min(fanIn, crowded.count - fanIn + 1)))
        let file = try SpillFile(beside: output.source)
        var header = [UInt8](repeating: 0, count: RecordHeader.size)
        var (first, last) = (Int64?.none, Int64.min)
        _ = try merge(merged.sorted().map { runs[$0] }, values: values) { (template, values) throws(InputError) in
            var settledHeader = RecordHeader(time: values.time ?? .min, ordinal: Int64(values.ordinal), length: template.count,
                                             source: values.source, basis: values.basis, isLog: false, unit: 0)
            settledHeader.clockSegment = values.clockSegment
            (first, last) = (first ?? settledHeader.time, settledHeader.time)
            header.withUnsafeMutableBytes { settledHeader.store(into: $0) }
            try header.withBytes { (bytes) throws(InputError) in try file.append(bytes) }
            try file.append(template)
            return true
        }
        try file.flush()
        statistics.settledRuns += merged.count
        let settled = RecordRun(spill: -1, unit: RecordRun.settled, source: 0, start: 0, end: file.size, firstTime: first ?? .min, lastTime: last)
        return runs.indices.filter { !merged.contains($0) }.map { runs[$0] } + [(settled, file)]
    }

    /// Returns false when `body` asked to stop. A run's cursor (and the block it holds) is opened only once
    /// the merge has reached the time of its first record: rotated logs follow one another, and with a
    /// cursor open for each of hundreds of them the merge first settled half the timeline again.
    private func merge(_ runs: [Source], values: (RunCursor) -> RecordValues,
                       _ body: (UnsafeRawBufferPointer, RecordValues) throws(InputError) -> Bool) throws(InputError) -> Bool {
        let readSize = min(1 << 20, Self.bufferBudget / max(1, mostOverlapping(runs).count))
        var waiting = runs.map { (source: $0, first: span(of: $0.run).first) }.sorted { $0.first > $1.first }
        var heap = CursorHeap()
        func open(_ source: Source) throws(InputError) {
            let cursor = makeCursor(source.run, file: source.file, readSize: readSize)
            guard try cursor.advance() else { return }
            cursor.settle(values(cursor))
            heap.insert(cursor)
            statistics.mostOpenCursors = max(statistics.mostOpenCursors, heap.count)
        }
        while true {
            guard let top = heap.top else {
                guard let next = waiting.popLast() else { return true }
                try open(next.source)
                continue
            }
            if let next = waiting.last, next.first <= top.key.time {
                waiting.removeLast()
                try open(next.source)
                continue
            }
            // Records are written from the top cursor for as long as it stays the smallest (a log's run
            // gives thousands in a row): the top taken from the heap for each record was retained and
            // released each time, on the thread every record passes through.
            while true {
                guard try body(top.template, top.values) else { return false }
                guard try top.advance() else {
                    heap.removeTop()
                    break
                }
                top.settle(values(top))
                guard heap.isSmallest(top.key), waiting.last.map({ $0.first > top.key.time }) ?? true else {
                    heap.topChanged()
                    break
                }
            }
        }
    }
}

/// What a merge held: the runs it merged ahead of the last merge, and the most cursors it had open at once.
final class MergeStatistics {
    var settledRuns = 0
    var mostOpenCursors = 0
}

/// A min-heap of cursors on their keys.
private struct CursorHeap {
    private var cursors: [RunCursor] = []

    var top: RunCursor? { cursors.first }
    var count: Int { cursors.count }

    mutating func insert(_ cursor: RunCursor) {
        cursors.append(cursor)
        var index = cursors.count - 1
        while index > 0, cursors[index].key < cursors[(index - 1) / 2].key {
            cursors.swapAt(index, (index - 1) / 2)
            index = (index - 1) / 2
        }
    }

    mutating func topChanged() { siftDown(0) }

    /// Whether the top, its key changed to `key`, is still where `topChanged` would leave it.
    func isSmallest(_ key: (time: Int64, ordinal: Int)) -> Bool {
        !(cursors.count > 1 && cursors[1].key < key) && !(cursors.count > 2 && cursors[2].key < key)
    }

    mutating func removeTop() {
        cursors.swapAt(0, cursors.count - 1)
        cursors.removeLast()
        if !cursors.isEmpty { siftDown(0) }
    }

    private mutating func siftDown(_ start: Int) {
        var index = start
        while true {
            let left = 2 * index + 1, right = left + 1
            var smallest = index
            if left < cursors.count, cursors[left].key < cursors[smallest].key { smallest = left }
            if right < cursors.count, cursors[right].key < cursors[smallest].key { smallest = right }
            guard smallest != index else { return }
            cursors.swapAt(index, smallest)
            index = smallest
        }
    }
}
