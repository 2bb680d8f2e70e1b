#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// A large log file (or an archive member read into memory) read as slices side by side. Decoding lines
/// into events is most of a timeline's work and one file would otherwise keep one core busy while the
/// others wait. Each slice is framed and
/// decoded on its own thread; one reader then places every slice's events on the source's clock, slice
/// after slice in file order (cheap, and exactly what one reading of the whole file does: the clock, the
/// events held until it is known, pre-sync runs all carry over); the placed events go back to the
/// slice's thread to be formatted. Slices begin at a line that starts an event, so none spans two.
final class SlicedLog: @unchecked Sendable {
    // @unchecked: `placing`, `placed` and `failed` are touched only by the slice whose turn it is; the turn
    // passes from slice to slice through `turns`, which orders those accesses.
    /// Small enough that a slice's events, held between decoding and placing, stay a megabyte or so and
    /// come from memory malloc recycles, and that rotated logs of a megabyte or two are sliced too (read
    /// whole, each went through grep's hand-off to another thread: a folder of 279 such files took 18% longer
    /// with 1 MiB slices); large enough that handing turns on costs nothing.
    static let sliceBytes: Int64 = 256 << 10
    /// A short log line, for guessing how many events a slice holds.
    static let shortLineBytes = 64
    /// How far past a nominal boundary a line that starts an event is looked for,
    static let boundaryWindow = 64 << 10
    /// and how much of that is read first: the line is nearly always within a few hundred bytes.
    static let firstBoundaryWindow = 4 << 10

    /// Slices of `sliceBytes` each, nominally: each begins at the first line after its nominal start that
    /// may begin a slice, and is empty when there is none within `boundaryWindow`.
    let sliceCount: Int
    private let size: Int64
    private let sliceBytes: Int64
    private let dialect: LogDialect
    /// Where each slice begins (and, last, where the file ends), once a thread has looked. Looked for by the
    /// threads reading the slices as they take them, not by one thread before any reading: from a log not in
    /// the page cache, that held the start of a timeline up by a quarter of a second.
    private let starts: Locked<[Int64?]>
    private let source: InputSource
    private let placing: SlicePlacing
    private let sliceSetup: LogSourceReader.SliceSetup
    private let placed: PlacedEvents
    private var failed = false
    private let turns: [DispatchSemaphore]
    /// False for a window of a member read in windows that more windows follow: its last slice hands the
    /// turn on to the next window (`handOn`) instead of finishing the source.
    private let endsSource: Bool
    /// Waited for by the first slice: the window before's hand-on.
    private let firstTurn: DispatchSemaphore?
    private let handOn = DispatchSemaphore(value: 0)

    /// What the last slice adds to the unit's result: the file's own diagnostics and its clock's year source.
    struct Ending {
        let diagnostics: Diagnostics
        let yearSources: [String: String]
    }

    /// Where the log's bytes are: a file each slice opens for itself (a folder of large logs must not hold
    /// a descriptor open for every one of them), or an archive member read into memory.
    private enum Bytes {
        case file(path: String)
        case memory([UInt8])
    }

    private let bytes: Bytes
    /// What recognising the log said (NUL bytes a lost write left), said with what ends it, as reading it
    /// whole says it.
    private let recognition: Diagnostics

    /// Slices for `unit` when it is a plain log file large enough to be worth them; nil to read it whole.
    convenience init?(_ unit: InputWalker.Unit, plan: LogReadPlan, sliceBytes: Int64 = SlicedLog.sliceBytes) {
        var status = stat()
        guard stat(unit.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int64(status.st_size) >= 2 * sliceBytes,
              let file = try? FileChunkReader(path: unit.path), let head = try? file.head(64 << 10)
        else { return nil }
        // The source only names the file and dates it: each slice opens the file for itself.
        let source = InputSource(location: InputLocation(path: unit.path), modificationTime: Int64(status.st_mtim.tv_sec),
                                 isExplicit: unit.isExplicit, file: nil) { _ throws(InputError) in }
        self.init(source, size: Int64(status.st_size), head: head, bytes: .file(path: unit.path), plan: plan, sliceBytes: sliceBytes)
    }

    /// Slices for an archive member read whole into `bytes`, when it is a log large enough to be worth them;
    /// or, when not `endsSource`, for the first window of a member read in windows (`init(window:after:endsSource:)`).
    convenience init?(member source: InputSource, bytes: [UInt8], plan: LogReadPlan, sliceBytes: Int64 = SlicedLog.sliceBytes,
                      endsSource: Bool = true) {
        self.init(source, size: Int64(bytes.count), head: Array(bytes.prefix(64 << 10)), bytes: .memory(bytes), plan: plan,
                  sliceBytes: sliceBytes, endsSource: endsSource)
    }

    /// The dialect of a log whose first bytes are `head`, unless it is an archive, a capture or no log; what
    /// recognising it said goes to `recognition`.
    static func sliceableDialect(_ head: [UInt8], _ source: InputSource, _ recognition: inout Diagnostics) -> LogDialect? {
        let head = Array(head.prefix(64 << 10))
        guard !ContentSniffer.kind(of: head).isArchive, !CaptureInputs.isCapture(head) else { return nil }
        return head.withUnsafeBytes { Grep.recognise($0, source, &recognition) }
    }

    static func sliceableDialect(_ head: [UInt8], _ source: InputSource) -> LogDialect? {
        var recognition = Diagnostics()
        return sliceableDialect(head, source, &recognition)
    }

    /// The window after `previous` of a member read in windows: placed by the same reader after `previous`'s
    /// slices, so that the clock, held events and line numbers carry over as in one reading.
    convenience init(window bytes: [UInt8], after previous: SlicedLog, endsSource: Bool) {
        self.init(previous.source, size: Int64(bytes.count), bytes: .memory(bytes), dialect: previous.dialect,
                  recognition: previous.recognition, placing: previous.placing, sliceSetup: previous.sliceSetup, placed: previous.placed,
                  sliceBytes: previous.sliceBytes, endsSource: endsSource, firstTurn: previous.handOn)
    }

    private convenience init?(_ source: InputSource, size: Int64, head: [UInt8], bytes: Bytes, plan: LogReadPlan, sliceBytes: Int64,
                              endsSource: Bool = true) {
        var recognition = Diagnostics()
        guard size >= (endsSource ? 2 * sliceBytes : 0), let dialect = Self.sliceableDialect(head, source, &recognition) else { return nil }
        let placed = PlacedEvents()
        let placer = LogSourceReader(reading: source, dialect: dialect, plan: plan) { [placed] (event: consuming Event) in
            placed.events.append(consume event)
            return true
        }
        self.init(source, size: size, bytes: bytes, dialect: dialect, recognition: recognition, placing: SlicePlacing(placer),
                  sliceSetup: placer.sliceSetup, placed: placed, sliceBytes: sliceBytes, endsSource: endsSource, firstTurn: nil)
    }

    private init(_ source: InputSource, size: Int64, bytes: Bytes, dialect: LogDialect, recognition: Diagnostics, placing: SlicePlacing,
                 sliceSetup: LogSourceReader.SliceSetup, placed: PlacedEvents, sliceBytes: Int64, endsSource: Bool,
                 firstTurn: DispatchSemaphore?) {
        (self.source, self.bytes, self.recognition, self.placing, self.sliceSetup, self.placed) = (source, bytes, recognition, placing, sliceSetup, placed)
        (self.size, self.sliceBytes, self.dialect, self.endsSource, self.firstTurn) = (size, sliceBytes, dialect, endsSource, firstTurn)
        // A window may be empty (the member ended at a cut): its one slice still takes the turn and ends the source.
        sliceCount = max(1, Int((size + sliceBytes - 1) / sliceBytes))
        starts = Locked([0] + Array(repeating: nil, count: sliceCount - 1) + [size])
        turns = (0 ..< sliceCount).map { _ in DispatchSemaphore(value: 0) }
    }

    /// The bytes slice `index` covers before its ends move to lines that begin events: what the progress
    /// line and the order of the work count.
    func nominalBytes(ofSlice index: Int) -> Int64 {
        min(size, Int64(index + 1) * sliceBytes) - Int64(index) * sliceBytes
    }

    /// Reads the log's bytes at an offset into a window: the count read, or a negative count when it failed.
    private typealias WindowRead = (UnsafeMutableRawBufferPointer, Int64) -> Int

    /// Where slice `index` begins and ends, read from `file` (this log) the first time either end is asked for.
    func range(ofSlice index: Int, in file: FileChunkReader) -> Range<Int64> {
        range(ofSlice: index) { window, offset in pread(file.descriptor, window.baseAddress, window.count, off_t(offset)) }
    }

    /// Where slice `index` begins and ends, read through `read` the first time either end is asked for.
    private func range(ofSlice index: Int, read: WindowRead) -> Range<Int64> {
        start(ofSlice: index, read: read) ..< start(ofSlice: index + 1, read: read)
    }

    /// The first line that may begin a slice after slice `index`'s nominal start, or where the next slice
    /// begins when there is none in the window. The first line after a later offset is never earlier, so the
    /// slices follow on whichever thread looks first; two threads looking at once find the same line.
    private func start(ofSlice index: Int, read: WindowRead) -> Int64 {
        var (index, unknown) = (index, [Int]())
        var start: Int64
        while true {
            if let known = starts.withLock({ $0[index] }) {
                start = known
                break
            }
            unknown.append(index)
            if let found = eventStart(after: Int64(index) * sliceBytes, read: read) {
                start = found
                break
            }
            index += 1
        }
        starts.withLock { starts in for index in unknown { starts[index] = start } }
        return start
    }

    /// The offset of the first line after `nominal` (and after a newline) that may begin a slice
    /// (`LogDialect.beginsSlice`), within `boundaryWindow`; nil when there is none, or it cannot be read.
    private func eventStart(after nominal: Int64, read: WindowRead) -> Int64? {
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.boundaryWindow, alignment: 16)
        defer { window.deallocate() }
        for length in [Self.firstBoundaryWindow, Self.boundaryWindow] {
            let count = read(UnsafeMutableRawBufferPointer(rebasing: window[..<length]), nominal)
            guard count > 0 else { return nil }
            if let start = lineBeginningSlice(in: UnsafeRawBufferPointer(rebasing: window[..<count])) { return nominal + Int64(start) }
            // The file ends inside the window.
            guard count == length else { return nil }
        }
        return nil
    }

    /// Where in `bytes` the first whole line after a newline that may begin a slice starts.
    private func lineBeginningSlice(in bytes: UnsafeRawBufferPointer) -> Int? {
        Self.sliceStart(in: bytes, from: 0, dialect: dialect)
    }

    /// Decodes slice `index`, waits for the slices before it to be placed, places its events and hands
    /// them back in order. The last slice also returns what ends the file.
    func read(slice index: Int) throws(InputError) -> (events: HandOffQueue<Event>, ending: Ending?) {
        var (lines, cut) = (0, 0)
        let (events, failure) = decode(slice: index, lines: &lines, cut: &cut)
        if index > 0 { turns[index].wait() } else { firstTurn?.wait() }
        defer { if index + 1 < turns.count { turns[index + 1].signal() } else if !endsSource { handOn.signal() } }
        guard !failed else { return (HandOffQueue(), nil) }
        if let failure {
            failed = true
            throw failure
        }
        placing.place(events, lines: lines, cutLines: cut)
        guard index == sliceCount - 1, endsSource else { return (placed.take(), nil) }
        // Ended first: what waited for the clock is placed then, into the events handed back.
        let ending = end()
        return (placed.take(last: true), ending)
    }

    /// Finishes the source: what still waited for the clock is placed, and what reading it said.
    private func end() -> Ending {
        placing.placer.finishPlacing()
        var diagnostics = recognition
        diagnostics.reportCutLines(placing.cutLines, at: source.location)
        let yearSources = placing.placer.yearSource.map { [source.location.source: $0] } ?? [:]
        return Ending(diagnostics: diagnostics, yearSources: yearSources)
    }

    /// The rest of a member read in windows, after this window (which must not end the source): `first`,
    /// then what `rest` still gives, decoded in order on this thread and handed to `sink` as it is placed.
    /// For a stretch no line that begins a slice cuts into windows. Also returns what stopped `rest`
    /// partway, after handing on every event before it.
    func readRest(_ first: [UInt8], then rest: InputSource?, into sink: EventSink) -> (ending: Ending, damage: InputError?) {
        handOn.wait()
        let decoded = HandOffQueue<DecodedEvent>()
        let reader = sliceSetup.reader(collecting: decoded)
        var keepGoing = true
        func handOnPlaced() {
            placed.take().drain { event in
                keepGoing = keepGoing && sink.accept(event)
                return keepGoing
            }
        }
        func feed(_ chunk: UnsafeRawBufferPointer) -> Bool {
            reader.feed(chunk)
            placing.place(decoded)
            handOnPlaced()
            return keepGoing
        }
        var damage: InputError?
        if first.withUnsafeBytes(feed), let rest {
            do {
                try rest.read(feed)
            } catch {
                damage = error
            }
        }
        reader.finishLines()
        placing.place(decoded, cutLines: reader.cutLines)
        let ending = end()
        handOnPlaced()
        return (ending, damage)
    }

    /// Where in `bytes`, at or after `from`, the first whole line that may begin a slice starts (after a
    /// newline): where a member read in windows is cut.
    static func sliceStart(in bytes: UnsafeRawBufferPointer, from: Int, dialect: LogDialect) -> Int? {
        guard from < bytes.count, var start = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: from).map({ $0 + 1 }) else { return nil }
        while let end = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: start) {
            if dialect.beginsSlice(UnsafeRawBufferPointer(rebasing: bytes[start ..< end])) { return start }
            start = end + 1
        }
        return nil
    }

    /// Frames and decodes slice `index`; the error when it could not be read.
    private func decode(slice index: Int, lines: inout Int, cut: inout Int) -> (HandOffQueue<DecodedEvent>, InputError?) {
        let events: HandOffQueue<DecodedEvent>
        let reader: LogSourceReader
        switch bytes {
        case .file(let path):
            let file: FileChunkReader
            do {
                file = try FileChunkReader(path: path)
            } catch {
                return (HandOffQueue(), InputError(.unreadable(error.description), at: source.location))
            }
            let range = range(ofSlice: index, in: file)
            events = HandOffQueue.forSlice(of: Int(range.count))
            reader = sliceSetup.reader(collecting: events)
            do {
                try file.forEachChunk(from: range.lowerBound, upTo: range.upperBound) { chunk in
                    reader.feed(chunk)
                    return true
                }
            } catch {
                return (events, InputError(.unreadable(error.description), at: source.location))
            }
        case .memory(let member):
            let range = range(ofSlice: index) { window, offset in
                member.withUnsafeBytes { member in
                    let count = max(0, min(window.count, member.count - Int(offset)))
                    window.copyMemory(from: UnsafeRawBufferPointer(rebasing: member[Int(offset) ..< Int(offset) + count]))
                    return count
                }
            }
            events = HandOffQueue.forSlice(of: Int(range.count))
            reader = sliceSetup.reader(collecting: events)
            member.withUnsafeBytes { reader.feed(UnsafeRawBufferPointer(rebasing: $0[Int(range.lowerBound) ..< Int(range.upperBound)])) }
        }
        reader.finishLines()
        (lines, cut) = (reader.linesFramed, reader.cutLines)
        return (events, nil)
    }
}

/// The events the placer sent on during one slice's turn.
private final class PlacedEvents {
    /// A constant: a variable was retained and released around each event the placer appended.
    let events = HandOffQueue<Event>()

    /// The events, leaving room for as many again: the next slice holds about as many. After the `last`
    /// slice none is left: a folder of rotated logs keeps each file's slicing until the timeline is read.
    func take(last: Bool = false) -> HandOffQueue<Event> {
        events.takeAll(leavingCapacity: last ? 1 : events.count)
    }
}
