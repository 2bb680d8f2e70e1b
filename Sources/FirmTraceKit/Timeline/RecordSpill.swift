/// The fixed part of a spilled record, before its template: what the merge needs to order it and fill
/// its holes without parsing it.
struct RecordHeader {
    static let size = 32
    /// Nanoseconds as read, before any clock correction; `Int64.min` for none.
    var time: Int64
    /// Place in its unit's arrival order, from 1.
    var ordinal: Int64
    var length: Int
    /// Index into the spill's table of sources; in a settled run, the number of the source's name among
    /// the merge's `sourceNames`.
    var source: Int
    var basis: TimeBasis
    var isLog: Bool
    /// The unit (piece of work) whose ordinals these are: a run may go on across the slices of one log
    /// that a thread read one after the other.
    var unit: Int
    /// In a settled run only: the clock segment the report numbers (`RecordValues.clockSegment`).
    var clockSegment: Int?

    func store(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: time.littleEndian, toByteOffset: 0, as: Int64.self)
        bytes.storeBytes(of: ordinal.littleEndian, toByteOffset: 8, as: Int64.self)
        bytes.storeBytes(of: UInt32(length).littleEndian, toByteOffset: 16, as: UInt32.self)
        bytes.storeBytes(of: UInt32(source).littleEndian, toByteOffset: 20, as: UInt32.self)
        bytes.storeBytes(of: basis.code, toByteOffset: 24, as: UInt8.self)
        bytes.storeBytes(of: isLog ? 1 : 0, toByteOffset: 25, as: UInt8.self)
        // At most `ClockSegments.maximum` segments of `Correlation.maximumSteps` + 1 stretches: far below 2^16.
        bytes.storeBytes(of: UInt16(clamping: clockSegment.map { $0 + 1 } ?? 0).littleEndian, toByteOffset: 26, as: UInt16.self)
        bytes.storeBytes(of: UInt32(truncatingIfNeeded: unit).littleEndian, toByteOffset: 28, as: UInt32.self)
    }

    init(time: Int64, ordinal: Int64, length: Int, source: Int, basis: TimeBasis, isLog: Bool, unit: Int) {
        (self.time, self.ordinal, self.length, self.source, self.basis, self.isLog, self.unit) = (time, ordinal, length, source, basis, isLog, unit)
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        time = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        ordinal = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        source = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: UInt32.self)))
        basis = TimeBasis(code: bytes[24])
        isLog = bytes[25] != 0
        let segment = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 26, as: UInt16.self)))
        clockSegment = segment == 0 ? nil : segment - 1
        unit = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 28, as: UInt32.self)))
    }
}

extension TimeBasis {
    /// The basis as one byte of a scratch record. The cases are kept once: `allCases` builds a new array
    /// each time it is asked, and records are read and written by the million.
    private static let all = allCases

    /// A switch, not a search of `all`: the merge asks it of every record.
    var code: UInt8 {
        switch self {
        case .capture: 0
        case .logEpoch: 1
        case .logClock: 2
        case .logUnsynced: 3
        case .unknown: 4
        }
    }

    init(code: UInt8) {
        self = Self.all[Int(code)]
    }

    /// The raw value as a static string: every record filled writes it, and the raw value is a new
    /// `String` each time it is asked.
    var staticName: StaticString {
        switch self {
        case .capture: "capture"
        case .logEpoch: "log_epoch"
        case .logClock: "log_clock"
        case .logUnsynced: "log_unsynced"
        case .unknown: "unknown"
        }
    }
}

/// Records of one source at `start ..< end` of a spill file: timed ones in time order (then arrival),
/// untimed ones of one unit in arrival order. One source a run, so that a clock offset found only at the
/// end moves a whole run without unsorting it. A timed run goes on across units when their times follow
/// on (the slices of a log one thread read); its records say their unit.
struct RecordRun {
    /// The `unit` of a run merged from others: its times are on the capture's clock and its ordinals
    /// count among all units.
    static let settled = -1

    let spill: Int
    /// The unit that began the run: for untimed runs, the one whose records it holds.
    let unit: Int
    let source: Int
    let start: Int64
    var end: Int64
    /// The times of its first and last records, as spilled (for a settled run, on the capture's clock).
    let firstTime: Int64
    var lastTime: Int64
}

/// Where one reading thread puts its events, formatted once as record templates: timed ones gathered up
/// to a memory bound, sorted and appended to a spill file (continuing the previous run when they follow
/// it, as a log's lines nearly always do), untimed ones appended in arrival order to another. The files
/// are unlinked as soon as they are made, so nothing is left behind however the run ends.
final class RecordSpill {
    let index: Int
    let timedFile: SpillFile
    let untimedFile: SpillFile
    private let format: TimelineFormat
    private let memoryBytes: Int
    /// Sources by clock segment: each segment is corrected on its own, so each makes runs of its own.
    private var sourceNames = InternTable<LogClock>()
    var sources: [LogClock] { sourceNames.names }
    private(set) var timedRuns: [RecordRun] = []
    private(set) var untimedRuns: [RecordRun] = []
    private var unit = 0
    private var batch = ByteBuffer(capacity: 1 << 16)
    private var entries: [(time: Int64, ordinal: Int64, offset: Int)] = []
    private var batchSource = -1
    private var untimed = ByteBuffer(capacity: 1 << 16)
    private var untimedSource = -1
    private let fieldsText = RepeatedFieldsText()

    init(index: Int, beside output: String, format: TimelineFormat, memoryBytes: Int) throws(InputError) {
        self.index = index
        self.format = format
        self.memoryBytes = max(1, memoryBytes)
        timedFile = try SpillFile(beside: output)
        untimedFile = try SpillFile(beside: output)
    }

    func begin(unit: Int) throws(InputError) {
        try flush()
        self.unit = unit
    }

    /// Formats and keeps one event; false when the format leaves it out.
    func add(_ event: Event, ordinal: Int) throws(InputError) -> Bool {
        let source = sourceNames.number(of: event.logClock).number
        let isLog = event.origin != "capture"
        guard let time = event.time else {
            if source != untimedSource { try flushUntimed() }
            untimedSource = source
            guard Self.append(event, ordinal: ordinal, time: .min, source: source, isLog: isLog, unit: unit, format: format, fieldsText: fieldsText,
                                    to: &untimed) else {
                return false
            }
            if untimed.count >= memoryBytes / 4 { try flushUntimed() }
            return true
        }
        if source != batchSource { try flushTimed() }
        batchSource = source
        let offset = batch.count
        guard Self.append(event, ordinal: ordinal, time: time, source: source, isLog: isLog, unit: unit, format: format, fieldsText: fieldsText,
                                to: &batch) else { return false }
        entries.append((time, Int64(ordinal), offset))
        if batch.count >= memoryBytes { try flushTimed() }
        return true
    }

    /// Writes out what is still held.
    func flush() throws(InputError) {
        try flushTimed()
        try flushUntimed()
        try timedFile.flush()
        try untimedFile.flush()
    }

    private static func append(_ event: Event, ordinal: Int, time: Int64, source: Int, isLog: Bool, unit: Int, format: TimelineFormat,
                               fieldsText: RepeatedFieldsText, to buffer: inout ByteBuffer) -> Bool {
        let start = buffer.count
        buffer.appendZeros(RecordHeader.size)
        guard format.appendTemplate(event, to: &buffer, fieldsText: fieldsText) else {
            buffer.truncate(to: start)
            return false
        }
        let header = RecordHeader(time: time, ordinal: Int64(ordinal), length: buffer.count - start - RecordHeader.size, source: source,
                                  basis: event.timeBasis, isLog: isLog, unit: unit)
        buffer.withMutableBytes { header.store(into: UnsafeMutableRawBufferPointer(rebasing: $0[start ..< start + RecordHeader.size])) }
        return true
    }

    private func flushTimed() throws(InputError) {
        guard let first = entries.first else { return }
        let ordered = zip(entries, entries.dropFirst()).allSatisfy { ($0.time, $0.ordinal) <= ($1.time, $1.ordinal) }
        if !ordered { entries.sort { ($0.time, $0.ordinal) < ($1.time, $1.ordinal) } }
        let earliest = ordered ? first.time : entries[0].time
        let start = timedFile.size
        let continues = timedRuns.last.map { $0.source == batchSource && $0.end == start && $0.lastTime <= earliest }
        if continues != true {
            timedRuns.append(RecordRun(spill: index, unit: unit, source: batchSource, start: start, end: start, firstTime: earliest,
                                       lastTime: earliest))
        }
        try batch.withBytes { (bytes) throws(InputError) in
            if ordered {
                try timedFile.append(bytes)
                return
            }
            for entry in entries {
                let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: entry.offset + 16, as: UInt32.self)))
                try timedFile.append(UnsafeRawBufferPointer(rebasing: bytes[entry.offset ..< entry.offset + RecordHeader.size + length]))
            }
        }
        try timedFile.seal()
        timedRuns[timedRuns.count - 1].end = timedFile.size
        timedRuns[timedRuns.count - 1].lastTime = entries[entries.count - 1].time
        batch.removeAll()
        entries.removeAll(keepingCapacity: true)
    }

    private func flushUntimed() throws(InputError) {
        guard !untimed.isEmpty else { return }
        let start = untimedFile.size
        try untimed.withBytes { (bytes) throws(InputError) in try untimedFile.append(bytes) }
        try untimedFile.seal()
        if let last = untimedRuns.last, last.unit == unit, last.source == untimedSource, last.end == start {
            untimedRuns[untimedRuns.count - 1].end = untimedFile.size
        } else {
            untimedRuns.append(RecordRun(spill: index, unit: unit, source: untimedSource, start: start, end: untimedFile.size,
                                         firstTime: .min, lastTime: .min))
        }
        untimed.removeAll()
    }
}
