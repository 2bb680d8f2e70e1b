/// The plain-text summary `firmtrace report` prints: who the device is, what it does on a clock, when it
/// is busiest, and what the logs and the capture disagree on.
public enum ReportText {
    public static func summary(_ report: BehaviourReport, limit: Int = 12) -> String {
        let clock = ReportClock(zoneSeconds: report.zoneSeconds)
        var lines: [String] = []
        var head = "\(report.events) events"
        if report.eventsWithoutTime > 0 { head += " (\(report.eventsWithoutTime) without a time)" }
        if let start = report.start, let end = report.end {
            head += " from \(UTCDateTime.iso8601(seconds: start / 1_000_000_000)) to \(UTCDateTime.iso8601(seconds: end / 1_000_000_000))"
        }
        lines.append(head + "; local times in \(clock.zoneText) (\(report.zoneSource))")
        lines.append("device: " + identityLine(report.identity))
        let periodic = report.periodic
        lines.append("")
        lines.append("periodic behaviour (\(periodic.count) of \(report.behaviours.count)):")
        for finding in periodic.prefix(limit) {
            let periodicity = finding.periodicity
            var line = "  every " + DurationText.format(periodicity.periodSeconds ?? 0)
            line = line.padding(18) + String(finding.count).leftPadded(to: 7, with: " ") + "×  " + finding.behaviour.description
            if let perCycle = periodicity.perCycle, perCycle >= 1.5 { line += ", \(Int(perCycle.rounded())) per cycle" }
            line += " [\(finding.behaviour.origin), confidence \(periodicity.confidence)]"
            lines.append(line)
        }
        if periodic.count > limit { lines.append("  … \(periodic.count - limit) more in the report") }
        if !report.peaks.isEmpty {
            lines.append("")
            lines.append("peaks of activity:")
            for peak in report.peaks {
                let what = peak.behaviours.prefix(3).map(\.description).joined(separator: "; ")
                lines.append("  \(clock.localText(peak.start)) – \(clock.localClock(peak.end)) local: \(peak.excessEvents) events above usual: \(what)")
            }
        }
        let bursts = report.behaviours.filter { $0.burst != nil }
        if !bursts.isEmpty {
            lines.append("")
            lines.append("bursts (most events in one short stretch):")
            for finding in bursts.prefix(limit) {
                guard let burst = finding.burst else { continue }
                lines.append("  \(clock.localText(burst.start)) – \(clock.localClock(burst.end)) local: \(burst.events)× \(finding.behaviour.description)")
            }
        }
        lines.append("")
        let resolved = report.names.filter { !$0.addresses.isEmpty }.count
        lines.append("DNS: \(report.names.count) names asked, \(resolved) resolved; endpoints named in logs: \(report.endpoints.count)")
        lines.append("log claims with no packet: \(report.unmatchedClaims.reduce(0) { $0 + $1.events })"
            + (report.unmatchedClaims.first.map { " (most: \($0.events)× \($0.behaviour.description))" } ?? "")
            + (report.claimsOutsideCapture > 0 ? "; \(report.claimsOutsideCapture) more made while no capture ran" : ""))
        lines.append("device traffic\(sentBy(report)) with no log line: \(report.unloggedTraffic.reduce(0) { $0 + $1.events })"
            + (report.unloggedTraffic.first.map { " (most: \($0.events)× \($0.behaviour.description))" } ?? "")
            + (report.trafficOutsideLogs > 0 ? "; \(report.trafficOutsideLogs) more sent while no log was written" : ""))
        return lines.joined(separator: "\n")
    }

    /// ` (from 10.10.10.8)`: whose traffic the correlation took for the device's; nothing when it could not tell.
    static func sentBy(_ report: BehaviourReport) -> String {
        report.deviceAddresses.isEmpty ? "" : " (from " + report.deviceAddresses.joined(separator: ", ") + ")"
    }

    static func identityLine(_ identity: DeviceIdentity) -> String {
        var parts: [String] = []
        if let mac = identity.mac { parts.append(mac + (identity.vendor.map { " (\($0))" } ?? "")) }
        if !identity.addresses.isEmpty { parts.append(identity.addresses.joined(separator: ", ")) }
        if let hostname = identity.hostname { parts.append("hostname " + hostname) }
        if let id = identity.tuyaDeviceID { parts.append("Tuya devId " + id) }
        if let key = identity.tuyaProductKey { parts.append("productKey " + key) }
        if let firmware = identity.firmware.first { parts.append("firmware \(firmware.version) (\(firmware.source))") }
        return parts.isEmpty ? "not identified" : parts.joined(separator: ", ")
    }
}

/// Periods as people say them: `0.5 s`, `10 s`, `5 min`, `25 min`, `6 h`.
enum DurationText {
    static func format(_ seconds: Double) -> String {
        if seconds < 10 { return trimmed(seconds, places: 2) + " s" }
        if seconds < 120 { return trimmed(seconds, places: 1) + " s" }
        if seconds < 7200 { return trimmed(seconds / 60, places: 1) + " min" }
        return trimmed(seconds / 3600, places: 1) + " h"
    }

    /// `+2.4 s`, `−1.7 s`: a clock offset.
    static func signed(_ seconds: Double) -> String {
        (seconds < 0 ? "−" : "+") + format(abs(seconds))
    }

    private static func trimmed(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0 ..< places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}
