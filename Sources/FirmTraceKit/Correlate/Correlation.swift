/// What the firmware says it did, matched against what the network shows. A log line that must have
/// caused traffic (a `Post URL`, a `Connect: host`, an MQTT connect, a miio HTTP-DNS request) is a claim;
/// the first packet it caused (the DNS query for the host, the TCP connection to the server) dates it.
/// Network delay only ever makes packets later, so the device clock's offset is fitted to the envelope
/// of the differences, not their mean.
public struct Correlation: Sendable {
    /// A log line that implies traffic: which packets must follow it, the first of them dating it.
    struct Claim: Sendable {
        let ordinal: Int
        let source: String
        let time: Int64
        /// Keys of the capture events it should be linked to, the dating one first.
        let keys: [String]
    }

    struct Sighting: Sendable {
        let time: Int64
        let ordinal: Int
    }

    /// One log source's clock against the capture.
    public struct SourceClock: Sendable {
        public let source: String
        public let origin: String
        public let year: Int64?
        public let yearSource: String?
        public let tzOffsetSeconds: Int64?
        /// Device clock, less its zone, minus capture time; nil with no pairs.
        public let offsetSeconds: Double?
        public let offsetErrorSeconds: Double?
        public let pairs: Int
        /// The same offset read against servers' clocks, from the HTTP `Date:` headers the log kept.
        public let dateHeaderOffset: DateHeaderOffset?
        public let matched: Int
        public let unmatchedLog: Int
    }

    /// Device clock, less its zone, minus the servers' clocks: each `Date:` header is the server's whole
    /// second when it answered, and the line that kept it is stamped (in whole seconds) at or after that,
    /// so each difference lies within a second of the offset plus the delay. The offset lies between the
    /// largest difference less a second and the smallest plus a second.
    public struct DateHeaderOffset: Sendable {
        public let offsetSeconds: Double
        public let errorSeconds: Double
        public let headers: Int
    }

    public let sources: [SourceClock]
    /// Device traffic (DNS queries, TLS ClientHellos, HTTP requests) no log line accounts for.
    public let unmatchedCapture: Int
    /// Links by event ordinal (arrival order, the same in every read of the same inputs).
    let links: [Int: [Int]]
    /// Ordinals of the log claims no packet answered, and of the device traffic no log line claimed.
    let unmatchedClaimOrdinals: [Int]
    let unloggedTrafficOrdinals: [Int]
    /// Offsets by log source, in nanoseconds, for re-placing log events on the capture's clock.
    let offsets: [String: Int64]

    /// Moves a log event onto the capture's clock and gives it its links; events are named `e<ordinal>`.
    func apply(_ event: inout Event) {
        guard let id = event.id, let ordinal = Int(id.dropFirst()) else { return }
        event.links = (links[ordinal] ?? []).map { "e\($0)" }
        if event.origin != "capture", let time = event.time, let offset = offsets[event.source] {
            event.time = time - offset
            event.timeBasis = .logClock
        }
    }

    /// How far after a claim its first packet may come, on the corrected clock.
    static let linkWindow: Int64 = 10_000_000_000
    /// How far apart device and capture clocks may be before pairs are not believed.
    static let searchWindow: Int64 = 600_000_000_000
}

/// Collects, from one read of the inputs, the claims, the capture sightings and each source's zone.
final class CorrelationCollector: EventSink {
    private(set) var ordinal = 0
    private var claims: [Correlation.Claim] = []
    private var sightings: [String: [Correlation.Sighting]] = [:]
    private var sourceInfo: [String: (origin: String, year: Int64?, yearSource: String?, zone: Int64?)] = [:]
    private var deviceTrafficOrdinals: [Int] = []
    private var sourcesWithEpochs: Set<String> = []
    /// Line time minus the HTTP `Date:` it kept, by source.
    private var dateDifferences: [String: [Int64]] = [:]

    func accept(_ event: Event) -> Bool {
        ordinal += 1
        if event.origin == "capture" { sight(event) } else { claim(event) }
        return true
    }

    func finish() {}

    private func claim(_ event: Event) {
        if sourceInfo[event.source] == nil { sourceInfo[event.source] = (event.origin, nil, nil, nil) }
        if event.timeBasis == .logEpoch { sourcesWithEpochs.insert(event.source) }
        if let time = event.time, sourceInfo[event.source]?.zone == nil, let zone = Self.zone(of: event, time: time) {
            let (year, _, _) = UTCDateTime.civilDate(daysSinceEpoch: (time / 1_000_000_000 + zone).floorDivided(by: 86_400).quotient)
            sourceInfo[event.source] = (event.origin, year, event.origin == "miio_client" ? "line" : nil, zone)
        }
        guard let time = event.time, PlausibleTime.range.contains(time) else { return }
        if let date = event.fields.integer("http_date_epoch"), let dateTime = SourceClock.nanoseconds(date, 0) {
            dateDifferences[event.source, default: []].append(time - dateTime)
        }
        var keys: [String] = []
        switch event.kind {
        case .tuyaPostURL:
            if let host = event.fields.text("host") { keys = ["dns:" + host, "sni:" + host] }
        case .tuyaConnect where event.fields.text("phase") == "begin":
            if let host = event.fields.text("host") { keys = ["dns:" + host, "sni:" + host] }
        case .tuyaMQTT where event.fields.text("state") == "connecting":
            if let host = event.fields.text("broker_host") { keys = ["dns:" + host, "sni:" + host] }
        case .miioHTTPDNS:
            if let server = event.fields.text("server"), event.message.contains("request") {
                keys = ["flow:\(server):\(event.fields["port"]?.description ?? "80")", "http:" + server]
            }
        default: break
        }
        if !keys.isEmpty { claims.append(.init(ordinal: ordinal, source: event.source, time: time, keys: keys)) }
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
        var keys: [String] = []
        switch event.kind {
        case .netDNSQuery: if let name = event.fields.text("name") { keys.append("dns:" + name) }
        case .netTLSClientHello: if let name = event.fields.text("sni") { keys.append("sni:" + name) }
        case .netHTTPRequest: if let ip = event.fields.text("dst_ip") { keys.append("http:" + ip) }
        case .netFlow:
            if let ip = event.fields.text("dst_ip"), let port = event.fields["dst_port"] { keys.append("flow:\(ip):\(port)") }
        default: return
        }
        if event.kind != .netFlow { deviceTrafficOrdinals.append(ordinal) }
        for key in keys { sightings[key, default: []].append(.init(time: time, ordinal: ordinal)) }
    }

    func correlate() -> Correlation {
        for key in sightings.keys { sightings[key]!.sort { $0.time < $1.time } }
        var offsets: [String: Int64] = [:]
        var sources: [Correlation.SourceClock] = []
        var links: [Int: [Int]] = [:]
        var unmatchedClaims: [Int] = []
        let claimsBySource = Dictionary(grouping: claims, by: \.source)
        for source in sourceInfo.keys.sorted() {
            var info = sourceInfo[source]!
            if info.year != nil, info.yearSource == nil {
                // A Tuya source's year comes from its epochs, or else from what --tz settled it with.
                info.yearSource = sourcesWithEpochs.contains(source) ? "epoch" : "assumed with --tz"
            }
            let sourceClaims = claimsBySource[source] ?? []
            // Pair each claim with the packet nearest to it, then again nearest to where the first
            // estimate says it belongs, so a skew larger than the traffic's period still pairs right.
            var offset: Int64?, error: Double?
            var differences: [Int64] = []
            for _ in 0 ..< 2 {
                differences = sourceClaims.compactMap { claim -> Int64? in
                    let expected = claim.time - (offset ?? 0)
                    guard let list = sightings[claim.keys[0]], let nearest = Self.nearest(list, to: expected),
                          abs(expected - nearest.time) <= Correlation.searchWindow else { return nil }
                    return claim.time - nearest.time
                }
                guard !differences.isEmpty else { break }
                let sorted = differences.sorted()
                let median = sorted[sorted.count / 2]
                let kept = sorted.filter { abs($0 - median) <= 3_000_000_000 }
                // Each difference is the offset, less the packet's delay, less what the whole-second stamp
                // dropped (under a second): the offset lies between the largest difference and the
                // smallest plus one second. The middle of that interval is the estimate.
                let low = kept.last!, high = kept.first! + 1_000_000_000
                offset = (low + high) / 2
                error = Double(abs(high - low)) / 2e9
            }
            let dateHeaderOffset = Self.dateHeaderOffset(dateDifferences[source] ?? [])
            // Without packets to pair with, the servers' clocks are the best evidence there is.
            if let offset = offset ?? dateHeaderOffset.map({ Int64(($0.offsetSeconds * 1e9).rounded()) }) { offsets[source] = offset }
            var matched = 0, unmatched = 0
            for claim in sourceClaims {
                let corrected = claim.time - (offset ?? 0)
                var found: [Int] = []
                for key in claim.keys where !key.hasPrefix("flow:") {
                    guard let list = sightings[key], let first = Self.firstAfter(list, corrected - 1_000_000_000),
                          first.time - corrected <= Correlation.linkWindow else { continue }
                    found.append(first.ordinal)
                }
                if found.isEmpty {
                    // Without any capture there is nothing a claim could be missing from.
                    guard !sightings.isEmpty else { continue }
                    unmatched += 1
                    unmatchedClaims.append(claim.ordinal)
                } else {
                    matched += 1
                    links[claim.ordinal, default: []] += found
                    for ordinal in found { links[ordinal, default: []].append(claim.ordinal) }
                }
            }
            sources.append(.init(source: source, origin: info.origin, year: info.year, yearSource: info.yearSource,
                                 tzOffsetSeconds: info.zone, offsetSeconds: offset.map { Double($0) / 1e9 }, offsetErrorSeconds: error,
                                 pairs: differences.count, dateHeaderOffset: dateHeaderOffset, matched: matched, unmatchedLog: unmatched))
        }
        let unlogged = deviceTrafficOrdinals.filter { links[$0] == nil }
        return Correlation(sources: sources, unmatchedCapture: unlogged.count, links: links, unmatchedClaimOrdinals: unmatchedClaims,
                           unloggedTrafficOrdinals: unlogged, offsets: offsets)
    }

    private static func dateHeaderOffset(_ differences: [Int64]) -> Correlation.DateHeaderOffset? {
        guard !differences.isEmpty else { return nil }
        let sorted = differences.sorted()
        let median = sorted[sorted.count / 2]
        // A header from a server whose own clock is off by more than a few seconds is not evidence.
        let kept = sorted.filter { abs($0 - median) <= 3_000_000_000 }
        var low = kept.last! - 1_000_000_000, high = kept.first! + 1_000_000_000
        if low > high { (low, high) = (high, low) }
        return .init(offsetSeconds: Double(low + high) / 2e9, errorSeconds: Double(high - low) / 2e9, headers: kept.count)
    }

    private static func nearest(_ list: [Correlation.Sighting], to time: Int64) -> Correlation.Sighting? {
        let index = lowerBound(list, time)
        let candidates = [index - 1, index].filter { list.indices.contains($0) }.map { list[$0] }
        return candidates.min { abs($0.time - time) < abs($1.time - time) }
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
