/// `firmtrace report --json`: the same findings as the HTML page, as data. Times are ISO 8601 UTC, with
/// `_local` twins in the report's zone where people read them by the clock on the wall.
public enum ReportJSON {
    public static func render(_ report: BehaviourReport) -> String {
        let clock = ReportClock(zoneSeconds: report.zoneSeconds)
        let root: JSONValue = .members([
            ("inputs", .array(report.inputs.map(JSONValue.string))),
            ("events", .integer(report.events)),
            ("events_without_time", .integer(report.eventsWithoutTime)),
            ("start", clock.utc(report.start)),
            ("end", clock.utc(report.end)),
            ("zone", .members([("offset_s", .integer(Int(report.zoneSeconds))), ("text", .string(clock.zoneText)), ("source", .string(report.zoneSource))])),
            ("activity_bins", .members([("start", clock.utc(report.binCount > 0 ? report.binOrigin : nil)), ("bin_s", .integer(Int(report.binWidth / 1_000_000_000))),
                                        ("count", .integer(report.binCount))])),
            ("identity", identity(report.identity)),
            ("clocks", .array(report.clocks.map(clockJSON))),
            ("periodicities", .array(report.periodic.map { periodicity($0) })),
            ("behaviours", .array(report.behaviours.map { behaviour($0, clock) })),
            ("peaks", .array(report.peaks.map { peak($0, clock) })),
            ("dns", .array(report.names.map { name($0, clock) })),
            ("endpoints", .array(report.endpoints.map(endpoint))),
            ("unmatched_log_claims", .array(report.unmatchedClaims.map(unmatched))),
            ("unlogged_traffic", .array(report.unloggedTraffic.map(unmatched))),
            ("log_claims_outside_capture", .integer(report.claimsOutsideCapture)),
            ("traffic_outside_logs", .integer(report.trafficOutsideLogs)),
            ("device_addresses", .array(report.deviceAddresses.map(JSONValue.string))),
        ])
        return root.jsonText
    }

    static func behaviourMembers(_ behaviour: Behaviour) -> [(String, JSONValue)] {
        [("id", .string(behaviour.id)), ("behaviour", .string(behaviour.description)), ("category", .string(behaviour.category)),
         ("origin", .string(behaviour.origin))]
    }

    static func periodicity(_ finding: BehaviourFinding) -> JSONValue {
        let periodicity = finding.periodicity
        return .members(behaviourMembers(finding.behaviour) + [
            ("count", .integer(finding.count)),
            ("period_s", .decimal(periodicity.periodSeconds)),
            ("jitter_s", .decimal(periodicity.jitterSeconds)),
            ("per_cycle", .decimal(periodicity.perCycle)),
            ("confidence", .decimal(periodicity.confidence)),
        ])
    }

    private static func behaviour(_ finding: BehaviourFinding, _ clock: ReportClock) -> JSONValue {
        let periodicity = finding.periodicity
        var members = behaviourMembers(finding.behaviour) + [
            ("count", .integer(finding.count)),
            ("first", clock.utc(finding.first)),
            ("last", clock.utc(finding.last)),
            ("verdict", .string(periodicity.verdict.rawValue)),
            ("occurrences", .integer(periodicity.occurrences)),
            ("period_s", .decimal(periodicity.periodSeconds)),
            ("median_interval_s", .decimal(periodicity.medianIntervalSeconds)),
            ("hour_of_day", .array(finding.hourOfDay.map(JSONValue.integer))),
            ("activity", .array(finding.activity.map(JSONValue.integer))),
            ("example", .string(finding.example)),
        ]
        if let burst = finding.burst {
            members.append(("burst", .members([("start", clock.utc(burst.start)), ("end", clock.utc(burst.end)),
                                               ("start_local", clock.local(burst.start)), ("events", .integer(burst.events))])))
        }
        return .members(members)
    }

    private static func peak(_ peak: ActivityPeak, _ clock: ReportClock) -> JSONValue {
        .members([
            ("start", clock.utc(peak.start)), ("end", clock.utc(peak.end)),
            ("start_local", clock.local(peak.start)), ("end_local", clock.local(peak.end)),
            ("excess_events", .integer(peak.excessEvents)),
            ("behaviours", .array(peak.behaviours.map {
                .members([("id", .string($0.id)), ("behaviour", .string($0.description)), ("events", .integer($0.events))])
            })),
        ])
    }

    private static func name(_ name: ResolvedName, _ clock: ReportClock) -> JSONValue {
        .members([
            ("name", .string(name.name)), ("queries", .integer(name.queries)), ("answers", .integer(name.answers)),
            ("failures", .integer(name.failures)), ("cnames", .array(name.cnames.map(JSONValue.string))),
            ("addresses", .array(name.addresses.map {
                .members([("address", .string($0.address)), ("first", clock.utc($0.first)), ("last", clock.utc($0.last)),
                          ("answers", .integer($0.answers))])
            })),
            ("min_ttl_s", name.minTTL.map { .integer(Int($0)) } ?? .null),
            ("flows", .integer(name.flows)), ("ports", .array(name.ports.map(JSONValue.string))),
        ])
    }

    private static func endpoint(_ endpoint: ProcessEndpoint) -> JSONValue {
        .members([("process", .string(endpoint.process)), ("host", .string(endpoint.host)), ("port", .integer(Int(endpoint.port))),
                  ("log_lines", .integer(endpoint.logLines)), ("flows", .integer(endpoint.flows))])
    }

    private static func unmatched(_ entry: UnmatchedBehaviour) -> JSONValue {
        .members(behaviourMembers(entry.behaviour) + [("events", .integer(entry.events)), ("example", .string(entry.example))])
    }

    private static func clockJSON(_ clock: Correlation.SourceClock) -> JSONValue {
        .members([
            ("source", .string(clock.source)), ("origin", .string(clock.origin)), ("year", clock.year.map { .integer(Int($0)) } ?? .null),
            ("tz_offset_s", clock.tzOffsetSeconds.map { .integer(Int($0)) } ?? .null), ("offset_s", .decimal(clock.paired?.offsetSeconds)),
            ("offset_error_s", .decimal(clock.paired?.errorSeconds)), ("pairs", .integer(clock.paired?.pairs ?? 0)),
            ("server_clock_offset_s", .decimal(clock.serverClockOffset?.offsetSeconds)), ("server_stamps", .integer(clock.serverClockOffset?.stamps ?? 0)),
            ("server_stamp_kind", clock.serverClockOffset.map { .string($0.kind.rawValue) } ?? .null),
            ("clock_segments", .integer(clock.segments.count)),
        ])
    }

    private static func identity(_ identity: DeviceIdentity) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .members([
            ("mac", text(identity.mac)), ("vendor", text(identity.vendor)), ("addresses", .array(identity.addresses.map(JSONValue.string))),
            ("hostname", text(identity.hostname)), ("dhcp_vendor_class", text(identity.dhcpVendorClass)),
            ("tuya_dev_id", text(identity.tuyaDeviceID)), ("tuya_product_key", text(identity.tuyaProductKey)),
            ("tuya_lan_protocol", text(identity.tuyaLANProtocol)), ("miio_did", text(identity.miioDeviceID)), ("serial", text(identity.serial)),
            ("firmware", .array(identity.firmware.map { .members([("source", .string($0.source)), ("version", .string($0.version))]) })),
            ("data_points", .array(identity.dataPoints.map {
                .members([("id", .integer(Int($0.id))), ("mode", text($0.mode)), ("type", text($0.type)), ("detail", .string($0.detail))])
            })),
            ("neighbours", .array(identity.neighbours.map {
                .members([("mac", .string($0.mac)), ("vendor", text($0.vendor)), ("address", text($0.address)), ("events", .integer($0.events))])
            })),
        ])
    }
}

extension JSONValue {
    static func members(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(pairs.map { JSONMember(key: $0.0, value: $0.1) })
    }

    static func integer(_ value: Int) -> JSONValue { .number(String(value)) }

    /// Up to millisecond precision; null when absent.
    static func decimal(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        let rounded = (value * 1000).rounded() / 1000
        return .number(rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded))
    }
}

/// Instants as the report shows them: UTC, and local in the report's zone.
struct ReportClock {
    let zoneSeconds: Int64

    var zoneText: String { ZoneText.format(zoneSeconds) }

    func utc(_ time: Int64?) -> JSONValue {
        time.map { .string(UTCDateTime.iso8601(nanoseconds: $0)) } ?? .null
    }

    func local(_ time: Int64?) -> JSONValue {
        time.map { .string(localText($0)) } ?? .null
    }

    /// `2022-07-10 03:00:04`
    func localText(_ time: Int64) -> String {
        let text = UTCDateTime.iso8601(seconds: time.floorDivided(by: 1_000_000_000).quotient + zoneSeconds)
        return String(text.dropLast().map { $0 == "T" ? " " : $0 })
    }

    /// `03:00`
    func localClock(_ time: Int64) -> String {
        String(localText(time).dropFirst(11).prefix(5))
    }
}
