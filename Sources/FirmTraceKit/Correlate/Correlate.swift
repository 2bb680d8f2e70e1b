public struct CorrelateRequest: Sendable {
    public var logs: [String]
    public var captures: [String]
    /// With an output, the linked timeline is written there.
    public var output: String?
    public var format: TimelineFormat
    public var overwrite: Bool
    public var tuyaKey: String?

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
    public static func run(_ request: CorrelateRequest) throws(InputError) -> CorrelateOutcome {
        let inputs = request.logs + request.captures
        if let output = request.output {
            let timeline = try Timeline.run(TimelineRequest(inputs: inputs, output: output, format: request.format,
                                                            overwrite: request.overwrite, tuyaKey: request.tuyaKey))
            return CorrelateOutcome(correlation: timeline.correlation, timeline: timeline, diagnostics: timeline.diagnostics)
        }
        let collector = CorrelationCollector()
        let read = Grep.run(GrepRequest(inputs: inputs, tuyaKey: request.tuyaKey), sink: collector)
        return CorrelateOutcome(correlation: collector.correlate(), timeline: nil, diagnostics: read.diagnostics)
    }
}
