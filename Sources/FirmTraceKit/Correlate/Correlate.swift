public struct CorrelateRequest: Sendable {
    public var logs: [String]
    public var captures: [String]
    /// With an output, the linked timeline is written there.
    public var output: String?
    public var format: TimelineFormat
    public var overwrite: Bool
    public var tuyaKey: String?
    /// For device-local logs without epochs, as for grep.
    public var assumedZone: Int64?
    public var assumedYear: Int64?
    /// What the linked timeline holds, as `TimelineRequest`'s.
    public var query = EventQuery()
    public var onlyFindings = false

    public init(logs: [String], captures: [String], output: String? = nil, format: TimelineFormat = .csv, overwrite: Bool = false,
                tuyaKey: String? = nil) {
        self.logs = logs
        self.captures = captures
        self.output = output
        self.format = format
        self.overwrite = overwrite
        self.tuyaKey = tuyaKey
    }
}

public struct CorrelateOutcome: Sendable {
    public let correlation: Correlation
    public let timeline: TimelineOutcome?
    public let diagnostics: Diagnostics

    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : 0 }
}

/// `firmtrace correlate`: the clock model of each log source against the capture, the links between log
/// lines and packets, and optionally the linked timeline.
public enum Correlate {
    public static func run(_ request: CorrelateRequest,
                           progress: (@Sendable (TimelineProgress) -> Void)? = nil) throws(InputError) -> CorrelateOutcome {
        var reading = TimelineRequest(inputs: request.logs + request.captures, output: request.output ?? "", format: request.format,
                                      overwrite: request.overwrite, tuyaKey: request.tuyaKey)
        (reading.assumedZone, reading.assumedYear) = (request.assumedZone, request.assumedYear)
        (reading.query, reading.onlyFindings) = (request.query, request.onlyFindings)
        if request.output != nil {
            let timeline = try Timeline.run(reading, progress: progress)
            return CorrelateOutcome(correlation: timeline.correlation, timeline: timeline, diagnostics: timeline.diagnostics)
        }
        let read = try Timeline.correlation(reading, progress: progress)
        return CorrelateOutcome(correlation: read.correlation, timeline: nil, diagnostics: read.diagnostics)
    }
}
