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

    public var exitStatus: Int32 { diagnostics.hasErrors || timeline?.diagnostics.hasErrors == true ? 2 : 0 }
}

/// `firmtrace correlate`: the clock model of each log source against the capture, the links between log
/// lines and packets, and optionally the linked timeline.
public enum Correlate {
    public static func run(_ request: CorrelateRequest) throws(InputError) -> CorrelateOutcome {
        let inputs = request.logs + request.captures
        let collector = CorrelationCollector()
        let first = Grep.run(GrepRequest(inputs: inputs, tuyaKey: request.tuyaKey), sink: collector)
        let correlation = collector.correlate()
        var timeline: TimelineOutcome?
        if let output = request.output {
            // The second read sees the same events in the same order, so ordinals name the same events.
            let timelineRequest = TimelineRequest(inputs: inputs, output: output, format: request.format, overwrite: request.overwrite,
                                                  tuyaKey: request.tuyaKey)
            timeline = try Timeline.run(timelineRequest) { event, ordinal in
                event.id = "e\(ordinal)"
                event.links = (correlation.links[ordinal] ?? []).map { "e\($0)" }
                if event.origin != "capture", let time = event.time, let offset = correlation.offsets[event.source] {
                    event.time = time - offset
                    event.timeBasis = .logClock
                }
            }
        }
        return CorrelateOutcome(correlation: correlation, timeline: timeline, diagnostics: first.diagnostics)
    }
}
