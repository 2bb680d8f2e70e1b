#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CShims
import Dispatch
import Synchronization

public struct TimelineRequest: Sendable {
    public var inputs: [String]
    public var output: String
    public var format: TimelineFormat
    public var overwrite: Bool
    public var tuyaKey: String?
    public var miioToken: [UInt8]?
    /// Bytes of formatted events each reading thread sorts in memory before it spills a run to disk.
    public var memoryBytes: Int
    /// For device-local logs without epochs, as for grep.
    public var assumedZone: Int64?
    public var assumedYear: Int64?
    /// Which events are written (`grep`'s filters). Every event is still read: the clocks, the links and the
    /// ids are those of the whole timeline, so a filtered timeline's rows are the same as the whole one's.
    public var query = EventQuery()
    /// Only the correlation's findings are written (`RecordFinding`), each as the whole timeline has it.
    public var onlyFindings = false
    /// Runs merged at once; more go through intermediate merges (lowered by tests to exercise them).
    var mergeFanIn = 256
    /// Bytes of a log read as one slice when its lines are decoded side by side (`LogReadPlan.sliceBytes`).
    var sliceBytes: Int64? = SlicedLog.sliceBytes
    /// An archive member larger than this is not held whole: a log is read in windows of a quarter of it.
    var wholeMemberBytes = MemberBytes.wholeLimit

    public init(inputs: [String], output: String, format: TimelineFormat, overwrite: Bool = false, tuyaKey: String? = nil,
                miioToken: [UInt8]? = nil, memoryBytes: Int = 32 << 20) {
        self.inputs = inputs
        self.output = output
        self.format = format
        self.overwrite = overwrite
        self.tuyaKey = tuyaKey
        self.miioToken = miioToken
        self.memoryBytes = memoryBytes
    }
}

/// How far a timeline has got: events read (and sorted) so far, then events written.
public struct TimelineProgress: Sendable {
    /// Indexing: an SQLite timeline's indexes are built once every row is in.
    public enum Phase: String, Sendable { case reading, writing, indexing }
    public let phase: Phase
    public let events: Int
    /// How much of the phase is done, of how much: while reading, bytes of the input files read to their
    /// end (a large log slice by slice, other files whole); while writing, events.
    public let done: Int64
    public let total: Int64
}

public struct TimelineOutcome: Sendable {
    /// Logs against captures, found while reading; applied to the timeline.
    public let correlation: Correlation
    /// Events read from the inputs, written or not.
    public let read: Int
    public let written: Int
    /// False when no input gave an event and some failed: nothing is written (`Timeline.run`).
    public let isWritten: Bool
    public let withoutTime: Int
    /// Events the format cannot hold (no time, for Timesketch and l2tcsv).
    public let leftOut: Int
    public let diagnostics: Diagnostics

    /// Events read that the request's selection (its query, `onlyFindings`) left out.
    public var unmatched: Int { read - written - leftOut }

    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : 0 }
}

/// `firmtrace timeline`: every event of every input, logs and captures, in one time-ordered file.
public enum Timeline {
    /// Reads everything once, the inputs' files (and slices of large logs) side by side, one thread each
    /// up to the cores there are: each event is formatted once, as a record with holes for what the
    /// correlation settles at the end (time on the capture's clock, basis, id, links), and spilled in
    /// sorted runs; the runs are then merged with the holes filled. Ids are `e` and the event's place in
    /// the order one walk of the inputs would read them, the same in every read of the same inputs.
    public static func run(_ request: TimelineRequest,
                           progress: (@Sendable (TimelineProgress) -> Void)? = nil) throws(InputError) -> TimelineOutcome {
        let output = InputLocation(path: request.output)
        try AtomicOutputFile.checkWritable(request.output, overwrite: request.overwrite)
        let read = try read(request, spilling: true, progress: progress)
        if read.events == 0, read.diagnostics.hasErrors {
            // A file holding a header alone would look like the timeline of inputs that held nothing.
            var diagnostics = read.diagnostics
            diagnostics.report(.error, at: output, "not written: no input gave an event")
            return TimelineOutcome(correlation: read.correlation, read: 0, written: 0, isWritten: false, withoutTime: 0, leftOut: 0,
                                   diagnostics: diagnostics)
        }
        var merge = RecordMerge(spills: read.spills, ordinalBases: read.ordinalBases, skipping: read.repeatedPieces,
                                correlation: read.correlation, output: output)
        merge.fanIn = request.mergeFanIn
        merge.window = request.query.window
        merge.onlyFindings = request.onlyFindings
        let records = Int64(read.records)
        let writing = progress.map { progress in
            { @Sendable (written: Int) in progress(TimelineProgress(phase: .writing, events: written, done: Int64(written), total: records)) }
        }
        let indexing = progress.map { progress in
            { @Sendable in progress(TimelineProgress(phase: .indexing, events: Int(records), done: 0, total: records)) }
        }
        let written = request.format == .sqlite
            ? try writeDatabase(merge, request: request, progress: writing, indexing: indexing)
            : try writeFile(merge, request: request, progress: writing)
        return TimelineOutcome(correlation: read.correlation, read: read.events, written: written, isWritten: true,
                               withoutTime: read.withoutTime, leftOut: read.leftOut, diagnostics: read.diagnostics)
    }

    /// The correlation of the request's inputs alone, read as a timeline reads them (side by side, large logs
    /// in slices) with nothing formatted: `correlate` and `clock` without an output. The output and format
    /// are not used.
    static func correlation(_ request: TimelineRequest, progress: (@Sendable (TimelineProgress) -> Void)?) throws(InputError)
        -> (correlation: Correlation, diagnostics: Diagnostics) {
        let read = try read(request, spilling: false, progress: progress)
        return (read.correlation, read.diagnostics)
    }

    private struct Reading {
        let spills: [RecordSpill]
        /// Every event read.
        let events: Int
        /// Events in the spills: every event read, less those the query or the format leaves out.
        let records: Int
        /// Where each piece of work's ordinals start among all of them.
        let ordinalBases: [Int]
        /// Pieces left out as the same evidence as an earlier one: their records are not written.
        let repeatedPieces: Set<Int>
        let correlation: Correlation
        let diagnostics: Diagnostics
        let leftOut: Int
        let withoutTime: Int
    }

    /// Reads every input once; with `spilling`, each event is also formatted into the reading thread's spill.
    private static func read(_ request: TimelineRequest, spilling: Bool,
                             progress: (@Sendable (TimelineProgress) -> Void)?) throws(InputError) -> Reading {
        var diagnostics = Diagnostics()
        let units = InputWalker.units(request.inputs, diagnostics: &diagnostics)
        let readers = try UnitReaders(request: request, units: units, captureYear: CaptureOrder.firstYear(among: units),
                                      spilling: spilling, progress: progress)
        readers.readAll()
        if let failure = readers.failure { throw failure }
        return readers.absorption.withLock { absorbed in
            absorbed.diagnostics.all.forEach { diagnostics.report($0) }
            return Reading(spills: readers.spills, events: absorbed.collector.ordinal,
                           records: absorbed.collector.ordinal - absorbed.leftOut - absorbed.unmatched,
                           ordinalBases: absorbed.ordinalBases, repeatedPieces: absorbed.repeatedPieces,
                           correlation: absorbed.collector.correlate(),
                           diagnostics: diagnostics, leftOut: absorbed.leftOut, withoutTime: absorbed.withoutTime)
        }
    }

    static let progressStep = 10_000

    private static func writeFile(_ merge: RecordMerge, request: TimelineRequest,
                                  progress: (@Sendable (Int) -> Void)?) throws(InputError) -> Int {
        let file = BackgroundFileWriter(try AtomicOutputFile(path: request.output, overwrite: request.overwrite))
        if let header = request.format.header {
            var bytes = ByteBuffer()
            bytes.append(utf8: header)
            _ = file.write(bytes)
        }
        let filler = RecordFiller(format: request.format, shared: SharedHoleValues(merge, format: request.format), writer: file)
        var written = 0
        do throws(InputError) {
            try merge.forEach { (template, values) throws(InputError) in
                written += 1
                if written % progressStep == 0 { progress?(written) }
                return filler.add(template, values)
            }
            filler.finish()
            try file.commit()
        } catch {
            // Removed here, not when the last reference goes: a filling job can still hold the file for a
            // moment after its batch is written, and the process may exit in that moment.
            filler.finish()
            file.discard()
            throw error
        }
        return written
    }

    /// SQLite takes values, not text: each record is filled as a JSON line and read into its rows' columns
    /// (`SQLiteRow`), off the writer's thread.
    private static func writeDatabase(_ merge: RecordMerge, request: TimelineRequest, progress: (@Sendable (Int) -> Void)?,
                                      indexing: (@Sendable () -> Void)?) throws(InputError) -> Int {
        let database = try SQLiteTimelineWriter(path: request.output, overwrite: request.overwrite)
        let rows = RecordRows(merge, format: request.format, output: InputLocation(path: request.output), row: SQLiteRow.init(line:))
        defer { rows.finish() }
        var count = 0
        return try database.write({ body throws(InputError) in
            while let batch = try rows.next() {
                for row in batch {
                    count += 1
                    if count % progressStep == 0 { progress?(count) }
                    guard body(row) else { return }
                }
            }
        }, indexing: { indexing?() })
    }
}

/// What reading one piece of work left: its correlation evidence (ordinals counted within the piece) and
/// counts. An archive's are its members', each read as pieces of their own (`parts`, in walk order).
/// `@unchecked Sendable`: the reading thread hands it over whole and never touches its collector again.
struct UnitResult: @unchecked Sendable {
    /// For a unit that may repeat another (`RepeatedEvidence`): its name and what it held.
    var evidence: RepeatedEvidence.Unit?
    var correlation = CorrelationCollector()
    var diagnostics = Diagnostics()
    var yearSources: [String: String] = [:]
    var leftOut = 0
    var unmatched = 0
    var withoutTime = 0
    var parts: [(unit: Int, result: UnitResult)] = []
}

/// The pieces' results taken in, in walk order, each as soon as those before it are in: a large log's
/// hundreds of slices each leave a collector, and holding them all until the end cost the benchmark's
/// timeline 60 MiB.
private struct Absorption {
    let collector = CorrelationCollector()
    /// Where each unit's ordinals start among all of them.
    private(set) var ordinalBases: [Int] = []
    private(set) var diagnostics = Diagnostics()
    private(set) var leftOut = 0
    private(set) var unmatched = 0
    private(set) var withoutTime = 0
    private(set) var repeatedPieces: Set<Int> = []
    private var repeated = RepeatedEvidence()
    private var waiting: [Int: UnitResult] = [:]
    private var nextPiece = 0
    /// An archive's parts given before the archive is done (`add(parts:of:)`), and the messages of those
    /// taken in, which wait to follow the archive's own.
    private var earlyParts: [Int: [(unit: Int, result: UnitResult)]] = [:]
    private var heldDiagnostics: [Int: [Diagnostics]] = [:]

    mutating func add(_ result: UnitResult, piece: Int) {
        waiting[piece] = result
        while let next = waiting.removeValue(forKey: nextPiece) {
            let piece = nextPiece
            absorbEarlyParts()
            nextPiece += 1
            if let evidence = next.evidence, let original = repeated.original(of: evidence) {
                diagnostics.report(.notice, at: InputLocation(path: evidence.path), "the same evidence as \(original); read once")
                for unit in [piece] + next.parts.map(\.unit) {
                    setOrdinalBase(of: unit)
                    repeatedPieces.insert(unit)
                }
                continue
            }
            absorb(next, unit: piece)
            heldDiagnostics.removeValue(forKey: piece)?.forEach { $0.all.forEach { diagnostics.report($0) } }
            next.parts.forEach { absorb($0.result, unit: $0.unit) }
        }
        absorbEarlyParts()
    }

    /// Parts of `piece` (an archive's members, in walk order) before the piece is done: taken in at once
    /// when every piece before it is in, so that a large bundle's slices do not all wait, held, for its end.
    /// An archive that may repeat another gives its parts only when done: they are taken in, or not, whole.
    mutating func add(parts: [(unit: Int, result: UnitResult)], of piece: Int) {
        earlyParts[piece, default: []] += parts
        absorbEarlyParts()
    }

    private mutating func absorbEarlyParts() {
        guard let parts = earlyParts.removeValue(forKey: nextPiece) else { return }
        for part in parts {
            absorb(part.result, unit: part.unit, reporting: false)
            heldDiagnostics[nextPiece, default: []].append(part.result.diagnostics)
        }
    }

    private mutating func absorb(_ result: UnitResult, unit: Int, reporting: Bool = true) {
        setOrdinalBase(of: unit)
        collector.absorb(result.correlation, ordinalBase: collector.ordinal)
        collector.note(yearSources: result.yearSources)
        if reporting { result.diagnostics.all.forEach { diagnostics.report($0) } }
        leftOut += result.leftOut
        unmatched += result.unmatched
        withoutTime += result.withoutTime
    }

    private mutating func setOrdinalBase(of unit: Int) {
        if unit >= ordinalBases.count { ordinalBases += Array(repeating: 0, count: unit + 1 - ordinalBases.count) }
        ordinalBases[unit] = collector.ordinal
    }
}

/// Reads the units on as many threads as there are cores (and pieces of work), each thread with its own
/// spill when spilling. A large log is read as slices (`SlicedLog`), each a piece of work of its own; so
/// are the members of an archive, which its reading thread reads into memory one after another and offers
/// to the other threads (`MemberWork`). Results, spill units and ordinals count pieces in walk order, a
/// sliced log's slices in file order.
private final class UnitReaders: @unchecked Sendable {
    // @unchecked: each spill is touched by one thread at a time; `firstFailure` and `absorption` are behind
    // locks, `nextPiece` is atomic.
    /// One per thread; none when not spilling.
    let spills: [RecordSpill]
    private let threads: Int
    private let request: TimelineRequest
    /// The request's query less its time window; nil when it selects every event.
    private let query: EventQuery?
    private let window: TimeBounds?
    private let work: [Work]
    /// The order pieces are taken in: whole units first, so that a capture read beside the slices of a log
    /// does not end up alone at the end, and of them those too large to slice (captures, archives) the
    /// largest first, so that neither does one read after a folder of small logs; then slices in file order,
    /// which their placing waits on. The small units keep walk order: a piece's result waits, held, until
    /// those before it in walk order are in.
    private let order: [Int]
    private let grep: GrepRequest
    /// How `grep` reads logs, for the slices of archive members.
    private let plan: LogReadPlan
    private let progress: (@Sendable (TimelineProgress) -> Void)?
    /// The next piece to take, as a place in `order`.
    private let nextPiece = Atomic<Int>(0)
    /// Units for archive members and their slices are numbered on from the pieces of `work`.
    private let nextUnit: Atomic<Int>
    private let memberWork: MemberWork
    private let firstFailure = Locked<InputError?>(nil)
    private let stopped = Atomic<Bool>(false)
    private let eventsRead = Atomic<Int>(0)
    /// Bytes of each piece, of the pieces read to their end, and of all of them, for the progress line.
    private let pieceBytes: [Int64]
    private let bytesRead = Atomic<Int64>(0)
    private let bytesTotal: Int64
    /// Files read whole that may be another's copy (`RepeatedEvidence`).
    private let repeatCandidates: Set<String>
    /// Complete once every piece has been read.
    let absorption = Locked(Absorption())

    private enum Work {
        case unit(InputWalker.Unit)
        case archive(InputWalker.Unit)
        case slice(SlicedLog, Int)

        /// The unit, for a piece that is a whole file.
        var wholeUnit: InputWalker.Unit? {
            switch self {
            case .unit(let unit), .archive(let unit): unit
            case .slice: nil
            }
        }
    }

    init(request: TimelineRequest, units: [InputWalker.Unit], captureYear: Int64?, spilling: Bool,
         progress: (@Sendable (TimelineProgress) -> Void)?) throws(InputError) {
        self.request = request
        var query = request.query
        (query.since, query.until) = (nil, nil)
        self.query = query.selectsEverything ? nil : query
        window = request.query.window
        self.progress = progress
        var grep = GrepRequest(inputs: [], tuyaKey: request.tuyaKey, miioToken: request.miioToken)
        (grep.assumedZone, grep.assumedYear, grep.captureYear) = (request.assumedZone, request.assumedYear, captureYear)
        grep.sliceBytes = request.sliceBytes
        self.grep = grep
        let plan = grep.logReadPlan(needsEvents: true)
        self.plan = plan
        let work = units.flatMap { unit -> [Work] in
            guard let sliceBytes = plan.sliceBytes else { return [.unit(unit)] }
            guard let log = SlicedLog(unit, plan: plan, sliceBytes: sliceBytes) else { return [Self.isArchive(unit) ? .archive(unit) : .unit(unit)] }
            return (0 ..< log.sliceCount).map { .slice(log, $0) }
        }
        self.work = work
        nextUnit = Atomic(work.count)
        pieceBytes = work.map(Self.bytes(of:))
        bytesTotal = pieceBytes.reduce(0, +)
        repeatCandidates = RepeatedEvidence.candidates(work.compactMap(\.wholeUnit?.path))
        let (bytes, unsliced) = (pieceBytes, 2 * (request.sliceBytes ?? SlicedLog.sliceBytes))
        let units = work.indices.filter { work[$0].wholeUnit != nil }
        order = units.filter { bytes[$0] >= unsliced }.sorted { (bytes[$0], $1) > (bytes[$1], $0) } + units.filter { bytes[$0] < unsliced }
            + work.indices.filter { work[$0].wholeUnit == nil }
        let archives = work.count { if case .archive = $0 { true } else { false } }
        // An archive's members keep every core busy, however few the inputs.
        threads = max(1, min(archives > 0 ? Int.max : work.count, Int(firmtrace_active_cores())))
        memberWork = MemberWork(archives: archives, readers: threads)
        spills = spilling ? try (0 ..< threads).map { (index) throws(InputError) in
            try RecordSpill(index: index, beside: request.output, format: request.format, memoryBytes: request.memoryBytes)
        } : []
    }

    var failure: InputError? { firstFailure.withLock { $0 } }

    private static func isArchive(_ unit: InputWalker.Unit) -> Bool {
        guard let file = try? FileChunkReader(path: unit.path), let head = try? file.head(ContentSniffer.prefixLength) else { return false }
        return ContentSniffer.kind(of: head).isArchive
    }

    private static func bytes(of work: Work) -> Int64 {
        switch work {
        case .unit(let unit), .archive(let unit):
            var status = stat()
            return stat(unit.path, &status) == 0 ? Int64(status.st_size) : 0
        case .slice(let log, let index):
            return log.nominalBytes(ofSlice: index)
        }
    }

    func readAll() {
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            while !stopped.load(ordering: .relaxed) {
                let place = nextPiece.wrappingAdd(1, ordering: .relaxed).oldValue
                guard place < order.count else { break }
                read(order[place], thread: thread)
            }
            while let member = memberWork.next() { read(member, thread: thread) }
        }
    }

    private func read(_ piece: Int, thread: Int) {
        defer { bytesRead.wrappingAdd(pieceBytes[piece], ordering: .relaxed) }
        let spill = spills.isEmpty ? nil : spills[thread]
        let result: UnitResult?
        do throws(InputError) {
            switch work[piece] {
            case .slice(let log, let index):
                result = try read(slice: index, of: log, unit: piece, into: spill, comparing: nil)
            case .unit(let unit):
                result = try read(unit: piece, into: spill, comparing: repeatCandidates.contains(unit.path) ? unit.path : nil) { sink in
                    let outcome = Grep.run(grep, units: [unit], sink: sink)
                    return (outcome.diagnostics, outcome.yearSources)
                }
            case .archive(let unit):
                result = try read(archive: unit, piece: piece, thread: thread)
            }
        } catch {
            fail(error)
            return
        }
        if let result { absorption.withLock { $0.add(result, piece: piece) } }
    }

    private func read(_ member: MemberSlice, thread: Int) {
        var result: UnitResult?
        defer { member.archive.complete(member.unit, result: result, bytes: member.bytes) }
        do throws(InputError) {
            result = try read(slice: member.slice, of: member.log, unit: member.unit, into: spills.isEmpty ? nil : spills[thread],
                              comparing: member.archive.comparing)
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: InputError) {
        firstFailure.withLock { if $0 == nil { $0 = error } }
        stopped.store(true, ordering: .relaxed)
        memberWork.stop()
    }

    private func read(slice index: Int, of log: SlicedLog, unit: Int, into spill: RecordSpill?, comparing: String?) throws(InputError) -> UnitResult {
        // Placing waits for the slice before, which was taken earlier and so is being read already. It comes
        // first here: the turn must pass on to the next slice whatever fails after it.
        let placed = try log.read(slice: index)
        return try read(unit: unit, into: spill, comparing: comparing) { sink in
            placed.events.drain { event in sink.accept(event) }
            return (placed.ending?.diagnostics ?? Diagnostics(), placed.ending?.yearSources ?? [:])
        }
    }

    /// Reads one unit's events into `spill` through `body`, which returns what the unit's reading said.
    private func read(unit: Int, into spill: RecordSpill?, comparing: String?,
                      _ body: (UnitSink) -> (diagnostics: Diagnostics, yearSources: [String: String])) throws(InputError) -> UnitResult {
        let sink = try begin(unit: unit, into: spill, comparing: comparing)
        let ending = body(sink)
        return try finish(sink, into: spill, diagnostics: ending.diagnostics, yearSources: ending.yearSources)
    }

    private func begin(unit: Int, into spill: RecordSpill?, comparing: String?) throws(InputError) -> UnitSink {
        try spill?.begin(unit: unit)
        return UnitSink(spill: spill, readers: self, comparing: comparing, query: query, window: window,
                        onlyFindings: request.onlyFindings)
    }

    private func finish(_ sink: UnitSink, into spill: RecordSpill?, diagnostics: Diagnostics,
                        yearSources: [String: String]) throws(InputError) -> UnitResult {
        if let failure = sink.failure { throw failure }
        try spill?.flush()
        return UnitResult(evidence: sink.evidence, correlation: sink.correlation, diagnostics: diagnostics, yearSources: yearSources,
                          leftOut: sink.leftOut, unmatched: sink.unmatched, withoutTime: sink.withoutTime)
    }

    /// Walks an archive, reading each member into memory: a log large enough to slice is offered to the
    /// other threads as slices; the members between such logs (small logs, captures, members too large to
    /// hold, read as streams) are read here, one after another as one unit — each a unit of its own, a
    /// bundle of thousands of small files took twice as long. Returns once every member has been read, nil
    /// when another thread failed meanwhile.
    private func read(archive unit: InputWalker.Unit, piece: Int, thread: Int) throws(InputError) -> UnitResult? {
        defer { memberWork.archiveDone() }
        let spill = spills.isEmpty ? nil : spills[thread]
        let archive = ArchiveMembers(comparing: repeatCandidates.contains(unit.path) ? unit.path : nil) { [absorption] parts in
            absorption.withLock { $0.add(parts: parts, of: piece) }
        }
        var walk = Diagnostics()
        var failure: InputError?
        var group: (unit: Int, sink: UnitSink, session: GrepSession)?
        // The spill is this thread's: a group of members is finished before the thread reads any slice.
        func finishGroup() {
            guard let open = group else { return }
            group = nil
            let outcome = open.session.finish()
            do throws(InputError) {
                let result = try finish(open.sink, into: spill, diagnostics: outcome.diagnostics, yearSources: outcome.yearSources)
                archive.complete(open.unit, result: result, bytes: 0)
            } catch {
                archive.complete(open.unit, result: nil, bytes: 0)
                failure = failure ?? error
            }
        }
        // Read with the members before it, as one unit; then what stopped it partway is said.
        func readInGroup(_ member: InputSource, damage: InputError?) throws(InputError) -> Bool {
            if group == nil {
                let unit = nextUnit.wrappingAdd(1, ordering: .relaxed).oldValue
                archive.expect(unit, bytes: 0)
                do throws(InputError) {
                    let sink = try begin(unit: unit, into: spill, comparing: archive.comparing)
                    group = (unit, sink, GrepSession(grep, sink: sink))
                } catch {
                    archive.complete(unit, result: nil, bytes: 0)
                    failure = error
                    return false
                }
            }
            let keepGoing = try group!.session.read(member)
            if let damage { throw damage }
            return keepGoing
        }
        InputWalker.walk([unit], diagnostics: &walk) { source throws(InputError) in
            guard failure == nil, !stopped.load(ordering: .relaxed) else { return false }
            var member = MemberBytes(source, wholeLimit: request.wholeMemberBytes)
            if let sliceBytes = plan.sliceBytes {
                if member.isWhole, let log = SlicedLog(member: member.source, bytes: member.bytes, plan: plan, sliceBytes: sliceBytes) {
                    finishGroup()
                    guard failure == nil else { return false }
                    offer(log, of: archive, thread: thread)
                    if let damage = member.damage { throw damage }
                    return true
                }
                if let rest = member.rest, let dialect = SlicedLog.sliceableDialect(member.bytes, member.naming) {
                    finishGroup()
                    guard failure == nil else { return false }
                    // The bytes go over whole: no other source of them may be made first, or the windows
                    // cut from them would copy them.
                    switch try readWindows(member.takeBytes(), of: member.naming, rest: rest, dialect: dialect, sliceBytes: sliceBytes,
                                           archive: archive, spill: spill, thread: thread) {
                    case .read: return true
                    case .inGroup(let source, let damage): return try readInGroup(source, damage: damage)
                    }
                }
            }
            return try readInGroup(member.source, damage: member.damage)
        }
        finishGroup()
        while !archive.isComplete {
            if let slice = memberWork.take() { read(slice, thread: thread) } else { archive.awaitCompletion() }
        }
        if let failure { throw failure }
        guard let parts = archive.results else { return nil }
        let evidence = archive.comparing.map { path in RepeatedEvidence.combining(parts.compactMap(\.result.evidence), path: path) }
        return UnitResult(evidence: evidence, diagnostics: walk, parts: parts)
    }

    /// Offers a log's slices to every reading thread; reading ahead of them only holds members in memory,
    /// so past `MemberBytes.aheadBytes` this thread reads slices too.
    private func offer(_ log: SlicedLog, of archive: ArchiveMembers, thread: Int) {
        for index in 0 ..< log.sliceCount {
            let slice = MemberSlice(archive: archive, unit: nextUnit.wrappingAdd(1, ordering: .relaxed).oldValue, log: log, slice: index,
                                    bytes: Int(log.nominalBytes(ofSlice: index)))
            archive.expect(slice.unit, bytes: slice.bytes)
            memberWork.offer(slice)
        }
        while archive.outstandingBytes > MemberBytes.aheadBytes {
            if let slice = memberWork.take() { read(slice, thread: thread) } else { archive.awaitCompletion() }
        }
    }

    private enum WindowsRead {
        case read
        /// The member could not be cut at all: read it (this source gives it whole) with its neighbours, then
        /// say what stopped it partway.
        case inGroup(InputSource, damage: InputError?)
    }

    /// A log member too large to hold, cut as it arrives into windows of about a quarter of the limit that
    /// begin at a line that may begin a slice, each read in slices side by side after the window before (one
    /// reader places them all, so the clock, held events and line numbers carry over as in one reading). A
    /// stretch that no such line cuts within the limit is read in order on this thread, after the windows
    /// before it.
    private func readWindows(_ first: consuming [UInt8], of member: InputSource, rest: InputSource, dialect: LogDialect, sliceBytes: Int64,
                             archive: ArchiveMembers, spill: RecordSpill?, thread: Int) throws(InputError) -> WindowsRead {
        let (windowBytes, maxPendingBytes) = (request.wholeMemberBytes / 4, request.wholeMemberBytes)
        var pending = consume first
        var last: SlicedLog?
        var inOrder = false
        func cutWindows() {
            while !inOrder, pending.count >= 2 * windowBytes,
                  let cut = pending.withUnsafeBytes({ SlicedLog.sliceStart(in: $0, from: windowBytes, dialect: dialect) }) {
                let window = Array(pending[..<cut])
                guard let log = last.map({ SlicedLog(window: window, after: $0, endsSource: false) })
                    ?? SlicedLog(member: member, bytes: window, plan: plan, sliceBytes: sliceBytes, endsSource: false) else {
                    inOrder = true
                    return
                }
                pending.removeFirst(cut)
                offer(log, of: archive, thread: thread)
                last = log
            }
        }
        cutWindows()
        var damage: InputError?
        if !inOrder {
            do throws(InputError) {
                try rest.read { chunk in
                    pending.append(contentsOf: chunk)
                    cutWindows()
                    inOrder = inOrder || pending.count > maxPendingBytes
                    return !inOrder && !stopped.load(ordering: .relaxed)
                }
            } catch {
                damage = error
            }
        }
        if !inOrder {
            let final = last.map { SlicedLog(window: pending, after: $0, endsSource: true) }
                ?? SlicedLog(member: member, bytes: pending, plan: plan, sliceBytes: sliceBytes)
            guard let final else { return .inGroup(MemberBytes.source(member, giving: pending, then: nil), damage: damage) }
            offer(final, of: archive, thread: thread)
            if let damage { throw damage }
            return .read
        }
        guard let last else { return .inGroup(MemberBytes.source(member, giving: pending, then: rest), damage: nil) }
        // The rest waits for the last window's slices to be placed: none may be left waiting for a thread
        // (after a failure elsewhere the other threads take no more).
        while let slice = memberWork.take() { read(slice, thread: thread) }
        let unit = nextUnit.wrappingAdd(1, ordering: .relaxed).oldValue
        archive.expect(unit, bytes: 0)
        do throws(InputError) {
            let sink = try begin(unit: unit, into: spill, comparing: archive.comparing)
            let read = last.readRest(pending, then: rest, into: sink)
            archive.complete(unit, result: try finish(sink, into: spill, diagnostics: read.ending.diagnostics,
                                                      yearSources: read.ending.yearSources), bytes: 0)
            damage = read.damage
        } catch {
            archive.complete(unit, result: nil, bytes: 0)
            throw error
        }
        if let damage { throw damage }
        return .read
    }

    /// Counts an event read, for the progress line; false once another thread has failed.
    func tick() -> Bool {
        let count = eventsRead.wrappingAdd(1, ordering: .relaxed).newValue
        if count % Timeline.progressStep == 0 {
            progress?(TimelineProgress(phase: .reading, events: count, done: bytesRead.load(ordering: .relaxed), total: bytesTotal))
        }
        return !stopped.load(ordering: .relaxed)
    }
}

/// Feeds one piece's events to its spill (when spilling) and its correlation evidence: on grep's output
/// thread for a whole unit, on the slice's own thread for a slice of a log.
private final class UnitSink: EventSink {
    private let spill: RecordSpill?
    // Strong: the readers outlive every sink, and an unowned reference is checked on each event's tick.
    private let readers: UnitReaders
    let correlation = CorrelationCollector()
    private(set) var failure: InputError?
    private(set) var leftOut = 0
    private(set) var unmatched = 0
    private(set) var withoutTime = 0
    /// Only for a file that may repeat another.
    private var digest: RepeatedEvidence.Digest?
    /// What decides, from the event as read, whether it is written; nil for every event.
    private let query: EventQuery?
    /// Decides here for packets; a log line's time moves onto the capture's clock at the merge, which
    /// decides for it (`RecordMerge.window`).
    private let window: TimeBounds?
    /// Only the correlation's evidence (claims and sightings) can be a finding: nothing else is kept.
    private let onlyFindings: Bool
    /// No selection at all, decided once rather than for every event.
    private let keepsEverything: Bool

    init(spill: RecordSpill?, readers: UnitReaders, comparing path: String?, query: EventQuery?, window: TimeBounds?, onlyFindings: Bool) {
        self.spill = spill
        self.readers = readers
        digest = path.map(RepeatedEvidence.Digest.init)
        self.query = query
        self.window = window
        self.onlyFindings = onlyFindings
        keepsEverything = query == nil && window == nil && !onlyFindings
    }

    var evidence: RepeatedEvidence.Unit? { digest?.finish() }

    func accept(_ event: Event) -> Bool {
        _ = correlation.accept(event)
        digest?.add(event)
        if !keepsEverything, !isSelected(event) {
            unmatched += 1
            return readers.tick()
        }
        if event.time == nil { withoutTime += 1 }
        do throws(InputError) {
            // Chained, not bound: binding the spill retained and released it around each event.
            if try spill?.add(event, ordinal: correlation.ordinal) == false { leftOut += 1 }
        } catch {
            failure = error
            return false
        }
        return readers.tick()
    }

    func finish() {}

    /// Out of line: inlined into `accept`, it lengthened every event's path (callgrind: 0.13% more
    /// instructions for the whole timeline).
    @inline(never) private func isSelected(_ event: Event) -> Bool {
        if onlyFindings, !correlation.lastWasEvidence { return false }
        if let window {
            guard let time = event.time else { return false }
            if event.origin == "capture", !window.contains(time) { return false }
        }
        return query?.matches(event) ?? true
    }
}
