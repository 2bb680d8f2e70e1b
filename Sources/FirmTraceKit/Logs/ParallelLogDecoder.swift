import CShims
import Dispatch
import Synchronization

/// A log read as a stream (an archive member, a decompressed file, a file grep reads front to back) with
/// its lines decoded on the cores the reading thread leaves idle, as `SlicedLog` does for a plain file the
/// timeline reads in pieces. Decoding is most of the work of reading a log, and a stream cannot be cut
/// ahead of time: so the reading thread cuts it as it arrives, into slices that begin at a line starting
/// an event, and offers each slice to the other cores. Whichever thread takes a slice decodes it, waits for
/// the slice before it to be placed, then places its events through the one `placer` (and so hands them on)
/// exactly as one reading of the whole stream would: clock, held events, pre-sync runs. Events are made and
/// destroyed on the same thread, which keeps malloc's per-thread caches working (placing each slice on the
/// thread that finished the one before it, so that no thread waited for its turn, took a fifth more
/// processor time). When the reading thread must wait and no slice is placed for `takeOverDelay`, other
/// work holds the cores, and the reading thread takes a slice nobody has taken itself, so a busy machine
/// loses only the copy into the slice.
final class ParallelLogDecoder {
    /// A slice that holds no line beginning a slice after this many times its nominal size: the rest of
    /// the stream is decoded in order on the reading thread (`sequentialReader`), not held whole.
    static let maxSliceFactor = 8
    /// An eighth of `SlicedLog`'s: decoded slices wait here for their turn, four for each core. Fewer
    /// waiting left threads idle at their turn (`grep --count --since` on the benchmark log took 4.7–5.1 s
    /// with two waiting, 3.8–4.2 s with eight); larger ones held more memory (a mebibyte each, 20 to 30 MiB
    /// more of a timeline) for no time measured.
    static let maxSliceBytes: Int64 = 128 << 10
    /// Far longer than a slice takes to decode (about a millisecond). Taking a slice as soon as it had to
    /// wait, the reading thread cut no more while it decoded, and the cores decoding the others ran out of
    /// slices: `grep --count --since` of the benchmark log kept two cores 1.65 busy and took 2.37 s, 2.00 s
    /// with the wait, as with 20 ms.
    static let takeOverDelay = DispatchTimeInterval.milliseconds(5)

    private let placing: SlicePlacing
    /// Signalled once for each slice placed, for the reading thread to wait on.
    private let slicePlaced = DispatchSemaphore(value: 0)
    private let setup: LogSourceReader.SliceSetup
    private let sliceBytes: Int
    /// Slices cut and not yet placed: each holds its bytes and then its events.
    private let maxUnfinished: Int
    /// In stream order: only placed slices leave it, from the front.
    private var unfinished: [StreamSlice] = []
    /// The stream's bytes after the last cut.
    private var pending: [UInt8] = []
    /// Where in `pending` the search for the next cut resumes: the start of a line not yet complete.
    private var resumeAt: Int?
    /// Set once the stream could not be cut: the reader and its queue that decode the rest in order.
    private var sequentialReader: (reader: LogSourceReader, events: HandOffQueue<DecodedEvent>)?

    /// A decoder placing through `placer`; nil on a single core, where the placer is best fed directly.
    init?(placer: LogSourceReader, sliceBytes: Int64) {
        let cores = Int(firmtrace_active_cores())
        guard cores > 1 else { return nil }
        placing = SlicePlacing(placer)
        setup = placer.sliceSetup
        self.sliceBytes = Int(max(1, min(sliceBytes, Self.maxSliceBytes)))
        maxUnfinished = 4 * cores
    }

    /// True once the placer stopped (its consumer wants no more events).
    var stopped: Bool { placing.halted.load(ordering: .acquiring) }

    /// Lines cut at `LineFramer.maxLineLength`; read after `finish`.
    var cutLines: Int { placing.cutLines }

    func feed(_ chunk: UnsafeRawBufferPointer) {
        guard !stopped else { return }
        if let sequential = sequentialReader {
            sequential.reader.feed(chunk)
            placing.place(sequential.events)
            return
        }
        pending.append(contentsOf: chunk)
        var consumed = 0
        while let cut = nextCut(after: consumed) {
            begin(Array(pending[consumed ..< cut]), offered: true)
            consumed = cut
            resumeAt = nil
        }
        if consumed > 0 {
            pending.removeSubrange(..<consumed)
            resumeAt = resumeAt.map { $0 - consumed }
        }
        if pending.count > Self.maxSliceFactor * sliceBytes { decodeRestInOrder() }
    }

    /// Decodes and places what is left, then what waited for the end of the source.
    func finish() {
        if let sequential = sequentialReader {
            sequential.reader.finishLines()
            placing.place(sequential.events, cutLines: sequential.reader.cutLines)
        } else {
            // The last slice is not offered: the reading thread would only wait for it.
            if !pending.isEmpty, !stopped { begin(pending, offered: false) }
            pending = []
            drain()
        }
        placing.placer.finishPlacing()
    }

    /// The offset in `pending` of the first line at least a nominal slice after `start` that may begin a
    /// slice; nil until one has arrived whole.
    private func nextCut(after start: Int) -> Int? {
        guard pending.count - start > sliceBytes else { return nil }
        return pending.withUnsafeBytes { bytes -> Int? in
            var lineStart: Int
            if let resumeAt {
                lineStart = resumeAt
            } else {
                guard let newline = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: start + sliceBytes - 1) else { return nil }
                lineStart = newline + 1
            }
            while let end = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: lineStart) {
                if setup.dialect.beginsSlice(UnsafeRawBufferPointer(rebasing: bytes[lineStart ..< end])) { return lineStart }
                lineStart = end + 1
            }
            resumeAt = lineStart
            return nil
        }
    }

    private func begin(_ bytes: [UInt8], offered: Bool) {
        while unfinished.count >= maxUnfinished { awaitProgress() }
        // The slice before is the last unfinished one; when none is, every slice before has been placed.
        let slice = StreamSlice(bytes: bytes, setup: setup, placing: placing, slicePlaced: slicePlaced, previous: unfinished.last)
        unfinished.append(slice)
        if offered { DispatchQueue.global().async { slice.runUnlessTaken() } }
    }

    /// Lets go of the slices placed; when some are not, waits for one to be placed, and when none is within
    /// `takeOverDelay` (or at once, when nothing is left to cut), runs the oldest nobody has taken (those
    /// before it are all being run) or waits on.
    private func awaitProgress(cutting: Bool = true) {
        unfinished.removeFirst(unfinished.firstIndex { !$0.isPlaced } ?? unfinished.count)
        guard !unfinished.isEmpty else { return }
        if cutting, slicePlaced.wait(timeout: .now() + Self.takeOverDelay) == .success { return }
        guard !unfinished.contains(where: { $0.runUnlessTaken() }) else { return }
        slicePlaced.wait()
    }

    /// At the end of the stream the reading thread has nothing left to cut, and the last slice is its own
    /// to run: waiting `takeOverDelay` first cost up to 5 ms a stream, which for an archive of 279 rotated
    /// logs was a fifth of its timeline (9.10 s against 7.56 s).
    private func drain() {
        while !unfinished.isEmpty { awaitProgress(cutting: false) }
    }

    /// No line began a slice for `maxSliceFactor` slices: a stream of continuation lines, which only a
    /// reading in order can attribute.
    private func decodeRestInOrder() {
        drain()
        let events = HandOffQueue<DecodedEvent>()
        let reader = setup.reader(collecting: events)
        sequentialReader = (reader, events)
        pending.withUnsafeBytes { reader.feed($0) }
        pending = []
        placing.place(events)
    }
}

/// One slice of a stream, run once by whichever thread takes it first. `@unchecked Sendable`: `previous`
/// is touched only by that thread, and the rest is set before the slice is offered.
private final class StreamSlice: @unchecked Sendable {
    private enum State: Int { case waiting, taken, placed }

    private let bytes: [UInt8]
    private let setup: LogSourceReader.SliceSetup
    private let placing: SlicePlacing
    private let slicePlaced: DispatchSemaphore
    /// The slice to be placed before this one; let go once it has been.
    private var previous: StreamSlice?
    private let state = Atomic<Int>(State.waiting.rawValue)
    /// Signalled when this slice has been placed, for the slice after it.
    private let placed = DispatchSemaphore(value: 0)

    init(bytes: [UInt8], setup: LogSourceReader.SliceSetup, placing: SlicePlacing, slicePlaced: DispatchSemaphore,
         previous: StreamSlice?) {
        (self.bytes, self.setup, self.placing, self.slicePlaced, self.previous) = (bytes, setup, placing, slicePlaced, previous)
    }

    var isPlaced: Bool { state.load(ordering: .acquiring) == State.placed.rawValue }

    /// Decodes the slice, waits for its turn and places it, unless another thread has taken it; true when
    /// this call ran it.
    @discardableResult
    func runUnlessTaken() -> Bool {
        guard state.compareExchange(expected: State.waiting.rawValue, desired: State.taken.rawValue, ordering: .acquiring).exchanged
        else { return false }
        let events = HandOffQueue<DecodedEvent>.forSlice(of: bytes.count)
        var (lines, cutLines) = (0, 0)
        if !placing.halted.load(ordering: .relaxed) {
            let reader = setup.reader(collecting: events)
            bytes.withUnsafeBytes { reader.feed($0) }
            reader.finishLines()
            (lines, cutLines) = (reader.linesFramed, reader.cutLines)
        }
        previous?.placed.wait()
        previous = nil
        placing.place(events, lines: lines, cutLines: cutLines)
        state.store(State.placed.rawValue, ordering: .releasing)
        placed.signal()
        slicePlaced.signal()
        return true
    }
}
