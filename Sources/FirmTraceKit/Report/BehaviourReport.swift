public struct ReportRequest: Sendable {
    public var inputs: [String]
    public var tuyaKey: String?
    public var miioToken: [UInt8]?
    /// For device-local logs without epochs, as for grep.
    public var assumedZone: Int64?
    public var assumedYear: Int64?
    /// The IEEE OUI registry (`ieee-data`).
    public var registry: String = OUIRegistry.defaultPath

    public init(inputs: [String], tuyaKey: String? = nil, miioToken: [UInt8]? = nil) {
        self.inputs = inputs
        self.tuyaKey = tuyaKey
        self.miioToken = miioToken
    }
}

/// One behaviour over the whole evidence: how often, when, and whether on a clock.
public struct BehaviourFinding: Sendable {
    public let behaviour: Behaviour
    /// Every event, with a time or not (the timing below is of those with one).
    public let count: Int
    public let first: Int64?
    public let last: Int64?
    public let periodicity: Periodicity
    /// Events per hour of the day, in the report's zone.
    public let hourOfDay: [Int]
    /// Events per bin of the report's activity axis.
    public let activity: [Int]
    /// Set when most of its events fall in a short window (the rest of the time it is quiet).
    public let burst: TimeWindow?
    /// One event's message, for context.
    public let example: String
}

public struct TimeWindow: Sendable, Equatable {
    public let start: Int64
    public let end: Int64
    public let events: Int
}

/// A behaviour with how many of its events found no counterpart on the other side.
public struct UnmatchedBehaviour: Sendable {
    public let behaviour: Behaviour
    public let events: Int
    public let example: String
}

/// What `firmtrace report` found: the seed's conclusions, reached from the evidence.
public struct BehaviourReport: Sendable {
    public let inputs: [String]
    public let events: Int
    public let eventsWithoutTime: Int
    public let start: Int64?
    public let end: Int64?
    /// Hours of the day are counted in this zone: the device's, when a log settled it.
    public let zoneSeconds: Int64
    public let zoneSource: String
    public let binOrigin: Int64
    public let binWidth: Int64
    public let binCount: Int
    public let identity: DeviceIdentity
    public let clocks: [Correlation.SourceClock]
    /// By how many events, most first.
    public let behaviours: [BehaviourFinding]
    public let peaks: [ActivityPeak]
    public let names: [ResolvedName]
    public let endpoints: [ProcessEndpoint]
    /// Log lines that say the device talked to a server, with no packet to show it.
    public let unmatchedClaims: [UnmatchedBehaviour]
    /// Device traffic (DNS, TLS, HTTP) no log line accounts for.
    public let unloggedTraffic: [UnmatchedBehaviour]
    /// Device traffic sent while no log was written, which no line could account for: only counted.
    public let trafficOutsideLogs: Int
    /// Claims without packets made while no capture ran: only counted.
    public var claimsOutsideCapture: Int { clocks.reduce(0) { $0 + $1.claimsOutsideCapture } }
    /// Whose that traffic is: the addresses the correlation took for the device (empty when it could not
    /// tell the device from other hosts).
    public let deviceAddresses: [String]
    public let diagnostics: Diagnostics

    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : 0 }

    public var periodic: [BehaviourFinding] {
        behaviours.filter { $0.periodicity.verdict == .periodic }
    }

    /// Reads every input once; log events are moved onto the capture's clock by the correlation before
    /// anything is timed, so a log behaviour and the traffic it causes share one clock.
    public static func build(_ request: ReportRequest) -> BehaviourReport {
        let collector = ReportCollector()
        var grep = GrepRequest(inputs: request.inputs, tuyaKey: request.tuyaKey, miioToken: request.miioToken)
        (grep.assumedZone, grep.assumedYear) = (request.assumedZone, request.assumedYear)
        // Logs are decoded on one thread: the collectors, on one thread of their own, bound the report, and
        // slices decoded side by side only held 10 to 20 MiB more of it (measured on the benchmark's inputs).
        grep.sliceBytes = nil
        let read = Grep.runDatingLogsByCaptures(grep, sink: collector)
        collector.correlation.note(yearSources: read.yearSources)
        let correlation = collector.correlation.correlate()
        return collector.analyse(inputs: request.inputs, correlation: correlation, registry: request.registry, diagnostics: read.diagnostics)
    }
}

/// Keeps, per event, only its behaviour (arrival order is the correlation's ordinal) and its time, the
/// times filed by behaviour with the sources they came from as runs, plus the tables that are built as
/// events go by. Runs on grep's output thread.
private final class ReportCollector: EventSink {
    let correlation = CorrelationCollector()
    private var classifier = BehaviourClassifier()
    private var names = NameResolutionCollector()
    private var endpoints = EndpointCollector()
    private var identity = DeviceIdentityCollector()
    private var duplicates = DuplicateSources()
    private var behaviourIndex: [Behaviour: Int32] = [:]
    private var behaviours: [Behaviour] = []
    private var examples: [String] = []
    private var counts: [Int] = []
    private var logSources = InternTable<LogClock>()
    private var eventBehaviours: [Int32] = []
    /// Per behaviour, and first for events of none: the times in arrival order, and which log source (-1
    /// for a capture) each run of them came from. Filed this way, moving them to the capture's clock and
    /// sorting them happens in place, with no second copy of every time.
    private var timesByBehaviour: [[Int64]] = [[]]
    private var sourceRuns: [[(source: Int32, count: Int)]] = [[]]
    private var withoutTime = 0
    /// Past this many behaviours (hostile logs can make every line distinct), new ones count as one.
    static let maxBehaviours = 20_000

    func accept(_ event: Event) -> Bool {
        if duplicates.isDuplicate(event) { return true }
        _ = correlation.accept(event)
        names.accept(event)
        endpoints.accept(event)
        identity.accept(event)
        let behaviour = classifier.behaviour(of: event).map(index) ?? -1
        eventBehaviours.append(behaviour)
        if behaviour >= 0 {
            counts[Int(behaviour)] += 1
            if examples[Int(behaviour)].isEmpty { examples[Int(behaviour)] = String(event.message.prefix(300)) }
        }
        guard let time = event.time, PlausibleTime.range.contains(time) else {
            withoutTime += 1
            return true
        }
        let bucket = Int(behaviour) + 1
        let source = event.origin != "capture" ? Int32(logSources.number(of: event.logClock).number) : -1
        timesByBehaviour[bucket].append(time)
        if sourceRuns[bucket].last?.source == source {
            sourceRuns[bucket][sourceRuns[bucket].count - 1].count += 1
        } else {
            sourceRuns[bucket].append((source, 1))
        }
        return true
    }

    func finish() {}

    private func index(_ behaviour: Behaviour) -> Int32 {
        if let known = behaviourIndex[behaviour] { return known }
        let kept = behaviours.count < Self.maxBehaviours
            ? behaviour
            : Behaviour(id: "other:\(behaviour.category)", description: "other \(behaviour.category) (too many distinct behaviours)",
                        category: behaviour.category, origin: behaviour.origin)
        if let known = behaviourIndex[kept] { return known }
        let index = Int32(behaviours.count)
        behaviourIndex[kept] = index
        behaviours.append(kept)
        examples.append("")
        counts.append(0)
        timesByBehaviour.append([])
        sourceRuns.append([])
        return index
    }

    /// Once only: the filed times are moved onto the capture's clock where they lie.
    func analyse(inputs: [String], correlation: Correlation, registry: String, diagnostics: Diagnostics) -> BehaviourReport {
        var diagnostics = diagnostics
        for (source, original) in duplicates.duplicates {
            diagnostics.report(.notice, at: InputLocation(path: source), "the same evidence as \(original); counted once")
        }
        let corrections = logSources.names.map { correlation.corrections[$0] }
        var start: Int64?, end: Int64?
        for bucket in timesByBehaviour.indices {
            var first = 0
            for run in sourceRuns[bucket] {
                if run.source >= 0, let correction = corrections[Int(run.source)] {
                    for index in first ..< first + run.count {
                        timesByBehaviour[bucket][index] = correction.captureTime(timesByBehaviour[bucket][index])
                    }
                }
                first += run.count
            }
            // The events of no behaviour only widen the span: they need no order.
            if bucket > 0 { timesByBehaviour[bucket].sort() }
            if let earliest = timesByBehaviour[bucket].min(), let latest = timesByBehaviour[bucket].max() {
                start = min(start ?? earliest, earliest)
                end = max(end ?? latest, latest)
            }
        }
        let (zone, zoneSource) = Self.zone(correlation)
        let span = (end ?? 0) - (start ?? 0)
        let width = ActivityProfile.binWidth(span: span)
        // Bins start on a whole bin of local time (a minute, an hour), not at the first event.
        let origin = start.map { ($0 + zone * 1_000_000_000).floorDivided(by: width).quotient * width - zone * 1_000_000_000 } ?? 0
        let binCount = end.map { Int(($0 - origin) / width) + 1 } ?? 0
        var findings: [BehaviourFinding] = []
        for (index, behaviour) in behaviours.enumerated() {
            let list = timesByBehaviour[index + 1]
            let periodicity = Periodicity.detect(sorted: list)
            findings.append(BehaviourFinding(
                behaviour: behaviour, count: counts[index], first: list.first, last: list.last, periodicity: periodicity,
                hourOfDay: ActivityProfile.hourOfDay(list, zoneSeconds: zone),
                activity: ActivityProfile.bins(list, origin: origin, width: width, count: binCount),
                burst: periodicity.verdict == .periodic ? nil : Self.burst(list, span: span), example: examples[index]))
        }
        findings.sort { ($0.count, $1.behaviour.id) > ($1.count, $0.behaviour.id) }
        let peaks = ActivityProfile.peaks(findings.map { ($0.behaviour, $0.activity) }, origin: origin, width: width)
        let table = names.table()
        return BehaviourReport(
            inputs: inputs, events: eventBehaviours.count, eventsWithoutTime: withoutTime, start: start, end: end, zoneSeconds: zone,
            zoneSource: zoneSource, binOrigin: origin, binWidth: width, binCount: binCount, identity: identity.identify(registry: registry),
            clocks: correlation.sources, behaviours: findings, peaks: peaks, names: table, endpoints: endpoints.table(names: table),
            unmatchedClaims: grouped(correlation.unmatchedClaimOrdinals), unloggedTraffic: grouped(correlation.unloggedTrafficOrdinals),
            trafficOutsideLogs: correlation.trafficOutsideLogs,
            deviceAddresses: correlation.deviceAddresses, diagnostics: diagnostics)
    }

    /// Ordinals (1-based arrival order) counted by behaviour, most first.
    private func grouped(_ ordinals: [Int]) -> [UnmatchedBehaviour] {
        var tally: [Int32: Int] = [:]
        for ordinal in ordinals where eventBehaviours.indices.contains(ordinal - 1) {
            tally[eventBehaviours[ordinal - 1], default: 0] += 1
        }
        return tally.filter { $0.key >= 0 }
            .map { UnmatchedBehaviour(behaviour: behaviours[Int($0.key)], events: $0.value, example: examples[Int($0.key)]) }
            .sorted { ($0.events, $1.behaviour.id) > ($1.events, $0.behaviour.id) }
    }

    /// The device's zone from its Tuya log, else any log's, else UTC.
    private static func zone(_ correlation: Correlation) -> (Int64, String) {
        let zoned = correlation.sources.filter { $0.tzOffsetSeconds != nil }
        if let tuya = zoned.first(where: { $0.origin == "rriot_tuya" }) ?? zoned.first(where: { $0.tzOffsetSeconds != 0 }) {
            return (tuya.tzOffsetSeconds!, "the device's zone, from \(tuya.origin)'s log")
        }
        return (0, "UTC: no log settled the device's zone")
    }

    /// The shortest stretch holding 80 % of the events, when it is under a tenth of the span.
    private static func burst(_ sorted: [Int64], span: Int64) -> TimeWindow? {
        guard sorted.count >= 5, span > 0 else { return nil }
        let needed = Int((Double(sorted.count) * 0.8).rounded(.up))
        var best: (start: Int64, end: Int64)?
        for first in 0 ... sorted.count - needed {
            let stretch = (sorted[first], sorted[first + needed - 1])
            if best.map({ stretch.1 - stretch.0 < $0.end - $0.start }) ?? true { best = stretch }
        }
        guard let best, best.end - best.start <= span / 10 else { return nil }
        return TimeWindow(start: best.start, end: best.end, events: sorted.filter { $0 >= best.start && $0 <= best.end }.count)
    }
}
