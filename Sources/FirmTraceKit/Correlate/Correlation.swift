/// What the firmware says it did, matched against what the network shows. A log line that must have
/// caused traffic (a `Post URL`, a `Connect: host`, an MQTT connect, a miio HTTP-DNS request) is a claim;
/// the first packet it caused (the DNS query for the host, or, when the device answered from its own DNS
/// cache, the SYN to an address the host resolved to; the TCP connection to a miio server) dates it.
/// Network delay only ever makes packets later, so the device clock's offset is fitted to the envelope
/// of the differences, not their mean.
public struct Correlation: Sendable {
    /// A log line that implies traffic: which packets must follow it, the first of them dating it.
    struct Claim: Sendable {
        let ordinal: Int
        let source: Int
        let time: Int64
        /// Keys (indexes into the collector's key table) of the capture events it should be linked to, the
        /// dating one first, then a second or -1.
        let datingKey: Int32
        let otherKey: Int32
        /// `conn:host:port`, for a claim that connects to a named host: the TCP connections opened to an
        /// address the host resolved to (anywhere in the capture); -1 for none.
        let connectionKey: Int32
        /// The stretch of its source's clock that placed it.
        let segment: Int32
    }

    /// An address that sent traffic, and the link-layer address (empty without one) it came from.
    struct Sender: Hashable {
        let address: String
        let link: String
    }

    struct Sighting: Sendable {
        let time: Int64
        let ordinal: Int
        /// The address (with the link-layer address it came from) that sent it, numbered among the
        /// capture's senders; -1 when it has none.
        let sender: Int32
    }

    /// One log source's clock against the capture.
    public struct SourceClock: Sendable {
        public let source: String
        public let origin: String
        public let year: Int64?
        public let yearSource: String?
        public let tzOffsetSeconds: Int64?
        /// Of its clock segment with the most pairs (the first of equals); nil with no pairs.
        public let paired: PairedOffset?
        /// The same offset read against servers' clocks, from the stamps of their answers the log kept.
        public let serverClockOffset: ServerClockOffset?
        public let matched: Int
        public let unmatchedLog: Int
        /// Claims without packets made while no capture ran (or too near its ends for their packets to be
        /// in it): not findings, only counted.
        public let claimsOutsideCapture: Int
        /// The stretches of the source's clock between restarts and steps, each placed on its own.
        public let segments: [SegmentClock]
    }

    /// A clock's offset against the capture as its pairs give it.
    public struct PairedOffset: Sendable {
        /// Device clock, less its zone, minus capture time.
        public let offsetSeconds: Double
        public let errorSeconds: Double
        /// How fast the device clock gains on the capture, in parts per million, when the pairs show it
        /// (then `offsetSeconds` is the offset in the middle of their span).
        public let driftPPM: Double?
        /// The pairs that placed it; the standard deviation of their differences about it (delay and the
        /// dropped fractions of whole-second stamps), nil with fewer than two; and the pairs left out of
        /// it, more than `stepThreshold` from the others' median (a packet paired with the wrong line).
        public let pairs: Int
        public let scatterSeconds: Double?
        public let pairsLeftOut: Int
    }

    /// One stretch of a source's clock against the capture.
    public struct SegmentClock: Sendable {
        /// What began it.
        public enum Beginning: Sendable, Equatable {
            case logStart
            /// A pre-sync run after placed lines: the device started again.
            case restart
            /// A line placed more than `ClockSegments.stepBack` before the line before it.
            case stepBack
            /// Seen in the pairs, not in the log: the offset moved by more than `stepThreshold` at once,
            /// an NTP correction while the clock ran.
            case step(StepPoint)
        }

        /// Where a step seen in the pairs was put, from the surest to the least sure.
        public enum StepPoint: Sendable, Equatable {
            /// At the time sync line between the pairs on either side.
            case timeSync
            /// Stepping forward, at the line after the longest pause between them: the stamps jumped there.
            case pause
            /// Halfway between them: the lines did not show where.
            case halfway
        }

        public enum Placement: Sendable, Equatable {
            /// By its own pairs with the capture.
            case pairs
            /// By the servers' stamps its source kept (`ServerClockOffset`).
            case serverClocks
            /// With the offset of the segment of this number, the nearest with pairs: a segment without
            /// traffic of its own says nothing about its clock.
            case segment(Int)
            case none
        }

        /// Numbered in order within its source, from 0.
        public let segment: Int
        public let beginning: Beginning
        /// Where it begins and ends on the device's clock put on UTC (ns): its first and last placed line,
        /// or the step between it and its neighbour; nil when no line was placed.
        public let from: Int64?
        public let to: Int64?
        /// When its own pairs placed it.
        public let paired: PairedOffset?
        public let placement: Placement
    }

    /// Device clock, less its zone, minus the servers' clocks: each stamp is the server's whole second
    /// when it answered, and the line that kept it is stamped (in whole seconds) at or after that, so each
    /// difference lies within a second of the offset plus the delay. The offset lies between the largest
    /// difference less a second and the smallest plus a second.
    public struct ServerClockOffset: Sendable {
        /// What the servers stamped their answers with.
        public enum Stamps: String, Sendable {
            /// miio_client's HTTP-DNS responses, kept whole.
            case httpDateHeaders = "http_date"
            /// The `"t":` of the Tuya cloud's responses (`Decode Rev:`).
            case tuyaResponses = "tuya_response_t"

            /// `count` of them in words: `351 HTTP Date headers`, `1 Tuya cloud response's t`.
            public func counted(_ count: Int) -> String {
                switch self {
                case .httpDateHeaders: "\(count) HTTP Date header" + (count == 1 ? "" : "s")
                case .tuyaResponses: "\(count) Tuya cloud " + (count == 1 ? "response's t" : "responses' t")
                }
            }
        }

        public let offsetSeconds: Double
        public let errorSeconds: Double
        public let stamps: Int
        public let kind: Stamps
    }

    /// Things of one sort that have no counterpart: claims of one source about one host, or device
    /// traffic of one kind to one name.
    public struct Finding: Sendable {
        /// The log source, for claims.
        public let source: String?
        /// `connect to m1.tuyaus.com:1883`, `DNS query xx.ot.io.mi.com`.
        public let what: String
        public let count: Int
        /// When the first of them happened, on the capture's clock (ns).
        public let first: Int64

        static func mostFirst(_ lhs: Finding, _ rhs: Finding) -> Bool {
            (lhs.count, rhs.what, rhs.source ?? "") > (rhs.count, lhs.what, lhs.source ?? "")
        }
    }

    public let sources: [SourceClock]
    /// Whether any capture traffic was read: without it, nothing could have been linked.
    public let sawCapture: Bool
    /// Device traffic (DNS queries, TLS ClientHellos, HTTP requests, TCP connections to addresses no DNS
    /// answer gave) no log line accounts for.
    public let unmatchedCapture: Int
    /// Device traffic no log line accounts for, sent while no log was written: not a finding, only counted.
    public let trafficOutsideLogs: Int
    /// When the captures ran, on their clock (ns): claims are findings only inside these.
    public let captureSpans: [ClosedRange<Int64>]
    /// When the logs that claim traffic were written, on the capture's clock (ns): device traffic is a
    /// finding only inside these.
    public let loggedSpans: [ClosedRange<Int64>]
    /// The log claims no packet answered and the device traffic no log line claimed, grouped, most first:
    /// findings (the capture missed something or the device lied; the firmware did something it did not
    /// log), shown rather than only counted.
    public let claimsWithoutPackets: [Finding]
    public let trafficWithoutLogLine: [Finding]
    /// Whose traffic `trafficWithoutLogLine` lists: the device's addresses, and the link-layer addresses
    /// it sent from that tie more addresses to it (a single host's); empty when the log accounted for no
    /// traffic and every sender counted.
    public let deviceAddresses: [String]
    public let deviceLinkAddresses: [String]
    /// Links by event ordinal (arrival order, the same in every read of the same inputs).
    let links: [Int: [Int]]
    /// Ordinals of the log claims no packet answered, and of the device traffic no log line claimed.
    let unmatchedClaimOrdinals: [Int]
    let unloggedTrafficOrdinals: [Int]
    /// By log source and clock segment: how to re-place its events on the capture's clock.
    let corrections: [LogClock: ClockCorrection]
    /// By log source and clock segment, for sources the report splits into several segments: the number
    /// `clock` and `correlate` give the segment's first stretch. Its other stretches follow on, one per
    /// piece of its correction; a source with one segment is left out, its number saying nothing.
    let segmentNumbers: [LogClock: Int]

    /// How far after a claim its first packet may come, on the corrected clock.
    static let linkWindow: Int64 = 10_000_000_000

    /// Where, on the capture's clock, the packets of a claim made at `time` may lie: the device's
    /// whole-second stamps put a line up to a second after what it logged.
    static func packetWindow(ofClaimAt time: Int64) -> ClosedRange<Int64> {
        time - 1_000_000_000 ... time + linkWindow
    }

    /// How long around traffic at `time` a log must have been written for a missing line to be a finding.
    /// A line comes within a second or so before the traffic it causes: the link window's ten seconds
    /// allow for a slow network, and asked of a log's ends they would pass over real findings there.
    static func loggedWindow(aroundTrafficAt time: Int64) -> ClosedRange<Int64> {
        time - 1_000_000_000 ... time + 1_000_000_000
    }
    /// How far apart device and capture clocks may be before pairs are not believed.
    static let searchWindow: Int64 = 600_000_000_000
}

/// Collects, from one read of the inputs, the claims, the capture sightings and each source's zone. Keys
/// and sources are interned: a large log makes hundreds of thousands of claims on a handful of hosts.
final class CorrelationCollector: EventSink {
    struct SourceInfo {
        let name: String
        let origin: String
        /// A miio_client log, whose lines keep HTTP `Date:` stamps: asked of every line, and comparing the
        /// origin's name each time cost more than the rest of looking for a stamp.
        let isMiio: Bool
        var year: Int64?
        var yearSource: String?
        var zone: Int64?
        var hasEpochs = false
        /// Line time minus the server's stamp it kept.
        var serverDifferences: [Int64] = []
        /// What was seen of each clock segment (`ClockSegments`), by its number.
        var segments: [SegmentRecord?] = []

        /// A placed line at `time`; `beginning` counts only for a segment's earliest line.
        mutating func record(_ time: Int64, segment: Int32, isTimeSync: Bool, beginning: Correlation.SegmentClock.Beginning) {
            let index = Int(segment)
            makeRoom(for: index)
            if segments[index] == nil {
                segments[index] = SegmentRecord(span: RecordedSpan(time), beginning: beginning, gaps: LineGaps(firstLine: time, isTimeSync: isTimeSync))
            } else {
                if time < segments[index]!.span.first { segments[index]!.beginning = beginning }
                segments[index]!.gaps.line(at: time, isTimeSync: isTimeSync)
            }
            segments[index]!.span.include(time)
        }

        func segment(_ number: Int32) -> SegmentRecord? {
            segments.indices.contains(Int(number)) ? segments[Int(number)] : nil
        }

        /// A claim made in `segment`: the gaps after it are another stretch's.
        mutating func claimed(segment: Int32) {
            if segments.indices.contains(Int(segment)) { segments[Int(segment)]?.gaps.claimed() }
        }

        mutating func absorb(_ other: SegmentRecord, segment: Int) {
            makeRoom(for: segment)
            if segments[segment] == nil { segments[segment] = other } else { segments[segment]!.absorb(other) }
        }

        private mutating func makeRoom(for segment: Int) {
            if segment >= segments.count { segments += Array(repeating: nil, count: segment + 1 - segments.count) }
        }
    }

    /// One clock segment of a source as its lines show it.
    struct SegmentRecord {
        var span: RecordedSpan
        /// Judged by its earliest line.
        var beginning: Correlation.SegmentClock.Beginning
        /// Where a step its pairs show can lie.
        var gaps: LineGaps

        /// Takes in the lines read after its own.
        mutating func absorb(_ other: SegmentRecord) {
            if other.span.first < span.first { beginning = other.beginning }
            span.include(other.span)
            gaps.append(other.gaps)
        }
    }

    /// The logs whose lines claim traffic: only while one of them was written can traffic lack a line.
    static let claimingOrigins: Set<String> = ["rriot_tuya", "miio_client"]

    private(set) var ordinal = 0
    private var claims: [Correlation.Claim] = []
    private var keys = InternTable<String>()
    private var sightings: [[Correlation.Sighting]] = []
    private var sources: [SourceInfo] = []
    private var sourceNames = InternTable<String>()
    /// The first and last packet of each capture file, by its number among `captureNames`: interned, whose
    /// last name is kept at hand, since hashing a capture's path for every packet cost more.
    private var captureSpans: [RecordedSpan] = []
    private var captureNames = InternTable<String>()
    /// Traffic a log line should account for, when the device sent it, is the sightings of the traffic
    /// keys (`trafficDescription`), and, for traffic without a name (no key), these: an entry of its own
    /// for every DNS query of a capture cost a timeline 45 MiB.
    private var unnamedTraffic: [(ordinal: Int, what: Int32, time: Int64, sender: Int32)] = []
    private var unnamedTrafficNames = InternTable<String>()
    /// The addresses each name resolved to, from the capture's DNS answers.
    private var resolutions: [String: Set<String>] = [:]
    /// The addresses last taken in for each name, as the answer wrote them: a device asks for the same names
    /// over and over, and splitting every answer into a set cost more than decoding it.
    private var lastAnswers: [String: String] = [:]
    /// The source addresses of the capture's traffic, each with the link-layer address it came from: the
    /// device is whichever of them sent what the log accounted for.
    private var senders = InternTable<Correlation.Sender>()
    /// Where each log source's year came from, as its reader settled it.
    private var yearSources: [String: String] = [:]

    func note(yearSources: [String: String]) {
        self.yearSources.merge(yearSources) { first, _ in first }
    }

    /// Whether the event accepted last was taken in as a claim or a sighting: only those can be findings.
    private(set) var lastWasEvidence = false

    func accept(_ event: Event) -> Bool {
        ordinal += 1
        lastWasEvidence = false
        if event.origin == "capture" { sight(event) } else { claim(event) }
        return true
    }

    func finish() {}

    /// Takes in what another collector saw, its ordinals counted on from `ordinalBase`: the timeline
    /// reads inputs side by side, each with its own collector. The other is spent: its packets move here.
    func absorb(_ other: CorrelationCollector, ordinalBase: Int) {
        let keyMap = other.keys.names.map { intern($0) }
        let sourceMap = other.sources.map { info -> Int in
            let index = source(info.name, origin: info.origin)
            if sources[index].zone == nil, info.zone != nil {
                (sources[index].year, sources[index].yearSource, sources[index].zone) = (info.year, info.yearSource, info.zone)
            }
            sources[index].hasEpochs = sources[index].hasEpochs || info.hasEpochs
            sources[index].serverDifferences += info.serverDifferences
            for (segment, record) in info.segments.enumerated() {
                if let record { sources[index].absorb(record, segment: segment) }
            }
            return index
        }
        for claim in other.claims {
            claims.append(.init(ordinal: claim.ordinal + ordinalBase, source: sourceMap[claim.source], time: claim.time,
                                datingKey: keyMap[Int(claim.datingKey)], otherKey: claim.otherKey < 0 ? -1 : keyMap[Int(claim.otherKey)],
                                connectionKey: claim.connectionKey < 0 ? -1 : keyMap[Int(claim.connectionKey)], segment: claim.segment))
        }
        resolutions.merge(other.resolutions) { $0.union($1) }
        let senderMap = other.senders.names.map { Int32(senders.number(of: $0).number) }
        func sender(_ number: Int32) -> Int32 { number < 0 ? -1 : senderMap[Int(number)] }
        // A capture's packets are taken out of the other collector and renumbered where they lie, and moved in
        // whole when nothing of theirs is here yet (one capture): copied, the largest capture's came in at
        // the end of reading as twice their size at once, the peak of a multi-gigabyte timeline.
        for key in other.sightings.indices {
            Self.move(&other.sightings[key], onto: &sightings[Int(keyMap[key])]) {
                .init(time: $0.time, ordinal: $0.ordinal + ordinalBase, sender: sender($0.sender))
            }
        }
        for (name, span) in zip(other.captureNames.names, other.captureSpans) { includeInCapture(name, span) }
        let nameMap = other.unnamedTrafficNames.names.map { Int32(unnamedTrafficNames.number(of: $0).number) }
        Self.move(&other.unnamedTraffic, onto: &unnamedTraffic) {
            ($0.ordinal + ordinalBase, nameMap[Int($0.what)], $0.time, sender($0.sender))
        }
        note(yearSources: other.yearSources)
        ordinal += other.ordinal
    }

    /// Empties `source` onto the end of `target`, each element changed by `renumber` where it lies, and
    /// moved whole when `target` is empty: no copy of the array is made.
    private static func move<Element>(_ source: inout [Element], onto target: inout [Element], renumbering renumber: (Element) -> Element) {
        var taken: [Element] = []
        swap(&taken, &source)
        for index in taken.indices { taken[index] = renumber(taken[index]) }
        if target.isEmpty { target = taken } else { target += taken }
    }

    /// Widens the span of capture `name` by `span`; the capture's number.
    @discardableResult
    private func includeInCapture(_ name: String, _ span: RecordedSpan) -> Int {
        let (number, isNew) = captureNames.number(of: name)
        if isNew { captureSpans.append(span) } else { captureSpans[number].include(span) }
        return number
    }

    private func intern(_ key: String) -> Int32 {
        let (number, isNew) = keys.number(of: key)
        if isNew { sightings.append([]) }
        return Int32(number)
    }

    private func source(_ name: String, origin: String) -> Int {
        let (number, isNew) = sourceNames.number(of: name)
        if isNew { sources.append(SourceInfo(name: name, origin: origin, isMiio: origin == "miio_client")) }
        return number
    }

    private func claim(_ event: Event) {
        let index = source(event.source, origin: event.origin)
        if event.timeBasis == .logEpoch { sources[index].hasEpochs = true }
        if let time = event.time, sources[index].zone == nil, let zone = Self.zone(of: event, time: time) {
            let (year, _, _) = UTCDateTime.civilDate(daysSinceEpoch: (time / 1_000_000_000 + zone).floorDivided(by: 86_400).quotient)
            sources[index].year = year
            sources[index].yearSource = event.origin == "miio_client" ? "line" : nil
            sources[index].zone = zone
        }
        guard let time = event.time, PlausibleTime.range.contains(time) else { return }
        if event.timeBasis == .logClock || event.timeBasis == .logEpoch {
            // Worked out here, not in a closure: one capturing the event copied it, every string retained, for every line.
            let beginning: Correlation.SegmentClock.Beginning = event.clockSegment == 0 ? .logStart
                : event.fields["placed_from"] != nil ? .restart : .stepBack
            sources[index].record(time, segment: event.clockSegment, isTimeSync: event.kind == .tuyaTimeSync, beginning: beginning)
        }
        if let stamp = Self.serverStamp(of: event, isMiio: sources[index].isMiio), let serverTime = SourceClock.nanoseconds(stamp, 0) {
            sources[index].serverDifferences.append(time - serverTime)
        }
        var keys: (String, String)?
        var connection: (host: String, port: Int64)?
        switch event.kind {
        case .tuyaPostURL:
            if let host = event.fields.text("host") {
                connection = (host, event.fields.integer("port") ?? (event.fields.text("scheme") == "http" ? 80 : 443))
            }
        case .tuyaConnect where event.fields.text("phase") == "begin":
            if let host = event.fields.text("host"), let port = event.fields.integer("port") { connection = (host, port) }
        case .tuyaMQTT where event.fields.text("state") == "connecting":
            if let host = event.fields.text("broker_host"), let port = event.fields.integer("broker_port") { connection = (host, port) }
        case .miioHTTPDNS:
            if let server = event.fields.text("server"), event.message.contains("request") {
                keys = (Self.endpointKey("flow:", server, event.fields["port"] ?? .integer(80)), "http:" + server)
            }
        default: break
        }
        lastWasEvidence = connection != nil || keys != nil
        if lastWasEvidence { sources[index].claimed(segment: event.clockSegment) }
        if let connection {
            let numbers = connectionKeys(connection.host, connection.port)
            claims.append(.init(ordinal: ordinal, source: index, time: time, datingKey: numbers.dating, otherKey: numbers.other,
                                connectionKey: numbers.connection, segment: event.clockSegment))
        } else if let keys {
            claims.append(.init(ordinal: ordinal, source: index, time: time, datingKey: intern(keys.0), otherKey: intern(keys.1),
                                connectionKey: -1, segment: event.clockSegment))
        }
    }

    /// A host or address and a port, as a line or packet names it.
    private struct Endpoint: Equatable {
        let host: String
        let port: Int64
    }

    /// The keys' numbers of the connections claimed last: a device's connections take turns (its MQTT
    /// broker between two API calls).
    private var recentConnections = RecentValues<Endpoint, (dating: Int32, other: Int32, connection: Int32)>(capacity: 8)

    /// The numbers of the keys a connection to `host`:`port` is dated and linked by: the DNS query and the
    /// ClientHello for the host, the connection itself.
    private func connectionKeys(_ host: String, _ port: Int64) -> (dating: Int32, other: Int32, connection: Int32) {
        let endpoint = Endpoint(host: host, port: port)
        if let numbers = recentConnections[endpoint] { return numbers }
        let key = Self.hostKey(host)
        let numbers = (intern("dns:" + key), intern("sni:" + key), intern(Self.endpointKey("conn:", key, .integer(port))))
        recentConnections.keep(numbers, for: endpoint)
        return numbers
    }

    /// What a packet's key says it was, and the name (and port) in it.
    private struct TrafficName: Equatable {
        enum Kind { case dnsQuery, clientHello, httpRequest, flow, syn }
        let kind: Kind
        let endpoint: Endpoint
    }

    /// The keys' numbers of the traffic seen last: a capture holds the device's few queries and
    /// connections over and over.
    private var recentTraffic = RecentValues<TrafficName, Int32>(capacity: 16)

    private func trafficKey(_ kind: TrafficName.Kind, _ name: String, port: Int64 = 0) -> Int32 {
        let traffic = TrafficName(kind: kind, endpoint: Endpoint(host: name, port: port))
        if let number = recentTraffic[traffic] { return number }
        let number = switch kind {
        case .dnsQuery: intern("dns:" + Self.hostKey(name))
        case .clientHello: intern("sni:" + Self.hostKey(name))
        case .httpRequest: intern("http:" + name)
        case .flow: intern(Self.endpointKey("flow:", name, .integer(port)))
        case .syn: intern(Self.endpointKey("syn:", name, .integer(port)))
        }
        recentTraffic.keep(number, for: traffic)
        return number
    }

    /// The zone a device-local stamp implies, from its placed time (Tuya stamps only; miio is UTC).
    static func zone(of event: Event, time: Int64) -> Int64? {
        if event.origin == "miio_client" { return 0 }
        // A pre-sync line placed back from the clock step carries no zone: its stamp is not a date.
        guard event.timeBasis == .logClock || event.timeBasis == .logEpoch, event.fields["placed_from"] == nil,
              let stamp = event.deviceTime, stamp.count >= 14 else { return nil }
        let parts = stamp.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int64($0) }
        guard parts.count >= 5 else { return nil }
        let seconds = time.floorDivided(by: 1_000_000_000).quotient
        let (year, _, _) = UTCDateTime.civilDate(daysSinceEpoch: seconds.floorDivided(by: 86_400).quotient)
        var best: Int64?
        for candidate in year - 1 ... year + 1 {
            let local = UTCDateTime.epochSeconds(year: candidate, month: parts[0], day: parts[1], hour: parts[2], minute: parts[3], second: parts[4])
            let difference = local - seconds
            if best == nil || abs(difference) < abs(best!) { best = difference }
        }
        return best.map { ($0 + ($0 >= 0 ? 450 : -450)) / 900 * 900 }
    }

    private func sight(_ event: Event) {
        guard let time = event.time, PlausibleTime.range.contains(time) else { return }
        let capture = includeInCapture(event.source, RecordedSpan(time))
        // A packet's keys, at most two (a flow's and its SYN's); -1 for none.
        var (key, secondKey): (Int32, Int32) = (-1, -1)
        var unnamed: String?
        switch event.kind {
        case .netDNSQuery:
            if let name = event.fields.text("name") { key = trafficKey(.dnsQuery, name) } else { unnamed = "DNS query without a name" }
        case .netDNSAnswer:
            if let name = event.fields.text("name"), let addresses = event.fields.text("addresses") {
                let host = Self.hostKey(name)
                if lastAnswers[host] != addresses {
                    resolutions[host, default: []].formUnion(addresses.split(separator: ",").map(String.init))
                    lastAnswers[host] = addresses
                }
            }
            return
        case .netTLSClientHello:
            if let name = event.fields.text("sni") {
                key = trafficKey(.clientHello, name)
            } else {
                unnamed = "TLS ClientHello without a server name to \(event.fields.text("dst_ip") ?? "?")"
            }
        case .netHTTPRequest:
            if let ip = event.fields.text("dst_ip") { key = trafficKey(.httpRequest, ip) } else { unnamed = "HTTP request without an address" }
        case .netFlow:
            // The capture decoder writes a flow's port as a number.
            if let ip = event.fields.text("dst_ip"), let port = event.fields.integer("dst_port") {
                key = trafficKey(.flow, ip, port: port)
                if case .bool(true)? = event.fields["syn"] { secondKey = trafficKey(.syn, ip, port: port) }
            }
            // A flow is dated by its first packet: its last one shows the capture still running.
            if let duration = event.fields.integer("duration_ms") {
                let (length, tooLong) = duration.multipliedReportingOverflow(by: 1_000_000)
                let (end, overflow) = time.addingReportingOverflow(length)
                if !tooLong, !overflow, PlausibleTime.range.contains(end) { captureSpans[capture].include(end) }
            }
        default: return
        }
        // Looked up only for what is kept: a capture's events carry a dozen fields, searched by name.
        var sender: Int32 = -1
        if let address = event.fields.text("src_ip") {
            sender = Int32(senders.number(of: Correlation.Sender(address: address, link: event.fields.text("src_mac") ?? "")).number)
        }
        if let unnamed { unnamedTraffic.append((ordinal, Int32(unnamedTrafficNames.number(of: unnamed).number), time, sender)) }
        let sighting = Correlation.Sighting(time: time, ordinal: ordinal, sender: sender)
        lastWasEvidence = unnamed != nil || key >= 0 || secondKey >= 0
        if key >= 0 { sightings[Int(key)].append(sighting) }
        if secondKey >= 0 { sightings[Int(secondKey)].append(sighting) }
    }

    /// `flow:10.0.0.1:443`: written into bytes, as every flow of a capture makes one or two; interpolated,
    /// they cost more than the rest of taking a flow in.
    static func endpointKey(_ prefix: StaticString, _ address: String, _ port: FieldValue) -> String {
        var key = ByteBuffer(capacity: 48)
        key.append(prefix)
        key.append(utf8: address)
        key.append(":")
        if case .integer(let number) = port { EventBytes.appendInteger(number, to: &key) } else { key.append(utf8: port.description) }
        return key.string
    }

    /// A host name as the correlation compares it: DNS names are case-insensitive (RFC 4343) and a
    /// trailing dot only marks them fully qualified, so `MS.TuyaEU.com.` in a packet is `ms.tuyaeu.com`
    /// in the log. Names already in that form, nearly all of them, are returned as they are.
    static func hostKey(_ name: String) -> String {
        let needsFolding = name.utf8.contains { (UInt8(ascii: "A") ... UInt8(ascii: "Z")).contains($0) }
        let trailingDot = name.utf8.count > 1 && name.utf8.last == UInt8(ascii: ".")
        guard needsFolding || trailingDot else { return name }
        var bytes = Array(name.utf8)
        if trailingDot { bytes.removeLast() }
        for index in bytes.indices where (UInt8(ascii: "A") ... UInt8(ascii: "Z")).contains(bytes[index]) { bytes[index] |= 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }

    func correlate() -> Correlation {
        for key in sightings.indices { sightings[key].sortUnlessInOrder { ($0.time, $0.ordinal) < ($1.time, $1.ordinal) } }
        var corrections: [LogClock: ClockCorrection] = [:]
        var segmentNumbers: [LogClock: Int] = [:]
        var clocks: [Correlation.SourceClock] = []
        var links: [Int: [Int]] = [:]
        var unmatchedClaims: [Int] = []
        // Who sent the packets the claims were linked to: the device.
        var deviceSenders: Set<Int32> = []
        // Grouped as they are found (a log can make hundreds of thousands of claims the capture missed):
        // by source and the key naming what the claim said it would do.
        var claimsWithoutPackets = FindingTally()
        // Sorted where they lie and cut into runs, not grouped into copies: a large log makes hundreds of
        // thousands of claims.
        claims.sortUnlessInOrder { ($0.source, $0.segment, $0.ordinal) < ($1.source, $1.segment, $1.ordinal) }
        let claimsBySource = Self.runs(of: claims[...], by: \.source)
        let hasSightings = sightings.contains { !$0.isEmpty }
        let captureCoverage = Coverage(captureSpans.map(\.range))
        // By connection key: the connections opened to the host's addresses, and those with the DNS queries
        // for the host, the first packet a claim caused being either. Arrays by key, not dictionaries: they are
        // looked up for every claim of every fit, and the merge waits for all of it.
        var openings = [[Correlation.Sighting]?](repeating: nil, count: keys.names.count)
        var firstPackets = [[Correlation.Sighting]](repeating: [], count: keys.names.count)
        for claim in claims where claim.connectionKey >= 0 && openings[Int(claim.connectionKey)] == nil {
            let opened = connectionsOpened(claim.connectionKey)
            openings[Int(claim.connectionKey)] = opened
            firstPackets[Int(claim.connectionKey)] = (sightings[Int(claim.datingKey)] + opened)
                .sorted { ($0.time, $0.ordinal) < ($1.time, $1.ordinal) }
        }
        // Flows only date claims (a miio line's HTTP-DNS request by its flow); links go to the other keys'
        // packets. Marked once by key number, not by comparing each claim's keys' text.
        let isFlowKey = keys.names.map { $0.hasPrefix("flow:") }
        for index in sources.indices.sorted(by: { sources[$0].name < sources[$1].name }) {
            var info = sources[index]
            let source = info.name
            if info.year != nil, info.yearSource == nil {
                // A Tuya source's year comes from its epochs, or else from the hint --tz settled it with.
                info.yearSource = info.hasEpochs ? "epoch" : yearSources[source] ?? "assumed with --tz"
            }
            let sourceClaims = claims[claimsBySource[index] ?? 0 ..< 0]
            let serverClockOffset = Self.serverClockOffset(info.serverDifferences, origin: info.origin)
            let placed = placeClock(info, claims: sourceClaims, serverClockOffset: serverClockOffset, firstPackets: firstPackets)
            for (segment, correction) in placed.corrections { corrections[LogClock(source: source, segment: segment)] = correction }
            if placed.segments.count > 1 {
                for (segment, number) in placed.numbers { segmentNumbers[LogClock(source: source, segment: segment)] = number }
            }
            var matched = 0, unmatched = 0, outside = 0
            for claim in sourceClaims {
                let corrected = claim.time - (placed.linking[claim.segment]?.offset(at: claim.time) ?? 0)
                let window = Correlation.packetWindow(ofClaimAt: corrected)
                var found: [Int] = []
                func link(_ list: [Correlation.Sighting]) {
                    guard let first = Self.firstAfter(list, window.lowerBound), window.contains(first.time) else { return }
                    found.append(first.ordinal)
                    deviceSenders.insert(first.sender)
                }
                // Key by key, not gathered into a list of lists, which cost an allocation and two key
                // comparisons a claim.
                if claim.datingKey >= 0, !isFlowKey[Int(claim.datingKey)] { link(sightings[Int(claim.datingKey)]) }
                if claim.otherKey >= 0, !isFlowKey[Int(claim.otherKey)] { link(sightings[Int(claim.otherKey)]) }
                if claim.connectionKey >= 0 { link(openings[Int(claim.connectionKey)] ?? []) }
                if found.isEmpty {
                    // Without any capture there is nothing a claim could be missing from.
                    guard hasSightings else { continue }
                    guard captureCoverage.covers(Correlation.packetWindow(ofClaimAt: corrected)) else {
                        outside += 1
                        continue
                    }
                    unmatched += 1
                    unmatchedClaims.append(claim.ordinal)
                    claimsWithoutPackets.count(source: index, what: claim.connectionKey >= 0 ? claim.connectionKey : claim.datingKey,
                                               at: corrected)
                } else {
                    matched += 1
                    links[claim.ordinal, default: []] += found
                    for ordinal in found { links[ordinal, default: []].append(claim.ordinal) }
                }
            }
            clocks.append(.init(source: source, origin: info.origin, year: info.year, yearSource: info.yearSource,
                                tzOffsetSeconds: info.zone, paired: placed.main?.paired, serverClockOffset: serverClockOffset,
                                matched: matched, unmatchedLog: unmatched, claimsOutsideCapture: outside, segments: placed.segments))
        }
        let device = DeviceAddresses(linked: deviceSenders, senders: senders.names)
        let logged = loggedCoverage(corrections)
        let unlogged = unloggedTraffic(OrdinalSet(links.keys), device: device, logged: logged)
        return Correlation(sources: clocks, sawCapture: hasSightings || !unnamedTraffic.isEmpty, unmatchedCapture: unlogged.ordinals.count,
                           trafficOutsideLogs: unlogged.outsideLogs, captureSpans: captureCoverage.spans, loggedSpans: logged.spans,
                           claimsWithoutPackets: claimsWithoutPackets.findings { source, key in (sources[source].name, describe(key)) }
                               .sorted(by: Correlation.Finding.mostFirst),
                           trafficWithoutLogLine: unlogged.findings,
                           deviceAddresses: device.addresses, deviceLinkAddresses: device.linkAddresses, links: links,
                           unmatchedClaimOrdinals: unmatchedClaims, unloggedTrafficOrdinals: unlogged.ordinals, corrections: corrections,
                           segmentNumbers: segmentNumbers)
    }

    /// Which senders are the device. A capture usually holds other hosts too (the phone that set the
    /// device up, the gateway), and their DNS queries are not the device's unlogged traffic. The device
    /// is the addresses that sent what the log accounted for, and every other address sent from the
    /// same link-layer address: its IPv6 addresses, or a new lease's, whose traffic no log line may have
    /// claimed. A link-layer address that sent from more than one IPv4 address ties nothing: it is a
    /// router's (the capture was taken beyond it), or a new lease's, whose traffic the log accounts for
    /// by itself. When the log accounted for nothing, every sender counts: there is no telling them apart.
    private struct DeviceAddresses {
        let senders: Set<Int32>
        let addresses: [String]
        let linkAddresses: [String]
        /// `senders` by number (shifted by one, for -1): asked for every packet that may be a finding.
        private let sentBy: [Bool]

        init(linked: Set<Int32>, senders pairs: [Correlation.Sender]) {
            var ipv4ByLink: [String: Set<String>] = [:]
            for pair in pairs where !pair.link.isEmpty && pair.address.contains(".") {
                ipv4ByLink[pair.link, default: []].insert(pair.address)
            }
            let linkedPairs = linked.filter { $0 >= 0 }.map { pairs[Int($0)] }
            let linkedAddresses = Set(linkedPairs.map(\.address))
            let links = Set(linkedPairs.map(\.link).filter { !$0.isEmpty && ipv4ByLink[$0, default: []].count <= 1 })
            let device = pairs.indices.filter { linkedAddresses.contains(pairs[$0].address) || links.contains(pairs[$0].link) }
            senders = Set(device.map(Int32.init)).union(linked.filter { $0 < 0 })
            addresses = Set(device.map { pairs[$0].address }).sorted()
            linkAddresses = links.sorted()
            sentBy = (-1 ..< Int32(pairs.count)).map { [senders] in senders.isEmpty || senders.contains($0) }
        }

        func sent(_ sender: Int32) -> Bool { sentBy[Int(sender) + 1] }
    }

    /// A stretch of a clock segment placed by its claims' pairs with packets.
    private struct ClockFit {
        let piece: ClockCorrection.Piece
        let paired: Correlation.PairedOffset
        /// Where the step that began it was put; nil for a segment's first stretch.
        let step: Correlation.SegmentClock.StepPoint?
    }

    /// One source's clock placed against the capture, segment by segment.
    private struct PlacedClock {
        /// By segment: how its lines move onto the capture's clock,
        var corrections: [Int32: ClockCorrection] = [:]
        /// and what its claims are linked with: its own pairs, or the nearest segment's.
        var linking: [Int32: ClockCorrection] = [:]
        /// What the report says of each stretch.
        var segments: [Correlation.SegmentClock] = []
        /// By segment: the report's number for its first stretch.
        var numbers: [Int32: Int] = [:]
        /// The stretch with the most pairs (the first of equals).
        var main: ClockFit?
    }

    /// Places each clock segment by its own pairs; one without pairs by the servers' clocks, or else with
    /// the offset of the nearest segment's nearest stretch, since a segment without traffic of its own says
    /// nothing of its clock.
    private func placeClock(_ info: SourceInfo, claims: ArraySlice<Correlation.Claim>, serverClockOffset: Correlation.ServerClockOffset?,
                            firstPackets: [[Correlation.Sighting]]) -> PlacedClock {
        let claimsBySegment = Self.runs(of: claims, by: \.segment)
        let recorded = info.segments.indices.filter { info.segments[$0] != nil }.map(Int32.init)
        let segments = Set(claimsBySegment.keys).union(recorded).sorted()
        var fits: [Int32: [ClockFit]] = [:]
        for segment in segments {
            let stretches = fitClock(self.claims[claimsBySegment[segment] ?? 0 ..< 0], record: info.segment(segment), firstPackets: firstPackets)
            if !stretches.isEmpty { fits[segment] = stretches }
        }
        // The report numbers stretches in order: a segment's stretches, or the segment alone.
        var numbers: [Int32: Int] = [:], next = 0
        for segment in segments {
            numbers[segment] = next
            next += fits[segment]?.count ?? 1
        }
        var placed = PlacedClock(numbers: numbers)
        for segment in segments {
            let record = info.segment(segment)
            if let stretches = fits[segment] {
                let correction = ClockCorrection(pieces: stretches.map(\.piece))
                placed.corrections[segment] = correction
                placed.linking[segment] = correction
                for (index, fit) in stretches.enumerated() {
                    let beginning = fit.step.map(Correlation.SegmentClock.Beginning.step) ?? record?.beginning ?? .logStart
                    placed.segments.append(.init(segment: numbers[segment]! + index, beginning: beginning,
                                                 from: index == 0 ? record?.span.first : fit.piece.from,
                                                 to: index + 1 < stretches.count ? stretches[index + 1].piece.from : record?.span.last,
                                                 paired: fit.paired, placement: .pairs))
                    if fit.paired.pairs > placed.main?.paired.pairs ?? 0 { placed.main = fit }
                }
                continue
            }
            let nearest = fits.keys.min { (abs($0 - segment), $0) < (abs($1 - segment), $1) }
            // The nearest segment's stretch on this side of it, and its number.
            let borrowed = nearest.map { nearest -> (fit: ClockFit, number: Int) in
                let stretches = fits[nearest]!
                return nearest < segment ? (stretches.last!, numbers[nearest]! + stretches.count - 1) : (stretches.first!, numbers[nearest]!)
            }
            placed.linking[segment] = borrowed.map { ClockCorrection(constant: $0.fit.piece.constant, drift: $0.fit.piece.drift) }
            let placement: Correlation.SegmentClock.Placement
            if let server = serverClockOffset {
                placed.corrections[segment] = ClockCorrection(constant: Int64((server.offsetSeconds * 1e9).rounded()), drift: nil)
                placement = .serverClocks
            } else if let borrowed {
                placed.corrections[segment] = placed.linking[segment]
                placement = .segment(borrowed.number)
            } else {
                placement = .none
            }
            placed.segments.append(.init(segment: numbers[segment]!, beginning: record?.beginning ?? .logStart, from: record?.span.first,
                                         to: record?.span.last, paired: nil, placement: placement))
        }
        return placed
    }

    /// A pair's difference this far from the level before it is a step of the clock, not a packet's
    /// delay or a dropped fraction of a second.
    static let stepThreshold: Int64 = 3_000_000_000
    /// How far the pairs' estimate of a step's size may be off: the whole-second stamps and the delays.
    static let stepSizeSlack: Int64 = 1_500_000_000

    /// At most this many steps a segment are believed: pairs stepping more often are erratic, not a clock
    /// that NTP corrected, and each step costs a fit of the pairs on its either side.
    static let maximumSteps = 20

    /// A clock segment's stretches, each fitted to its claims' pairs: the segment cut where its pairs show
    /// a step. Empty without any pair.
    private func fitClock(_ claims: ArraySlice<Correlation.Claim>, record: SegmentRecord?,
                          firstPackets: [[Correlation.Sighting]]) -> [ClockFit] {
        let raw = pairs(claims, around: nil, firstPackets: firstPackets).sorted { $0.time < $1.time }
        var steps = Self.levelShifts(raw).map { shift in
            Self.step(after: raw[shift.index - 1].time, before: raw[shift.index].time, size: shift.size, in: record)
        }
        if steps.count > Self.maximumSteps { steps = [] }
        // Twice at most: the steps that do not stand go and the rest are fitted again; steps that still do
        // not stand leave the segment one stretch.
        for _ in 0 ..< 2 where !steps.isEmpty {
            let stretches = (0 ... steps.count).map { index -> ClockFit? in
                let from = index == 0 ? Int64.min : steps[index - 1].time, to = index < steps.count ? steps[index].time : Int64.max
                return fitStretch(ArraySlice(claims.filter { $0.time >= from && $0.time < to }), from: from,
                                  step: index == 0 ? nil : steps[index - 1].point, firstPackets: firstPackets)
            }
            // A step stands only between stretches that both have pairs and whose offsets differ by a step.
            let weak = Set(stretches.indices.dropFirst().filter { index in
                guard let before = stretches[index - 1], let after = stretches[index] else { return true }
                return abs(before.paired.offsetSeconds - after.paired.offsetSeconds) * 1e9 <= Double(Self.stepThreshold)
            })
            guard !weak.isEmpty else { return stretches.compactMap { $0 } }
            steps = steps.indices.filter { !weak.contains($0 + 1) }.map { steps[$0] }
        }
        return fitStretch(claims, from: .min, step: nil, firstPackets: firstPackets).map { [$0] } ?? []
    }

    /// Pairs each claim with the packet nearest to it, then again nearest to where the estimate says it
    /// belongs, so a skew larger than the traffic's period still pairs right; nil without any pair.
    private func fitStretch(_ claims: ArraySlice<Correlation.Claim>, from: Int64, step: Correlation.SegmentClock.StepPoint?,
                            firstPackets: [[Correlation.Sighting]]) -> ClockFit? {
        var fit: ClockFit?
        for _ in 0 ..< 3 {
            let pairs = pairs(claims, around: fit?.piece, firstPackets: firstPackets)
            guard !pairs.isEmpty else { break }
            let sorted = pairs.map(\.difference).sorted()
            let median = sorted[sorted.count / 2]
            let kept = pairs.filter { abs($0.difference - median) <= Self.stepThreshold }
            // Each difference is the offset, less the packet's delay, less what the whole-second stamp
            // dropped (under a second): the offset lies between the largest difference and the
            // smallest plus one second. The middle of that interval is the estimate.
            let low = kept.map(\.difference).max()!, high = kept.map(\.difference).min()! + 1_000_000_000
            let piece = ClockCorrection.Piece(from: from, constant: (low + high) / 2, drift: ClockDrift.fit(Self.consistent(pairs)),
                                              beginsAtLine: step == .timeSync || step == .pause)
            let deviations = kept.map { Double($0.difference - piece.offset(at: $0.time)) / 1e9 }
            // At the middle of the pairs when the clock drifts.
            let offset = Double(piece.drift.map { $0.offset } ?? piece.constant) / 1e9
            let error = piece.drift?.errorSeconds ?? Double(abs(high - low)) / 2e9
            fit = ClockFit(piece: piece, paired: .init(offsetSeconds: offset, errorSeconds: error, driftPPM: piece.drift?.ppm, pairs: kept.count,
                                                       scatterSeconds: Self.standardDeviation(deviations),
                                                       pairsLeftOut: pairs.count - kept.count),
                           step: step)
        }
        return fit
    }

    /// Each claim with its packet nearest to where `estimate` puts it (where the device put it, without
    /// one), within `searchWindow`: claim time and the difference.
    private func pairs(_ claims: ArraySlice<Correlation.Claim>, around estimate: ClockCorrection.Piece?,
                       firstPackets: [[Correlation.Sighting]]) -> [(time: Int64, difference: Int64)] {
        claims.compactMap { claim in
            let expected = claim.time - (estimate?.offset(at: claim.time) ?? 0)
            let candidates = claim.connectionKey < 0 ? sightings[Int(claim.datingKey)] : firstPackets[Int(claim.connectionKey)]
            guard let nearest = Self.nearest(candidates, to: expected), abs(expected - nearest.time) <= Correlation.searchWindow else {
                return nil
            }
            return (claim.time, claim.time - nearest.time)
        }
    }

    private static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }

    /// Where pairs in time order settle at a new level, and how far it moved: two in a row more than
    /// `stepThreshold` from the level of the pairs before them (the median of the last seven, which follows
    /// a drift) and within it of each other. One such pair alone is a wrong pairing.
    private static func levelShifts(_ pairs: [(time: Int64, difference: Int64)]) -> [(index: Int, size: Int64)] {
        var shifts: [(index: Int, size: Int64)] = [], levelStart = 0, index = 1
        while index + 1 < pairs.count {
            let recent = pairs[max(levelStart, index - 7) ..< index].map(\.difference).sorted()
            let level = recent[recent.count / 2]
            let (this, next) = (pairs[index].difference, pairs[index + 1].difference)
            if abs(this - level) > stepThreshold, abs(next - level) > stepThreshold, abs(this - next) <= stepThreshold {
                shifts.append((index, (this + next) / 2 - level))
                levelStart = index
            }
            index += 1
        }
        return shifts
    }

    /// Where a step of `size` between pairs at `after` and `before` is put: at the first time sync line
    /// between them; else halfway. Stepping forward, the stamps jump over the step, so a place must follow
    /// a gap the step fits in: the first such time sync line, else the line after the longest pause when
    /// the step fits in it, else halfway.
    private static func step(after: Int64, before: Int64, size: Int64, in record: SegmentRecord?)
        -> (time: Int64, point: Correlation.SegmentClock.StepPoint) {
        let syncs = record?.gaps.timeSyncs(after: after, upTo: before) ?? []
        guard size > 0 else { return syncs.first.map { ($0.end, .timeSync) } ?? (after + (before - after) / 2, .halfway) }
        func holdsStep(_ gap: LineGaps.Gap) -> Bool { gap.length >= size - stepSizeSlack }
        if let sync = syncs.first(where: holdsStep) { return (sync.end, .timeSync) }
        if let pause = record?.gaps.longestPause(after: after, upTo: before), holdsStep(pause) { return (pause.end, .pause) }
        return (after + (before - after) / 2, .halfway)
    }

    /// Where each run of equal keys lies in `claims`, which are sorted by that key.
    private static func runs<Key: Hashable>(of claims: ArraySlice<Correlation.Claim>, by key: (Correlation.Claim) -> Key) -> [Key: Range<Int>] {
        var runs: [Key: Range<Int>] = [:]
        var start = claims.startIndex
        while start < claims.endIndex {
            let current = key(claims[start])
            var end = start + 1
            while end < claims.endIndex, key(claims[end]) == current { end += 1 }
            runs[current] = start ..< end
            start = end
        }
        return runs
    }

    /// When the logs that claim traffic were written, on the capture's clock.
    private func loggedCoverage(_ corrections: [LogClock: ClockCorrection]) -> Coverage {
        Coverage(sources.filter { Self.claimingOrigins.contains($0.origin) }.flatMap { info in
            info.segments.enumerated().compactMap { segment, record -> ClosedRange<Int64>? in
                guard let span = record?.span else { return nil }
                guard let correction = corrections[LogClock(source: info.name, segment: Int32(segment))] else { return span.range }
                let start = correction.captureTime(span.first)
                return start ... max(start, correction.captureTime(span.last))
            }
        })
    }

    /// The TCP connections the device opened, no log line claimed, to an address no DNS answer in the
    /// capture gave: hard-coded in the firmware, or resolved before the capture began. Only when the
    /// device is known: a connection opened to an unnamed address by some host is no finding.
    private func connectionsToUnresolvedAddresses(_ linked: OrdinalSet, device: DeviceAddresses) -> [(ordinal: Int, time: Int64, key: Int32)] {
        guard !device.senders.isEmpty else { return [] }
        let resolved = Set(resolutions.values.joined())
        return keys.names.indices.filter { keys.names[$0].hasPrefix("syn:") && !resolved.contains(String(Self.endpoint(of: keys.names[$0]).host)) }
            .flatMap { key in
                sightings[key].filter { !linked.contains($0.ordinal) && device.sent($0.sender) }.map { ($0.ordinal, $0.time, Int32(key)) }
            }
    }

    /// What a key names, without its kind: `ms.tuyaeu.com:8883` in `conn:ms.tuyaeu.com:8883`.
    private static func body(of key: String) -> Substring {
        key.drop { $0 != ":" }.dropFirst()
    }

    /// The host (or address) and port a `conn:` or `syn:` key names: `3.121.141.195` and `8883` in
    /// `syn:3.121.141.195:8883`; an IPv6 address keeps its colons (`syn:2001:db8::1:443`).
    private static func endpoint(of key: String) -> (host: Substring, port: Substring) {
        let body = body(of: key)
        guard let colon = body.lastIndex(of: ":") else { return (body, "") }
        return (body[..<colon], body[body.index(after: colon)...])
    }

    /// The device traffic no link reached while a log was written, grouped by what it was: named traffic by
    /// its sighting's key, connections to unresolved addresses by theirs, the rest by the description kept
    /// for it; with the ordinals of all of it, and how much more was sent while no log was written.
    private func unloggedTraffic(_ linked: OrdinalSet, device: DeviceAddresses, logged: Coverage)
        -> (findings: [Correlation.Finding], ordinals: [Int], outsideLogs: Int) {
        var ordinals: [Int] = [], outsideLogs = 0
        func isFinding(_ ordinal: Int, at time: Int64) -> Bool {
            guard logged.covers(Correlation.loggedWindow(aroundTrafficAt: time)) else {
                outsideLogs += 1
                return false
            }
            ordinals.append(ordinal)
            return true
        }
        var named = FindingTally(), unnamed = FindingTally(), connections = FindingTally()
        for connection in connectionsToUnresolvedAddresses(linked, device: device) {
            if isFinding(connection.ordinal, at: connection.time) { connections.count(source: -1, what: connection.key, at: connection.time) }
        }
        for (key, name) in keys.names.enumerated() where Self.trafficDescription(name) != nil {
            // Tallied here and counted once: a capture can hold hundreds of thousands of one query.
            var count = 0, first = Int64.max
            for sighting in sightings[key] where !linked.contains(sighting.ordinal) && device.sent(sighting.sender) {
                if isFinding(sighting.ordinal, at: sighting.time) { (count, first) = (count + 1, min(first, sighting.time)) }
            }
            if count > 0 { named.count(source: -1, what: Int32(key), at: first, times: count) }
        }
        for traffic in unnamedTraffic where !linked.contains(traffic.ordinal) && device.sent(traffic.sender) {
            if isFinding(traffic.ordinal, at: traffic.time) { unnamed.count(source: -1, what: traffic.what, at: traffic.time) }
        }
        let findings = (named.findings { _, key in (nil, Self.trafficDescription(keys.names[Int(key)]) ?? "") }
            + connections.findings { _, key in
                (nil, "TCP connection to \(Self.body(of: keys.names[Int(key)])), an address no DNS answer gave")
            }
            + unnamed.findings { _, what in (nil, unnamedTrafficNames.names[Int(what)]) }).sorted(by: Correlation.Finding.mostFirst)
        return (findings, ordinals, outsideLogs)
    }

    /// `DNS query xx.ot.io.mi.com` for `dns:xx.ot.io.mi.com`; nil for keys that are not device traffic.
    private static func trafficDescription(_ key: String) -> String? {
        for (prefix, description) in [("dns:", "DNS query "), ("sni:", "TLS ClientHello to "), ("http:", "HTTP request to ")]
        where key.hasPrefix(prefix) {
            return description + body(of: key)
        }
        return nil
    }

    /// What a claim said it would do, from its key: connect to the host and port it named, or to the miio server.
    private func describe(_ key: Int32) -> String {
        "connect to " + Self.body(of: keys.names[Int(key)])
    }

    /// The SYNs opening connections to `conn:host:port`'s port on any address the capture's DNS answers
    /// gave the host, in time order.
    private func connectionsOpened(_ key: Int32) -> [Correlation.Sighting] {
        let (host, port) = Self.endpoint(of: keys.names[Int(key)])
        return (resolutions[String(host)] ?? []).flatMap { address in keys.existingNumber(of: "syn:\(address):\(port)").map { sightings[$0] } ?? [] }
            .sorted { ($0.time, $0.ordinal) < ($1.time, $1.ordinal) }
    }

    /// The pairs that agree with their neighbours in time (within three seconds of the median of the
    /// fifteen around them): a drifting clock moves the differences, a wrong pairing jumps out of them.
    private static func consistent(_ pairs: [(time: Int64, difference: Int64)]) -> [(time: Int64, difference: Int64)] {
        let sorted = pairs.sorted { $0.time < $1.time }
        return sorted.indices.compactMap { index in
            let window = sorted[max(0, index - 7) ..< min(sorted.count, index + 8)].map(\.difference).sorted()
            return abs(sorted[index].difference - window[window.count / 2]) <= stepThreshold ? sorted[index] : nil
        }
    }

    /// The server's stamp (epoch seconds) an event of a log kept: an HTTP `Date:` header of miio_client, the
    /// `"t":` of a Tuya cloud response. Asked by kind and origin first: looking a field up in every line's
    /// fields costs.
    private static func serverStamp(of event: Event, isMiio: Bool) -> Int64? {
        if event.kind == .tuyaResponse { return TuyaMessage.epoch(kind: .tuyaResponse, fields: event.fields) }
        if isMiio { return event.fields.integer("http_date_epoch") }
        return nil
    }

    private static func serverClockOffset(_ differences: [Int64], origin: String) -> Correlation.ServerClockOffset? {
        guard !differences.isEmpty else { return nil }
        let sorted = differences.sorted()
        let median = sorted[sorted.count / 2]
        // A stamp from a server whose own clock is off by more than a few seconds is not evidence.
        let kept = sorted.filter { abs($0 - median) <= stepThreshold }
        var low = kept.last! - 1_000_000_000, high = kept.first! + 1_000_000_000
        if low > high { (low, high) = (high, low) }
        return .init(offsetSeconds: Double(low + high) / 2e9, errorSeconds: Double(high - low) / 2e9, stamps: kept.count,
                     kind: origin == "miio_client" ? .httpDateHeaders : .tuyaResponses)
    }

    /// The sighting nearest `time`, the earlier of two as near. Compared where they lie, without a list of
    /// the two: this runs for every claim of every fit.
    private static func nearest(_ list: [Correlation.Sighting], to time: Int64) -> Correlation.Sighting? {
        let index = lowerBound(list, time)
        let after = index < list.count ? list[index] : nil
        guard index > 0 else { return after }
        let before = list[index - 1]
        guard let after else { return before }
        return abs(after.time - time) < abs(before.time - time) ? after : before
    }

    private static func firstAfter(_ list: [Correlation.Sighting], _ time: Int64) -> Correlation.Sighting? {
        let index = lowerBound(list, time)
        return list.indices.contains(index) ? list[index] : nil
    }

    private static func lowerBound(_ list: [Correlation.Sighting], _ time: Int64) -> Int {
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].time < time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Counts findings by source and what they were (numbers, named only once a group is reported), with the
/// first time of each.
private struct FindingTally {
    private struct Group: Hashable {
        let source: Int
        let what: Int32
    }

    private var groups: [Group: (count: Int, first: Int64)] = [:]

    /// `times` findings, the first of them at `time`. Changed in place: one lookup, where reading and then
    /// storing the tally hashed the group twice, for every finding of a timeline that the merge waits for.
    mutating func count(source: Int, what: Int32, at time: Int64, times: Int = 1) {
        func add(_ tally: inout (count: Int, first: Int64)) {
            tally.count += times
            tally.first = min(tally.first, time)
        }
        add(&groups[Group(source: source, what: what), default: (0, .max)])
    }

    /// `name` gives a group's source and description.
    func findings(_ name: (Int, Int32) -> (source: String?, what: String)) -> [Correlation.Finding] {
        groups.map { group, tally in
            let (source, what) = name(group.source, group.what)
            return Correlation.Finding(source: source, what: what, count: tally.count, first: tally.first)
        }
    }
}

private extension Array {
    /// Sorts unless already in order, as claims (read in order, of one source and clock segment) and packets
    /// (captured in order) nearly always are: the sort's scratch space grows with the array, and for the
    /// claims and packets of a multi-gigabyte input it added tens of MiB to the run's peak.
    mutating func sortUnlessInOrder(by areInIncreasingOrder: (Element, Element) -> Bool) {
        guard indices.dropFirst().contains(where: { areInIncreasingOrder(self[$0], self[$0 - 1]) }) else { return }
        sort(by: areInIncreasingOrder)
    }
}
