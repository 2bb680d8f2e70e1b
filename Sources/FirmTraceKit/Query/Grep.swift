public struct GrepRequest: Sendable {
    public var inputs: [String]
    public var query: EventQuery
    /// Only count matching events (`--count`).
    public var countOnly: Bool
    /// A device secKey: `tuya.post_url` events get `sign_ok`, MQTT `passwd:` lines `passwd_ok`.
    public var tuyaKey: String?
    /// A miIO device token (16 bytes): `net.miio` events get their decrypted `payload`.
    public var miioToken: [UInt8]?
    /// For device-local logs without epochs: the zone (seconds east of UTC, `--tz`) and a last-resort year.
    public var assumedZone: Int64?
    public var assumedYear: Int64?
    /// The year of the captures among the inputs, a year source before `assumedYear`.
    var captureYear: Int64?
    /// Bytes of a log decoded as one slice (`LogReadPlan.sliceBytes`).
    var sliceBytes: Int64? = SlicedLog.sliceBytes

    public init(inputs: [String], query: EventQuery = EventQuery(), countOnly: Bool = false, tuyaKey: String? = nil,
                miioToken: [UInt8]? = nil) {
        self.inputs = inputs
        self.query = query
        self.countOnly = countOnly
        self.tuyaKey = tuyaKey
        self.miioToken = miioToken
    }
}

public struct GrepOutcome: Sendable {
    public let matched: Int
    public let diagnostics: Diagnostics
    /// Where each log source's year came from, when its clock was settled.
    let yearSources: [String: String]

    /// As grep: 0 when something matched, 1 when nothing did, 2 when an input could not be read.
    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : matched > 0 ? 0 : 1 }
}

extension GrepRequest {
    /// How this request reads logs: the kinds it wants, the key, the zone and years to fall back on.
    func logReadPlan(needsEvents: Bool) -> LogReadPlan {
        LogReadPlan(wantsKind: query.wantsKind, needsEvents: needsEvents, tuyaKey: tuyaKey, assumedZone: assumedZone,
                    captureYear: captureYear, assumedYear: assumedYear, sliceBytes: sliceBytes)
    }
}

/// `firmtrace grep`: every input turned into events, the query applied, matches handed to a sink.
public enum Grep {
    /// A NUL in the first 8 KiB means a binary file, as for grep and ripgrep.
    static let binaryProbeLength = 8 << 10

    public static func run(_ request: GrepRequest, sink: EventSink?) -> GrepOutcome {
        run(request, sink: sink) { (diagnostics, visit) in InputWalker.walk(request.inputs, diagnostics: &diagnostics, visit: visit) }
    }

    /// As `run`, with the captures among the inputs as a year source for logs that give none.
    static func runDatingLogsByCaptures(_ request: GrepRequest, sink: EventSink?) -> GrepOutcome {
        var expansion = Diagnostics()
        let units = InputWalker.units(request.inputs, diagnostics: &expansion)
        var request = request
        request.captureYear = CaptureOrder.firstYear(among: units)
        return run(request, units: units, expansion: expansion, sink: sink)
    }

    /// Reads units of a folder walk already expanded (the timeline reads them side by side), not
    /// `request.inputs`; `expansion` holds what expanding them said (folders that could not be read).
    static func run(_ request: GrepRequest, units: [InputWalker.Unit], expansion: Diagnostics = Diagnostics(),
                    sink: EventSink?) -> GrepOutcome {
        run(request, sink: sink, diagnostics: expansion) { (diagnostics, visit) in
            InputWalker.walk(units, diagnostics: &diagnostics, visit: visit)
        }
    }

    private static func run(_ request: GrepRequest, sink: EventSink?, diagnostics: Diagnostics = Diagnostics(),
                            walk: (inout Diagnostics, (InputSource) throws(InputError) -> Bool) -> Void) -> GrepOutcome {
        let session = GrepSession(request, sink: sink)
        var diagnostics = diagnostics
        walk(&diagnostics) { source throws(InputError) in try session.read(source) }
        return session.finish(after: diagnostics)
    }
}

/// One grep fed its sources one at a time: a walk of the inputs, or the members of an archive the
/// timeline reads in memory.
final class GrepSession {
    private let run: GrepRun
    private let sink: EventSink?

    init(_ request: GrepRequest, sink: EventSink?) {
        // Formatting runs beside decoding when there is output to format.
        self.sink = request.countOnly ? nil : sink.map { SinkPipeline($0) as EventSink }
        run = GrepRun(request: request, sink: self.sink)
    }

    /// Reads one source; false once the output is gone and nothing more should be read. What stopped it
    /// reading partway (a damaged member) is thrown after every event before it was handed on.
    func read(_ source: InputSource) throws(InputError) -> Bool {
        try run.read(source)
    }

    /// Hands on the last events; the outcome's diagnostics are `earlier` and then what reading said.
    func finish(after earlier: Diagnostics = Diagnostics()) -> GrepOutcome {
        var diagnostics = earlier
        run.reports.all.forEach { diagnostics.report($0) }
        sink?.finish()
        return GrepOutcome(matched: run.matched, diagnostics: diagnostics, yearSources: run.yearSources)
    }
}

/// The state of one grep: the query, where matches go, how many there were.
private final class GrepRun {
    let query: EventQuery
    let sink: EventSink?
    let countOnly: Bool
    let plan: LogReadPlan
    let miioToken: [UInt8]?
    private(set) var matched = 0
    private(set) var stopped = false
    var reports = Diagnostics()
    private(set) var yearSources: [String: String] = [:]

    init(request: GrepRequest, sink: EventSink?) {
        query = request.query
        self.sink = sink
        countOnly = request.countOnly || sink == nil
        plan = request.logReadPlan(needsEvents: !(countOnly && request.query.decidedByKind))
        miioToken = request.miioToken
    }

    private func emit(_ event: consuming Event) -> Bool {
        guard query.matches(event) else { return true }
        matched += 1
        if countOnly { return true }
        if sink?.accept(owned: event) == false {
            stopped = true
            return false
        }
        return true
    }

    private func makeReader(_ source: InputSource, _ dialect: LogDialect) -> LogSourceReader {
        LogSourceReader(reading: source, dialect: dialect, plan: plan) { [unowned self] in emit($0) }
    }

    /// Whole events are decoded on the cores left idle (`ParallelLogDecoder`); a count by kind alone
    /// decodes nothing, and its reader is fed directly.
    private func parallelDecoder(placing reader: LogSourceReader) -> ParallelLogDecoder? {
        guard plan.needsEvents, let sliceBytes = plan.sliceBytes else { return nil }
        return ParallelLogDecoder(placer: reader, sliceBytes: sliceBytes)
    }

    private func countInStream(_ source: InputSource, literal: String, _ sourceDiagnostics: inout Diagnostics) throws(InputError) -> Bool {
        var head: [UInt8] = []
        var buffered: [[UInt8]] = []
        var decided: LogDialect??
        var scanner = CandidateScanner(literal: literal)
        var regions = RegionAssembler()
        var reader: LogSourceReader?
        var localDiagnostics = Diagnostics()
        try source.read { chunk in
            if decided == nil {
                head += chunk.prefix(64 << 10 - head.count)
                buffered.append(Array(chunk))
                guard head.count >= 64 << 10 else { return true }
                decided = head.withUnsafeBytes { Grep.recognise($0, source, &localDiagnostics) }
                guard decided! == .tuya else { return false }
                reader = makeReader(source, .tuya)
                for piece in buffered {
                    let keepGoing = piece.withUnsafeBytes { bytes in regions.feed(bytes) { scanner.scan($0, isLast: $1, reader: reader!) } }
                    if !keepGoing { return false }
                }
                buffered.removeAll()
                return true
            }
            return regions.feed(chunk) { scanner.scan($0, isLast: $1, reader: reader!) }
        }
        if decided == nil {
            decided = head.withUnsafeBytes { Grep.recognise($0, source, &localDiagnostics) }
            if decided! == .tuya {
                reader = makeReader(source, .tuya)
                for piece in buffered {
                    _ = piece.withUnsafeBytes { bytes in regions.feed(bytes) { scanner.scan($0, isLast: $1, reader: reader!) } }
                }
            }
        }
        localDiagnostics.all.forEach { sourceDiagnostics.report($0) }
        if let reader {
            regions.finish { scanner.scan($0, isLast: $1, reader: reader) }
            matched += reader.counted
        } else if decided! != nil {
            // Not a Tuya log: the literal means nothing there, and Tuya kinds cannot occur.
            return true
        }
        return !stopped
    }

    /// Reads one source; false once the output is gone and nothing more should be read.
    func read(_ source: InputSource) throws(InputError) -> Bool {
        var sourceDiagnostics = Diagnostics()
        defer { sourceDiagnostics.all.forEach { reports.report($0) } }
        if CaptureInputs.isCapture(try source.head()) {
            let decoder = CaptureEventDecoder(source: source.location.source, wantsKind: query.wantsKind, miioToken: miioToken)
            let keepGoing = try CaptureInputs.readPackets(source, reports: &sourceDiagnostics) { packet in
                decoder.decode(packet) { self.emit($0) }
            }
            decoder.finish { emit($0) }
            return keepGoing && !stopped
        }
        var reader: LogSourceReader?
        var parallel: ParallelLogDecoder?
        if let file = source.file {
            let head: [UInt8]
            do {
                head = try file.head(64 << 10)
            } catch {
                throw InputError(.unreadable(error.description), at: source.location)
            }
            guard let dialect = head.withUnsafeBytes({ Grep.recognise($0, source, &sourceDiagnostics) }) else { return true }
            reader = makeReader(source, dialect)
            if dialect == .tuya, let literal = query.requiredLiteral {
                do {
                    matched += try reader!.readCandidates(file, literal: literal)
                } catch {
                    throw InputError(.unreadable(error.description), at: source.location)
                }
                return !stopped
            }
        }
        if source.file == nil, !plan.needsEvents, let literal = query.requiredLiteral {
            // Count-only over a stream: the dialect is decided by the first chunk, inside the scan.
            return try countInStream(source, literal: literal, &sourceDiagnostics)
        }
        var refused = false
        if let reader { parallel = parallelDecoder(placing: reader) }
        // A source damaged partway (a truncated gzip) still hands on every event read before the damage,
        // those waiting for the clock too; and slices other threads are decoding are waited for, not left
        // to hand on events after this source is done with.
        var damage: InputError?
        do {
            try source.read { chunk in
                if reader == nil {
                    guard !refused, let dialect = Grep.recognise(chunk, source, &sourceDiagnostics) else {
                        refused = true
                        return false
                    }
                    reader = makeReader(source, dialect)
                    parallel = parallelDecoder(placing: reader!)
                }
                guard let parallel else {
                    reader!.feed(chunk)
                    return !reader!.stopped
                }
                parallel.feed(chunk)
                return !parallel.stopped
            }
        } catch {
            damage = error
        }
        if let reader {
            if let parallel { parallel.finish() } else { reader.finish() }
            matched += reader.counted
            if let yearSource = reader.yearSource { yearSources[source.location.source] = yearSource }
            sourceDiagnostics.reportCutLines(parallel?.cutLines ?? reader.cutLines, at: source.location)
        }
        if let damage { throw damage }
        return !stopped
    }
}

extension Grep {
    /// The source's dialect, or nil with a message saying why it is not read: binary, encrypted, a
    /// capture, or text in no known format. Files the user named are errors; files met inside folders
    /// and archives are notices, as a recursive grep passes over binaries.
    static func recognise(_ head: UnsafeRawBufferPointer, _ source: InputSource,
                                  _ diagnostics: inout Diagnostics) -> LogDialect? {
        let severity: Diagnostic.Severity = source.isExplicit ? .error : .notice
        let kind = ContentSniffer.kind(of: UnsafeRawBufferPointer(rebasing: head.prefix(ContentSniffer.prefixLength)))
        let name = source.location.chain.last ?? ""
        if EncryptedRRLog.matches(name: name, size: Int64(head.count), kind: kind)
            || (EncryptedRRLog.suffixes.contains { name.hasSuffix($0) } && head.count < EncryptedRRLog.wrappedKeyLength) {
            diagnostics.report(.notice, at: source.location, InputError(.encryptedRRLog, at: source.location).explanation + "; skipped")
            return nil
        }
        let probe = UnsafeRawBufferPointer(rebasing: head.prefix(binaryProbeLength))
        if let nul = ByteSearch.firstIndex(of: 0, in: probe) {
            // A log the device stopped writing mid-block (a power failure) holds a few runs of zeros where
            // the writes were lost; a binary file holds NULs all through.
            if let dialect = dialectAroundZeros(probe) {
                diagnostics.report(.warning, at: source.location.at(byte: Int64(nul)), "NUL bytes, as a write lost at a power "
                                   + "failure leaves: the text around them is read, the event before them counts them (nul_bytes)")
                return dialect
            }
            diagnostics.report(severity, at: source.location.at(byte: Int64(nul)), "binary file (a NUL byte); skipped")
            return nil
        }
        guard let dialect = LogDialect.detect(head) else {
            if !head.isEmpty {
                diagnostics.report(severity, at: source.location,
                                   "not a log firmtrace knows (Tuya SDK, miio_client, kernel); skipped")
            } else if source.isExplicit, source.location.chain.count == 1 {
                // A file the user named that holds nothing (a capture cut off at 0 bytes, a log never
                // written) is said once; empty ones met in folders and archives, as rotated logs often
                // are, are not.
                diagnostics.report(.warning, at: source.location, "empty file; nothing to read")
            }
            return nil
        }
        return dialect
    }
}

extension Grep {
    /// The dialect of a log's first bytes with each run of NUL bytes read as a line break, as the reader
    /// reads them, when there are at most `maximumZeroRuns` runs and the rest is text: no control byte
    /// but tab, line breaks and the escape of terminal colours.
    static func dialectAroundZeros(_ probe: UnsafeRawBufferPointer) -> LogDialect? {
        var text: [UInt8] = []
        text.reserveCapacity(probe.count)
        var runs = 0
        for (index, byte) in probe.enumerated() {
            switch byte {
            case 0x09, 0x0A, 0x0D, 0x1B, 0x20 ..< 0x7F, 0x80...:
                text.append(byte)
            case 0 where index == 0 || probe[index - 1] != 0:
                runs += 1
                guard runs <= maximumZeroRuns else { return nil }
                text.append(0x0A)
            case 0:
                continue
            default:
                return nil
            }
        }
        return text.withUnsafeBytes { LogDialect.detect($0) }
    }

    /// Lost writes leave a run of zeros each; more runs than this in the first 8 KiB is a binary file.
    static let maximumZeroRuns = 4
}

extension LogSourceReader {
    /// Reads only the lines that contain `literal`, found with `memmem`, and the continuation lines after
    /// them: every event of the wanted kind has the literal on its first line, so none is missed, and the
    /// rest of the file is never decoded (ripgrep's candidate lines). Line numbers come from counting
    /// newlines between hits, and only when events are wanted. Returns the number counted when only
    /// counting.
    func readCandidates(_ file: FileChunkReader, literal: String) throws(SystemCallError) -> Int {
        if needsEvents { try settleClock(file) }
        var scanner = CandidateScanner(literal: literal)
        try file.forEachRegion(maxLineLength: LineFramer.maxLineLength) { scanner.scan($0, isLast: $1, reader: self) }
        finishPlacing()
        return counted
    }
}

/// Finds candidate lines region by region, remembering the line number across regions.
private struct CandidateScanner {
    let needle: [UInt8]
    var lineNumber = 1

    init(literal: String) {
        needle = Array(literal.utf8)
    }

    mutating func scan(_ region: UnsafeRawBufferPointer, isLast: Bool, reader: LogSourceReader) -> Int? {
        let needsEvents = reader.needsEvents
        guard !reader.stopped else { return nil }
        var position = 0, countedUpTo = 0, used = region.count
        while let hit = needle.withUnsafeBytes({ ByteSearch.firstIndex(of: $0, in: region, from: position) }) {
            let lineStart = (ByteSearch.lastIndex(of: 0x0A, in: region, before: hit) ?? -1) + 1
            var end = ByteSearch.firstIndex(of: 0x0A, in: region, from: hit) ?? region.count
            if !needsEvents {
                reader.countCandidate(UnsafeRawBufferPointer(rebasing: region[lineStart ..< end]))
                position = end + 1
                continue
            }
            // The event goes on over the following lines without a prefix of their own. When those run
            // to the end of the region, more may follow in the next one: read the event from there.
            var complete = isLast
            while end + 1 < region.count {
                let nextEnd = ByteSearch.firstIndex(of: 0x0A, in: region, from: end + 1) ?? region.count
                if TuyaLinePrefix.find(in: UnsafeRawBufferPointer(rebasing: region[end + 1 ..< nextEnd])) != nil {
                    complete = true
                    break
                }
                end = nextEnd
            }
            if !complete, lineStart > 0 {
                used = lineStart
                break
            }
            lineNumber += ByteSearch.countNewlines(in: UnsafeRawBufferPointer(rebasing: region[countedUpTo ..< lineStart]))
            countedUpTo = lineStart
            reader.readExcerpt(UnsafeRawBufferPointer(rebasing: region[lineStart ..< min(end, region.count)]), firstLine: lineNumber)
            if reader.stopped { return nil }
            position = end + 1
        }
        if needsEvents {
            lineNumber += ByteSearch.countNewlines(in: UnsafeRawBufferPointer(rebasing: region[countedUpTo ..< used]))
        }
        return used
    }
}
