#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct TimelineRequest: Sendable {
    public var inputs: [String]
    public var output: String
    public var format: TimelineFormat
    public var overwrite: Bool
    public var tuyaKey: String?
    public var miioToken: [UInt8]?
    /// Events sorted in memory before a run is spilled to disk.
    public var memoryEvents: Int
    /// For device-local logs without epochs, as for grep.
    public var assumedZone: Int64?
    public var assumedYear: Int64?

    public init(inputs: [String], output: String, format: TimelineFormat, overwrite: Bool = false, tuyaKey: String? = nil,
                miioToken: [UInt8]? = nil, memoryEvents: Int = 200_000) {
        self.inputs = inputs
        self.output = output
        self.format = format
        self.overwrite = overwrite
        self.tuyaKey = tuyaKey
        self.miioToken = miioToken
        self.memoryEvents = memoryEvents
    }
}

/// How far a timeline has got: events read (and sorted) so far, then events written.
public struct TimelineProgress: Sendable {
    public enum Phase: String, Sendable { case reading, writing }
    public let phase: Phase
    public let events: Int
}

public struct TimelineOutcome: Sendable {
    /// Logs against captures, found while reading; applied to the timeline.
    public let correlation: Correlation
    public let written: Int
    public let withoutTime: Int
    /// Events the format cannot hold (no time, for Timesketch and l2tcsv).
    public let leftOut: Int
    public let diagnostics: Diagnostics

    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : 0 }
}

/// `firmtrace timeline`: every event of every input, logs and captures, in one time-ordered file.
public enum Timeline {
    /// Reads everything once: events go to the sorter and, alongside, to the correlation, whose clock
    /// offsets and links are applied as the sorted events are written. Ids are `e` and the event's place in
    /// arrival order, the same in every read of the same inputs.
    public static func run(_ request: TimelineRequest,
                           progress: (@Sendable (TimelineProgress) -> Void)? = nil) throws(InputError) -> TimelineOutcome {
        let output = InputLocation(path: request.output)
        if !request.overwrite, access(request.output, F_OK) == 0 { throw InputError(.alreadyExists, at: output) }
        let scratch = try makeScratchFolder(beside: request.output)
        defer { rmdir(scratch) }
        let sorter = TimelineSorter(memoryLimit: request.memoryEvents, scratch: scratch)
        let collector = SorterSink(sorter, progress: progress)
        var grep = GrepRequest(inputs: request.inputs, tuyaKey: request.tuyaKey, miioToken: request.miioToken)
        (grep.assumedZone, grep.assumedYear) = (request.assumedZone, request.assumedYear)
        let collected = Grep.run(grep, sink: collector)
        if let failure = collector.failure { throw failure }
        let correlation = collector.correlation.correlate()
        if request.format == .sqlite {
            let database = try SQLiteTimelineWriter(path: request.output, overwrite: request.overwrite)
            var count = 0
            let written = try database.write { body throws(InputError) in
                try sorter.finish(adjust: correlation.apply) { event in
                    count += 1
                    if count % Self.progressStep == 0 { progress?(TimelineProgress(phase: .writing, events: count)) }
                    return body(event)
                }
            }
            return TimelineOutcome(correlation: correlation, written: written, withoutTime: sorter.untimedCount, leftOut: 0,
                                   diagnostics: collected.diagnostics)
        }
        let file = try AtomicOutputFile(path: request.output, overwrite: request.overwrite)
        var written = 0, leftOut = 0
        var failure: InputError?
        var bytes: [UInt8] = []
        if let header = request.format.header { try file.write(Array(header.utf8)) }
        try sorter.finish(adjust: correlation.apply) { event in
            bytes.removeAll(keepingCapacity: true)
            guard request.format.append(event, to: &bytes) else {
                leftOut += 1
                return true
            }
            do throws(InputError) {
                try file.write(bytes)
            } catch {
                failure = error
                return false
            }
            written += 1
            if written % Self.progressStep == 0 { progress?(TimelineProgress(phase: .writing, events: written)) }
            return true
        }
        if let failure { throw failure }
        try file.commit()
        return TimelineOutcome(correlation: correlation, written: written, withoutTime: sorter.untimedCount, leftOut: leftOut,
                               diagnostics: collected.diagnostics)
    }

    static let progressStep = 10_000

    private static func makeScratchFolder(beside path: String) throws(InputError) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        var template = Array(((directory.isEmpty ? "" : directory + "/") + ".firmtrace-timeline-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw InputError(.writeFailed("cannot make a scratch folder: \(SystemCallError("mkdtemp"))"), at: InputLocation(path: path))
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Feeds grep's events into the sorter and the correlation; runs on grep's output thread.
private final class SorterSink: EventSink {
    private let sorter: TimelineSorter
    private let progress: (@Sendable (TimelineProgress) -> Void)?
    let correlation = CorrelationCollector()
    private(set) var failure: InputError?

    init(_ sorter: TimelineSorter, progress: (@Sendable (TimelineProgress) -> Void)?) {
        self.sorter = sorter
        self.progress = progress
    }

    func accept(_ event: Event) -> Bool {
        var event = event
        _ = correlation.accept(event)
        event.id = "e\(correlation.ordinal)"
        if correlation.ordinal % Timeline.progressStep == 0 { progress?(TimelineProgress(phase: .reading, events: correlation.ordinal)) }
        do throws(InputError) {
            try sorter.add(event)
            return true
        } catch {
            failure = error
            return false
        }
    }

    func finish() {}
}
