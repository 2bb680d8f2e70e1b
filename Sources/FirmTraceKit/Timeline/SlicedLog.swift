#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// A large log file read as slices side by side. Decoding lines into events is most of a timeline's
/// work and one file would otherwise keep one core busy while the others wait. Each slice is framed and
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
    /// How far past a nominal boundary a line that starts an event is looked for.
    static let boundaryWindow = 64 << 10

    let ranges: [Range<Int64>]
    private let path: String
    private let source: InputSource
    private let placing: SlicePlacing
    private let sliceSetup: LogSourceReader.SliceSetup
    private let placed = PlacedEvents()
    private var failed = false
    private let turns: [DispatchSemaphore]

    /// What the last slice adds to the unit's result: the file's own diagnostics and its clock's year source.
    struct Ending {
        let diagnostics: Diagnostics
        let yearSources: [String: String]
    }

    /// Slices for `unit` when it is a plain log file large enough to be worth them; nil to read it whole.
    init?(_ unit: InputWalker.Unit, plan: LogReadPlan, sliceBytes: Int64 = SlicedLog.sliceBytes) {
        var status = stat()
        guard stat(unit.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int64(status.st_size)
        guard size >= 2 * sliceBytes, let file = try? FileChunkReader(path: unit.path),
              let head = try? file.head(64 << 10), !ContentSniffer.kind(of: head).isArchive, !CaptureInputs.isCapture(head)
        else { return nil }
        // The source only names the file and dates it: each slice opens the file for itself, and a folder of
        // large logs must not hold a descriptor open for every one of them.
        let source = InputSource(location: InputLocation(path: unit.path), modificationTime: Int64(status.st_mtim.tv_sec),
                                 isExplicit: unit.isExplicit, file: nil) { _ throws(InputError) in }
        var refusal = Diagnostics()
        guard let dialect = head.withUnsafeBytes({ Grep.recognise($0, source, &refusal) }) else { return nil }
        self.source = source
        var starts: [Int64] = [0]
        for nominal in stride(from: sliceBytes, to: size, by: Int(sliceBytes)) where nominal > starts[starts.count - 1] {
            if let start = Self.eventStart(in: file, after: nominal, dialect: dialect) { starts.append(start) }
        }
        guard starts.count > 1 else { return nil }
        ranges = zip(starts, starts.dropFirst() + [size]).map { $0 ..< $1 }
        path = unit.path
        let placer = LogSourceReader(reading: source, dialect: dialect, plan: plan) { [placed] (event: consuming Event) in
            placed.events.append(consume event)
            return true
        }
        placing = SlicePlacing(placer)
        sliceSetup = placer.sliceSetup
        turns = ranges.indices.map { _ in DispatchSemaphore(value: 0) }
    }

    /// The offset of the first line after `nominal` (and after a newline) that may begin a slice
    /// (`LogDialect.beginsSlice`), within `boundaryWindow`; nil when there is none.
    private static func eventStart(in file: FileChunkReader, after nominal: Int64, dialect: LogDialect) -> Int64? {
        var window = [UInt8](repeating: 0, count: boundaryWindow)
        let count = window.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress, boundaryWindow, off_t(nominal)) }
        guard count > 0 else { return nil }
        return window.withUnsafeBytes { bytes -> Int64? in
            let bytes = UnsafeRawBufferPointer(rebasing: bytes[0 ..< count])
            guard var start = ByteSearch.firstIndex(of: 0x0A, in: bytes).map({ $0 + 1 }) else { return nil }
            while let end = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: start) {
                let line = UnsafeRawBufferPointer(rebasing: bytes[start ..< end])
                if dialect.beginsSlice(line) { return nominal + Int64(start) }
                start = end + 1
            }
            return nil
        }
    }

    /// Decodes slice `index`, waits for the slices before it to be placed, places its events and hands
    /// them back in order. The last slice also returns what ends the file.
    func read(slice index: Int) throws(InputError) -> (events: HandOffQueue<Event>, ending: Ending?) {
        let events = HandOffQueue<DecodedEvent>.forSlice(of: Int(ranges[index].count))
        var (lines, cut) = (0, 0)
        let failure = decode(slice: index, into: events, lines: &lines, cut: &cut)
        if index > 0 { turns[index].wait() }
        defer { if index + 1 < turns.count { turns[index + 1].signal() } }
        guard !failed else { return (HandOffQueue(), nil) }
        if let failure {
            failed = true
            throw failure
        }
        placing.place(events, lines: lines, cutLines: cut)
        guard index == ranges.count - 1 else { return (placed.take(), nil) }
        placing.placer.finishPlacing()
        var diagnostics = Diagnostics()
        diagnostics.reportCutLines(placing.cutLines, at: source.location)
        let yearSources = placing.placer.yearSource.map { [source.location.source: $0] } ?? [:]
        return (placed.take(last: true), Ending(diagnostics: diagnostics, yearSources: yearSources))
    }

    /// Frames and decodes slice `index` into `events`; the error when it could not be read.
    private func decode(slice index: Int, into events: HandOffQueue<DecodedEvent>, lines: inout Int, cut: inout Int) -> InputError? {
        let reader = sliceSetup.reader(collecting: events)
        do {
            let file = try FileChunkReader(path: path)
            try file.forEachChunk(from: ranges[index].lowerBound, upTo: ranges[index].upperBound) { chunk in
                reader.feed(chunk)
                return true
            }
        } catch {
            return InputError(.unreadable(error.description), at: source.location)
        }
        reader.finishLines()
        (lines, cut) = (reader.linesFramed, reader.cutLines)
        return nil
    }
}

/// The events the placer sent on during one slice's turn.
private final class PlacedEvents {
    var events = HandOffQueue<Event>()

    /// The events, leaving room for as many again: the next slice holds about as many. After the `last`
    /// slice none is left: a folder of rotated logs keeps each file's slicing until the timeline is read.
    func take(last: Bool = false) -> HandOffQueue<Event> {
        let taken = events
        events = HandOffQueue(capacity: last ? 1 : taken.count)
        return taken
    }
}
