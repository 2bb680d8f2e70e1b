/// What a reader should do with the events of a source: which kinds are worth decoding at all, whether
/// whole events are needed or only a count, and where they go.
struct LogReadPlan {
    /// Cheap check on a kind before anything else is decoded.
    var wantsKind: (EventKind) -> Bool
    /// False when only the number of events of wanted kinds matters: no strings, no fields are made.
    var needsEvents: Bool
    /// A device secKey to verify `sign=` and `passwd:` with.
    var tuyaKey: String?
    /// The zone to assume for device-local logs whose lines carry no epoch (`--tz`), in seconds east of UTC.
    var assumedZone: Int64?
    /// The year of the captures read alongside, when neither epochs, the archive member's mtime nor a
    /// bundle name give one.
    var captureYear: Int64?
    /// The year to assume when nothing else gives one (`--year`).
    var assumedYear: Int64?
    /// Bytes of a log read as one slice when its lines are decoded side by side (`SlicedLog`,
    /// `ParallelLogDecoder`); nil to read each log whole on one thread. Lowered by tests to slice small logs.
    var sliceBytes: Int64? = SlicedLog.sliceBytes
}

/// Where a source's year can come from when its lines carry no epoch, best first.
struct YearHint {
    let year: Int64
    let source: String

    static func best(modificationTime: Int64?, insideArchive: Bool, bundle: RRLogBundle?, captureYear: Int64?,
                     assumed: Int64?) -> YearHint? {
        if insideArchive, let modificationTime, modificationTime > 946_684_800 {
            return YearHint(year: UTCDateTime.civilDate(daysSinceEpoch: modificationTime.floorDivided(by: 86_400).quotient).year,
                            source: "archive mtime")
        }
        if let bundle { return YearHint(year: bundle.year, source: "bundle name") }
        if let captureYear { return YearHint(year: captureYear, source: "capture dates") }
        return assumed.map { YearHint(year: $0, source: "--year") }
    }
}

/// Turns the lines of one log source into events. A prefixed line starts an event; the unprefixed lines
/// after it (HTTP bodies, wrapped JSON, helper output) belong to it. Events wait, in order and a bounded
/// number of them, until a line with an epoch settles the source's clock, so that even the lines before
/// it get a time.
final class LogSourceReader {
    static let maxHeldEvents = 10_000

    private let source: String
    private let dialect: LogDialect
    private let bundle: RRLogBundle?
    private let plan: LogReadPlan
    private let emit: (consuming Event) -> Bool
    private let yearHint: YearHint?
    private var clock: SourceClock
    private var framer = LineFramer()
    private var pending: PendingEvent?
    /// The current event is of a kind nobody wants: its continuation lines are passed over.
    private var skippingCurrent = false
    /// A queue, not an array: a log with no epoch fills it to `maxHeldEvents` over and over, and an array
    /// emptied that way gave its room back and copied every event out again.
    private let held = HandOffQueue<DecodedEvent>(capacity: 64)
    private(set) var stopped = false
    /// Events of wanted kinds seen, when only counting.
    private(set) var counted = 0
    /// Where the clock's year came from (`epoch`, `archive mtime`, `--year`, …), once it is settled.
    var yearSource: String? { clock.yearSource }

    init(source: String, dialect: LogDialect, bundle: RRLogBundle?, plan: LogReadPlan, yearHint: YearHint? = nil,
         collecting collected: HandOffQueue<DecodedEvent>? = nil, emit: @escaping (consuming Event) -> Bool) {
        self.source = source
        self.collected = collected
        self.dialect = dialect
        self.bundle = bundle
        self.plan = plan
        self.yearHint = yearHint
        self.emit = emit
        self.clock = dialect == .tuya ? SourceClock() : .utc
    }

    /// A reader for `source`, its year hinted by where the source lies (archive member, bundle).
    convenience init(reading source: InputSource, dialect: LogDialect, plan: LogReadPlan, emit: @escaping (consuming Event) -> Bool) {
        let bundle = RRLogBundle.find(in: source.location.chain)
        let hint = YearHint.best(modificationTime: source.modificationTime, insideArchive: source.location.chain.count > 1,
                                 bundle: bundle, captureYear: plan.captureYear, assumed: plan.assumedYear)
        self.init(source: source.location.source, dialect: dialect, bundle: bundle, plan: plan, yearHint: hint, emit: emit)
    }

    var cutLines: Int { framer.cutLines }

    func feed(_ chunk: UnsafeRawBufferPointer) {
        guard !stopped else { return }
        framer.feed(chunk) { line in
            if !stopped { handle(line) }
        }
    }

    func finish() {
        finishLines()
        finishPlacing()
    }

    /// Frames the last line and completes the last event: of a file, of a slice (the next slice begins
    /// with a prefixed line) or of an excerpt.
    func finishLines() {
        framer.finish { line in
            if !stopped { handle(line) }
        }
        completePending()
    }

    /// Delivers what still waits for the clock: held events, a pre-sync run at the very end (it had no
    /// step after it, so it stays unsynced).
    func finishPlacing() {
        assumeClock()
        releaseHeld()
        flushPresync(anchor: nil)
    }

    // MARK: Slices

    /// Set to collect decoded events instead of placing them: a slice of a large log is decoded on its
    /// own thread, and one reader places the slices' events in order (`place(_:lineBase:)`), so the clock,
    /// held and pre-sync events behave exactly as in one reading of the whole file. A constant: a variable
    /// was retained and released around each event collected.
    private let collected: HandOffQueue<DecodedEvent>?

    /// Lines framed so far: where the next slice's line numbers start.
    var linesFramed: Int { framer.lineCount }

    /// What a reader of one slice of this reader's source is made from, for the thread that decodes it.
    var sliceSetup: SliceSetup { SliceSetup(source: source, dialect: dialect, bundle: bundle, plan: plan) }

    /// `@unchecked Sendable`: the plan's `wantsKind` is a pure function of a kind, safe to call on any thread.
    struct SliceSetup: @unchecked Sendable {
        let source: String
        let dialect: LogDialect
        let bundle: RRLogBundle?
        let plan: LogReadPlan

        /// A reader that frames and decodes a slice into `events`, for this source's reader to place.
        func reader(collecting events: HandOffQueue<DecodedEvent>) -> LogSourceReader {
            LogSourceReader(source: source, dialect: dialect, bundle: bundle, plan: plan, collecting: events) { _ in true }
        }
    }

    /// Places a slice's decoded events, their line numbers moved on by the lines of the slices before it.
    func place(_ events: HandOffQueue<DecodedEvent>, lineBase: Int) {
        events.drain { (decoded: consuming DecodedEvent) in
            guard !stopped else { return false }
            if lineBase > 0, let line = decoded.event.line { decoded.event.line = line + lineBase }
            place(consume decoded)
            return true
        }
    }

    /// Reads the lines of one excerpt (a candidate line and its continuation lines) as a whole event.
    /// Lines before the excerpt's first prefix are passed over: they belong to an event not asked for.
    func readExcerpt(_ bytes: UnsafeRawBufferPointer, firstLine: Int) {
        framer = LineFramer(firstLineNumber: firstLine)
        sawPrefix = true
        skippingCurrent = true
        framer.feed(bytes) { line in
            if !stopped { handle(line) }
        }
        finishLines()
    }

    var needsEvents: Bool { plan.needsEvents }

    /// Counts a candidate line when only counting: its prefix and kind decide.
    func countCandidate(_ line: UnsafeRawBufferPointer) {
        guard let prefix = TuyaLinePrefix.find(in: line) else { return }
        let kind = TuyaMessage.kind(message: UnsafeRawBufferPointer(rebasing: line[prefix.message]),
                                    sourceFile: UnsafeRawBufferPointer(rebasing: line[prefix.sourceFile]))
        if plan.wantsKind(kind) { counted += 1 }
    }

    /// Settles a Tuya source's clock before reading excerpts out of order: the first line carrying an
    /// epoch is found with `memmem`, usually within the first kilobytes.
    func settleClock(_ file: FileChunkReader) throws(SystemCallError) {
        guard dialect == .tuya, !clock.isSettled else { return }
        let markers = ["&t=", "\"t\":", "time sync success"].map { Array($0.utf8) }
        try file.forEachRegion(maxLineLength: LineFramer.maxLineLength) { region, _ in
            for marker in markers {
                var position = 0
                while let hit = marker.withUnsafeBytes({ ByteSearch.firstIndex(of: $0, in: region, from: position) }) {
                    let start = (ByteSearch.lastIndex(of: 0x0A, in: region, before: hit) ?? -1) + 1
                    let end = ByteSearch.firstIndex(of: 0x0A, in: region, from: hit) ?? region.count
                    let line = UnsafeRawBufferPointer(rebasing: region[start ..< end])
                    if let prefix = TuyaLinePrefix.find(in: line) {
                        let message = UnsafeRawBufferPointer(rebasing: line[prefix.message])
                        let kind = TuyaMessage.kind(message: message, sourceFile: UnsafeRawBufferPointer(rebasing: line[prefix.sourceFile]))
                        let event = PendingEvent(kind: kind, line: 0, stamp: prefix.stamp, deviceTime: nil, level: nil, origin: nil,
                                                 message: messageText(message)).decode(dialect: dialect, bundle: nil, tuyaKey: nil)
                        if let epoch = event.epoch, let stamp = event.stamp, clock.learn(epoch: epoch, stamp: stamp) { return nil }
                    }
                    position = end + 1
                }
            }
            return region.count
        }
    }

    // MARK: Lines

    private func handle(_ line: LogLine) {
        if let nul = ByteSearch.firstIndex(of: 0, in: line.bytes) {
            handleAroundZeros(line, from: nul)
            return
        }
        if dialect == .tuya, ByteSearch.containsPair(0x1B, UInt8(ascii: "["), in: line.bytes) {
            ANSIEscapes.strip(line.bytes).withUnsafeBytes { handle(LogLine(bytes: $0, number: line.number, offset: line.offset)) }
            return
        }
        switch dialect {
        case .tuya:
            if let (prefix, known) = TuyaLinePrefix.find(in: line.bytes, knownTails: tails) {
                let tail = known ?? readTail(of: line.bytes, prefix)
                if let onlyForClock = startEvent(tail.kind) {
                    pending = PendingEvent(kind: tail.kind, line: line.number, stamp: prefix.stamp,
                                           deviceTime: repeatedText(line.bytes, prefix.deviceTime),
                                           level: prefix.level.rawValue, origin: tail.origin, message: tail.messageText,
                                           foreign: prefix.prefixStart > 0 ? text(line.bytes, 0 ..< prefix.prefixStart) : nil,
                                           onlyForClock: onlyForClock)
                }
                return
            }
        case .miio:
            if let prefix = MiioLinePrefix.parse(line.bytes) {
                let message = UnsafeRawBufferPointer(rebasing: line.bytes[prefix.message])
                let kind = MiioMessage.kind(function: UnsafeRawBufferPointer(rebasing: line.bytes[prefix.function]), message: message)
                if let onlyForClock = startEvent(kind) {
                    pending = PendingEvent(kind: kind, line: line.number, stamp: prefix.stamp,
                                           deviceTime: repeatedText(line.bytes, prefix.deviceTime),
                                           level: Self.miioLevel(prefix.level), origin: repeatedText(line.bytes, prefix.function),
                                           message: messageText(message), onlyForClock: onlyForClock)
                }
                return
            }
        case .kernel:
            if let prefix = KernelLinePrefix.parse(line.bytes) {
                if let onlyForClock = startEvent(.kernelLine) {
                    pending = PendingEvent(kind: .kernelLine, line: line.number, stamp: nil,
                                           deviceTime: repeatedText(line.bytes, prefix.uptime), level: nil, origin: nil,
                                           message: messageText(UnsafeRawBufferPointer(rebasing: line.bytes[prefix.message])),
                                           uptimeMicroseconds: prefix.uptimeMicroseconds, onlyForClock: onlyForClock)
                }
                return
            }
        }
        continueEvent(line)
    }

    /// A line holding NUL bytes: a stretch the device never wrote (a power failure leaves whole blocks of
    /// zeros where the last writes were, and the log goes on after them), which may have cut a line short
    /// and be followed by the next. The text on each side is read as a line of its own, with the same line
    /// number; the zeros are dropped and counted on the event they follow (`nul_bytes`).
    private func handleAroundZeros(_ line: LogLine, from firstNUL: Int) {
        let bytes = line.bytes
        func piece(_ range: Range<Int>) -> LogLine {
            LogLine(bytes: UnsafeRawBufferPointer(rebasing: bytes[range]), number: line.number, offset: line.offset + Int64(range.lowerBound))
        }
        var start = 0
        var nextNUL: Int? = firstNUL
        while let nul = nextNUL {
            if nul > start { handle(piece(start ..< nul)) }
            start = nul
            while start < bytes.count, bytes[start] == 0 { start += 1 }
            pending?.nulBytes += start - nul
            nextNUL = ByteSearch.firstIndex(of: 0, in: bytes, from: start)
        }
        if start < bytes.count { handle(piece(start ..< bytes.count)) }
    }

    /// A line with a prefix: the event before it is complete, and a new one of `kind` starts. Returns
    /// whether the caller makes it pending (nil: it is only counted, or passed over), and if so whether
    /// only for the epoch it carries. The caller makes it in place: made by a closure and handed back,
    /// it was copied, each of its strings retained and released, for every line of a log.
    private func startEvent(_ kind: EventKind) -> Bool? {
        completePending()
        guard plan.wantsKind(kind) else {
            skippingCurrent = true
            // Unwanted, but its epoch still settles (and later moves forward) the clock of the wanted ones.
            return plan.needsEvents && dialect == .tuya && TuyaMessage.carriesEpoch(kind) ? true : nil
        }
        skippingCurrent = false
        guard plan.needsEvents else {
            counted += 1
            return nil
        }
        return false
    }

    /// A line without a prefix continues the current event; before the first prefix it starts a plain one.
    private func continueEvent(_ line: LogLine) {
        if pending != nil {
            if !pending!.onlyForClock { pending!.addContinuation(line.bytes) }
        } else if !skippingCurrent, !sawPrefix {
            sawPrefix = true
            let kind: EventKind = switch dialect {
            case .tuya: .tuyaLine
            case .miio: .miioLine
            case .kernel: .kernelLine
            }
            if let onlyForClock = startEvent(kind) {
                pending = PendingEvent(kind: kind, line: line.number, stamp: nil, deviceTime: nil, level: nil, origin: nil,
                                       message: messageText(line.bytes), onlyForClock: onlyForClock)
            }
        }
    }

    /// Unprefixed lines at the very start form one event; after that, unprefixed lines only continue.
    private var sawPrefix = false

    /// The texts of this reader's lines, for the next time the same bytes come (`RepeatedText`).
    private var repeated = RepeatedText()
    /// The fields of this reader's one-line events, for the next time the same line comes (`RepeatedFields`).
    private var repeatedFields = RepeatedFields()

    /// What follows the device times of this reader's Tuya lines, for the next time the same bytes come.
    private let tails = RepeatedLineTails()

    /// Reads what follows a Tuya line's device time, kept in `tails` for the next time.
    private func readTail(of line: UnsafeRawBufferPointer, _ prefix: TuyaLinePrefix) -> RepeatedLineTails.Tail {
        let tailStart = prefix.deviceTime.upperBound
        func fromTail(_ range: Range<Int>) -> Range<Int> { range.lowerBound - tailStart ..< range.upperBound - tailStart }
        let message = UnsafeRawBufferPointer(rebasing: line[prefix.message])
        let tail = RepeatedLineTails.Tail(
            level: prefix.level, sourceFile: fromTail(prefix.sourceFile), message: fromTail(prefix.message),
            kind: TuyaMessage.kind(message: message, sourceFile: UnsafeRawBufferPointer(rebasing: line[prefix.sourceFile])),
            origin: repeatedText(line, prefix.sourceFile), messageText: messageText(message))
        tails.keep(tail, of: UnsafeRawBufferPointer(rebasing: line[tailStart...]))
        return tail
    }

    /// A first line's message as text, trimmed as its bytes (`Decode Rev:` lines end in tabs): made once,
    /// straight from the line, where trimming the text made a substring and often a second string.
    private func messageText(_ bytes: UnsafeRawBufferPointer) -> String {
        repeated.text(UnsafeRawBufferPointer(rebasing: bytes[..<ByteSearch.endTrimmingWhitespace(bytes)]))
    }

    private func repeatedText(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        repeated.text(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    // MARK: Events

    private func completePending() {
        sawPrefix = true
        // Taken, not copied: a pending event is a couple of hundred bytes, moved once per line.
        guard let event = pending.take() else { return }
        // Decoded straight into where it goes: a decoded event is two hundred bytes, and each move copies it.
        // Chained, not bound: binding the queue retained and released it around each event.
        if collected != nil {
            collected?.append(event.decode(dialect: dialect, bundle: bundle, tuyaKey: plan.tuyaKey, repeated: &repeatedFields))
        } else {
            place(event.decode(dialect: dialect, bundle: bundle, tuyaKey: plan.tuyaKey, repeated: &repeatedFields))
        }
    }

    /// Puts a decoded event on the source's clock and sends it on, or holds it until the clock is known.
    private func place(_ decoded: consuming DecodedEvent) {
        if decoded.onlyForClock {
            if let epoch = decoded.epoch, let stamp = decoded.stamp, clock.learn(epoch: epoch, stamp: stamp) { releaseHeld() }
            return
        }
        if dialect == .tuya, !clock.isSettled {
            if let epoch = decoded.epoch, let stamp = decoded.stamp, clock.learn(epoch: epoch, stamp: stamp) {
                held.append(consume decoded)
                releaseHeld()
            } else if held.count < Self.maxHeldEvents {
                held.append(consume decoded)
            } else {
                assumeClock()
                releaseHeld()
                deliver(consume decoded)
            }
            return
        }
        deliver(consume decoded)
    }

    /// No line carried an epoch: the user's zone and the best year hint settle the clock, when both exist.
    private func assumeClock() {
        guard dialect == .tuya, !clock.isSettled, let zone = plan.assumedZone, let yearHint else { return }
        clock.assume(utcOffset: zone, year: yearHint.year, yearSource: yearHint.source)
    }

    private func releaseHeld() {
        held.drain { (event: consuming DecodedEvent) in
            guard !stopped else { return false }
            deliver(consume event)
            return true
        }
    }

    /// Events on the SDK's pre-sync `01-01` clock, waiting for the line that ends the run: the clock step.
    private var presync: [(event: Event, stamp: DeviceStamp)] = []

    /// Sends an event on; a run of pre-sync events waits for the first line after it, which places it
    /// (`flushPresync`).
    private func send(_ event: consuming Event, stamp: DeviceStamp?) {
        if event.timeBasis == .logUnsynced, let stamp {
            // A run longer than is held is placed as far as it can be without the line that ends it.
            if presync.count == Self.maxHeldEvents { flushPresync(anchor: nil) }
            presync.append((consume event, stamp))
            return
        }
        flushPresync(anchor: event.time)
        if event.timeBasis == .logClock || event.timeBasis == .logEpoch, let time = event.time { segments.follow(time) }
        event.clockSegment = segments.current
        if !stopped, !emit(consume event) { stopped = true }
    }

    private var segments = ClockSegments()

    private func flushPresync(anchor: Int64?) {
        guard !presync.isEmpty else { return }
        defer { presync.removeAll() }
        // The SDK's clock started again inside the run (a stamp going back): what came before the first
        // restart may be New Year's Day, dated by its stamps; between the first and the last restart no
        // line ends a run, and those lines stay unplaced; the run after the last is placed back from the
        // anchor.
        let restarts = presync.indices.dropFirst().filter {
            presync[$0].stamp.nanosecondsInYear < presync[$0 - 1].stamp.nanosecondsInYear - ClockSegments.stepBack
        }
        var run = presync[...]
        if let firstRestart = restarts.first, let lastRestart = restarts.last {
            emitPresync(presync[..<firstRestart], before: anchor, endsAtAnchor: false)
            emitPresync(presync[firstRestart ..< lastRestart], before: anchor, endsAtAnchor: false)
            run = presync[lastRestart...]
        }
        emitPresync(run, before: anchor)
    }

    /// Emits a pre-sync run that came before a line placed at `anchor` (nil: before none): dated by its
    /// stamps when it was New Year's Day; else, when it `endsAtAnchor`, placed back from the anchor, the
    /// pre-sync clock still counting real seconds (a line written `d` seconds before the run's last line
    /// happened about `d` seconds before the step); else unplaced.
    private func emitPresync(_ run: ArraySlice<(event: Event, stamp: DeviceStamp)>, before anchor: Int64?, endsAtAnchor: Bool = true) {
        guard let first = run.first?.stamp, let last = run.last?.stamp else { return }
        let zone = clock.utcOffset
        let newYear = segments.presyncRunEnded(first: first, last: last, before: anchor, zone: zone)
        for (event, stamp) in run where !stopped {
            var placed = event
            if let newYear, let zone, let time = ClockSegments.time(stamp, onNewYearsDayOf: newYear, zone: zone) {
                placed.time = time
                placed.timeBasis = .logClock
                segments.follow(time)
            } else if let anchor, endsAtAnchor {
                placed.time = anchor - (last.nanosecondsInYear - stamp.nanosecondsInYear)
                placed.timeBasis = .logClock
                placed.fields.set("placed_from", "clock step")
            }
            placed.clockSegment = segments.current
            if !emit(placed) { stopped = true }
        }
    }

    /// Changes the event where it lies in `decoded`: copying it out would retain and release each of its
    /// strings, for every line of the log.
    private func deliver(_ decoded: consuming DecodedEvent) {
        let (stamp, epoch) = (decoded.stamp, decoded.epoch)
        if let epoch, let stamp {
            _ = clock.learn(epoch: epoch, stamp: stamp)
        }
        if let stamp {
            let (time, basis) = clock.place(stamp)
            decoded.event.time = time
            decoded.event.timeBasis = basis
            // A response's gap is the cloud's clock against the device's, line by line.
            if let epoch, decoded.event.kind == .tuyaPostURL || decoded.event.kind == .tuyaResponse, let time {
                decoded.event.fields.set("t_skew_s", epoch - time.floorDivided(by: 1_000_000_000).quotient)
            }
        }
        if let epoch, dialect == .tuya, TuyaMessage.epochIsDeviceClock(decoded.event.kind) {
            decoded.event.time = epoch * 1_000_000_000
            decoded.event.timeBasis = .logEpoch
        }
        decoded.event.source = source
        send((consume decoded).event, stamp: stamp)
    }

    private static func miioLevel(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "E"): "error"
        case UInt8(ascii: "W"): "warning"
        case UInt8(ascii: "I"): "info"
        case UInt8(ascii: "D"): "debug"
        default: String(decoding: [byte], as: UTF8.self)
        }
    }
}

private func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    EscapedText.escaping(UnsafeRawBufferPointer(rebasing: bytes[range]))
}

/// An event being assembled from its lines, kept as bytes until it is known to be wanted.
struct PendingEvent {
    let kind: EventKind
    let line: Int
    let stamp: DeviceStamp?
    let deviceTime: String?
    let level: String?
    /// `iot_httpc.c:883` for Tuya, the function for miio.
    let origin: String?
    /// The first line's message without its trailing spaces, tabs and CRs (`LogSourceReader.messageText`).
    let message: String
    let foreign: String?
    private(set) var continuation: [[UInt8]] = []
    private var continuationBytes = 0
    /// Continuation lines past `maxContinuationBytes`, counted but not kept.
    private var droppedContinuationLines = 0
    /// NUL bytes dropped after this event's lines (`LogSourceReader.handleAroundZeros`).
    var nulBytes = 0
    let uptimeMicroseconds: Int64?
    /// An event keeps at most this much of the unprefixed lines after it: a log that never writes another
    /// prefix must not become one event the size of the file.
    static let maxContinuationBytes = 1 << 20
    /// Read only for the epoch it carries, never delivered: its kind was not asked for.
    let onlyForClock: Bool

    init(kind: EventKind, line: Int, stamp: DeviceStamp?, deviceTime: String?, level: String?, origin: String?,
         message: String, foreign: String? = nil, uptimeMicroseconds: Int64? = nil, onlyForClock: Bool = false) {
        self.kind = kind
        self.line = line
        self.stamp = stamp
        self.deviceTime = deviceTime
        self.level = level
        self.origin = origin
        self.message = message
        self.foreign = foreign
        self.uptimeMicroseconds = uptimeMicroseconds
        self.onlyForClock = onlyForClock
    }

    mutating func addContinuation(_ bytes: UnsafeRawBufferPointer) {
        // Each line costs its newline too, so a flood of empty lines is bounded as well.
        guard continuationBytes + bytes.count + 1 <= Self.maxContinuationBytes else {
            droppedContinuationLines += 1
            return
        }
        continuationBytes += bytes.count + 1
        continuation.append(Array(bytes))
    }

    /// An event of one line (no continuation lines, foreign output or NUL bytes after it): its fields are
    /// its message's (`RepeatedFields`).
    var isOneLine: Bool {
        continuation.isEmpty && droppedContinuationLines == 0 && nulBytes == 0 && foreign == nil
    }

    /// The event with its fields read; one read `onlyForClock` gets neither the bundle's fields nor a
    /// signature check.
    func decode(dialect: LogDialect, bundle: RRLogBundle?, tuyaKey: String?) -> DecodedEvent {
        let lines = continuationText
        let messageText = messageText(lines)
        return decoded(messageText, dialect: dialect,
                       fields(messageText, lines, dialect: dialect, bundle: bundle, tuyaKey: tuyaKey))
    }

    /// As `decode`, with the fields of a line read before taken from `repeated`. A kernel line's fields
    /// hold its uptime, so they are never the same twice.
    func decode(dialect: LogDialect, bundle: RRLogBundle?, tuyaKey: String?, repeated: inout RepeatedFields) -> DecodedEvent {
        guard dialect != .kernel else { return decode(dialect: dialect, bundle: bundle, tuyaKey: tuyaKey) }
        let slot = RepeatedFields.slot(of: self)
        // A kept line is one line: its first line's message is all its text.
        if let slot, let kept = repeated.kept(in: slot, for: self) { return decoded(message, dialect: dialect, kept) }
        let lines = continuationText
        let messageText = messageText(lines)
        let fresh = fields(messageText, lines, dialect: dialect, bundle: bundle, tuyaKey: tuyaKey)
        if let slot { repeated.keep(fresh, in: slot, for: self) }
        return decoded(messageText, dialect: dialect, fresh)
    }

    /// The continuation lines as text, without the empty ones at the end.
    private var continuationText: [String] {
        var lines = continuation.map { EscapedText.escaping($0) }
        while lines.last?.trimmingTrailingWhitespace.isEmpty == true { lines.removeLast() }
        return lines
    }

    private func messageText(_ continuationText: [String]) -> String {
        continuationText.isEmpty ? message : ([message] + continuationText).joined(separator: "\n")
    }

    private func decoded(_ messageText: String, dialect: LogDialect, _ decoded: RepeatedFields.Decoded) -> DecodedEvent {
        DecodedEvent(event: Event(deviceTime: deviceTime, kind: kind, origin: dialect.origin, source: "", line: line, message: messageText,
                                  fields: decoded.fields),
                     stamp: stamp, epoch: decoded.epoch, onlyForClock: onlyForClock)
    }

    private func fields(_ messageText: String, _ continuationText: [String], dialect: LogDialect, bundle: RRLogBundle?, tuyaKey: String?) -> RepeatedFields.Decoded {
        let (bundle, tuyaKey) = onlyForClock ? (nil, nil) : (bundle, tuyaKey)
        var epoch: Int64?
        // A Post URL has a dozen fields and more: grown from eight, its array was allocated twice.
        var fields = EventFields(capacity: TuyaMessage.carriesEpoch(kind) ? 16 : 8)
        if let level { fields.append("level", .string(level)) }
        switch dialect {
        case .tuya:
            if let origin { fields.append("src", .string(origin)) }
            if let foreign, !foreign.isEmpty { fields.set("foreign_output", foreign) }
            TuyaMessage.fields(kind: kind, message: messageText, into: &fields)
            if let tuyaKey {
                if kind == .tuyaPostURL { TuyaSign.verifyPostURL(&fields, key: tuyaKey) }
                if fields["passwd"] != nil { TuyaSign.verifyMQTTPassword(&fields, key: tuyaKey) }
            }
            epoch = TuyaMessage.epoch(kind: kind, fields: fields)
        case .miio:
            if let origin { fields.append("function", .string(origin)) }
            MiioMessage.fields(kind: kind, message: message, continuation: continuationText, into: &fields)
        case .kernel:
            if let deviceTime { fields.set("uptime_s", deviceTime) }
            if let uptimeMicroseconds { fields.set("uptime_us", uptimeMicroseconds) }
        }
        bundle?.addFields(to: &fields)
        if droppedContinuationLines > 0 { fields.set("continuation_dropped_lines", Int64(droppedContinuationLines)) }
        if nulBytes > 0 { fields.set("nul_bytes", Int64(nulBytes)) }
        return RepeatedFields.Decoded(fields: fields, epoch: epoch)
    }
}

/// An event with its fields read, waiting to be placed on its source's clock.
struct DecodedEvent {
    var event: Event
    let stamp: DeviceStamp?
    /// The epoch the line carries.
    let epoch: Int64?
    /// Decoded only for the epoch it carries (its kind was not asked for): it moves the clock, and is
    /// never delivered.
    let onlyForClock: Bool
}
