/// The clock model and match counts, in words and as JSON.
public enum CorrelationReport {
    public static func text(_ outcome: CorrelateOutcome) -> String {
        var lines: [String] = []
        for clock in outcome.correlation.sources {
            var line = "\(clock.source) (\(clock.origin)):"
            if let year = clock.year { line += " year \(year) (from \(clock.yearSource ?? "?"))," }
            if let zone = clock.tzOffsetSeconds { line += " zone \(ZoneText.format(zone))," }
            if let paired = clock.paired {
                line += " " + pairedText(paired) + ","
            } else if clock.serverClockOffset != nil {
                line += " no pairs with the capture, so placed by the servers' clocks:"
            } else {
                line += " no pairs with the capture, clock not placed,"
            }
            if let server = clock.serverClockOffset {
                line += " \(formatted(server.offsetSeconds)) s ± \(formatted(server.errorSeconds)) s against the servers' clocks (\(server.kind.counted(server.stamps))),"
            }
            line += " \(clock.matched) log lines linked to packets, \(clock.unmatchedLog) with no packet"
            if clock.claimsOutsideCapture > 0 { line += " (and \(clock.claimsOutsideCapture) more made while no capture ran)" }
            lines.append(line)
            if clock.segments.count > 1 {
                lines += clock.segments.prefix(shown).map(segmentLine)
                if clock.segments.count > shown { lines.append("  … and \(clock.segments.count - shown) more clock segments (--json lists them all)") }
            }
        }
        let correlation = outcome.correlation
        if !correlation.captureSpans.isEmpty {
            lines.append("the capture ran " + spansText(correlation.captureSpans) + ": only claims made then can be missing from it")
        }
        if correlation.sawCapture, !correlation.loggedSpans.isEmpty {
            lines.append("the logs were written " + spansText(correlation.loggedSpans) + " on the capture's clock: only traffic sent then can lack a line")
        }
        let claims = correlation.claimsWithoutPackets
        if !claims.isEmpty {
            lines.append("\(claims.reduce(0) { $0 + $1.count }) log lines claim traffic the capture does not show:")
            lines += listed(claims)
        }
        let traffic = correlation.trafficWithoutLogLine
        if correlation.sources.isEmpty {
            // Without a log every packet lacks a line and no device is told apart: counting them says nothing.
            lines.append(correlation.sawCapture ? "no log read: no log lines to pair the packets with"
                                                : "no log and no capture traffic read: nothing to pair")
        } else if correlation.sawCapture {
            lines.append(device(correlation))
            lines.append("\(correlation.unmatchedCapture) DNS queries, TLS ClientHellos, HTTP requests and TCP connections to "
                + "unresolved addresses in the capture have no log line"
                + (correlation.trafficOutsideLogs > 0 ? " (and \(correlation.trafficOutsideLogs) more were sent while no log was written)" : "")
                + (traffic.isEmpty ? "" : ":"))
            lines += listed(traffic)
        } else {
            lines.append("no capture traffic read: no packets to pair the log lines with")
        }
        if let timeline = outcome.timeline, timeline.isWritten {
            lines.append("\(timeline.written) events written to the linked timeline"
                + (timeline.unmatched > 0 ? "; \(timeline.unmatched) of the \(timeline.read) read not selected" : ""))
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ outcome: CorrelateOutcome) -> String {
        let sources = outcome.correlation.sources.map { clock in
            var members = ["\"source\":" + JSONText.quoted(clock.source), "\"origin\":" + JSONText.quoted(clock.origin)]
            members.append("\"year\":" + (clock.year.map(String.init) ?? "null"))
            members.append("\"year_source\":" + (clock.yearSource.map(JSONText.quoted) ?? "null"))
            members.append("\"tz_offset_s\":" + (clock.tzOffsetSeconds.map(String.init) ?? "null"))
            members += pairedMembers(clock.paired)
            members.append("\"server_clock_offset_s\":" + (clock.serverClockOffset.map { formatted($0.offsetSeconds) } ?? "null"))
            members.append("\"server_clock_error_s\":" + (clock.serverClockOffset.map { formatted($0.errorSeconds) } ?? "null"))
            members.append("\"server_stamps\":\(clock.serverClockOffset?.stamps ?? 0)")
            members.append("\"server_stamp_kind\":" + (clock.serverClockOffset.map { JSONText.quoted($0.kind.rawValue) } ?? "null"))
            members.append("\"matched\":\(clock.matched)")
            members.append("\"unmatched_log\":\(clock.unmatchedLog)")
            members.append("\"claims_outside_capture\":\(clock.claimsOutsideCapture)")
            members.append("\"segments\":[" + clock.segments.map(segmentJSON).joined(separator: ",") + "]")
            members.append("\"unmatched_capture\":\(outcome.correlation.unmatchedCapture)")
            return "{" + members.joined(separator: ",") + "}"
        }
        var text = "{\"sources\":[" + sources.joined(separator: ",") + "],\"unmatched_capture\":\(outcome.correlation.unmatchedCapture)"
        text += ",\"traffic_outside_logs\":\(outcome.correlation.trafficOutsideLogs)"
        text += ",\"capture_spans\":" + spansJSON(outcome.correlation.captureSpans)
        text += ",\"logged_spans\":" + spansJSON(outcome.correlation.loggedSpans)
        text += ",\"claims_without_packets\":" + json(outcome.correlation.claimsWithoutPackets)
        text += ",\"traffic_without_log_line\":" + json(outcome.correlation.trafficWithoutLogLine)
        text += ",\"device_addresses\":[" + outcome.correlation.deviceAddresses.map(JSONText.quoted).joined(separator: ",") + "]"
        text += ",\"device_link_addresses\":[" + outcome.correlation.deviceLinkAddresses.map(JSONText.quoted).joined(separator: ",") + "]"
        if let timeline = outcome.timeline, timeline.isWritten { text += ",\"timeline_events\":\(timeline.written)" }
        return text + "}"
    }

    /// `  clock segment 1, after a restart, from … to … on the device's clock: clock 47.2 s ± 0.4 s against
    /// the capture (6 pairs)`.
    private static func segmentLine(_ segment: Correlation.SegmentClock) -> String {
        var line = "  clock segment \(segment.segment)"
        if let beginning = segment.beginning.phrase { line += ", " + beginning }
        if let from = segment.from, let to = segment.to {
            line += ", from \(UTCDateTime.iso8601(nanoseconds: from)) to \(UTCDateTime.iso8601(nanoseconds: to)) on the device's clock"
        }
        line += ": " + placementText(segment)
        return line
    }

    /// `clock 2.15 s ± 0.34 s against the capture (7 pairs, scattering 0.122 s; 1 left out), drifting 2 ppm
    /// (the offset is at the middle of the pairs)`.
    private static func pairedText(_ paired: Correlation.PairedOffset) -> String {
        "clock \(formatted(paired.offsetSeconds)) s ± \(formatted(paired.errorSeconds)) s against the capture (\(paired.pairs) pair\(paired.pairs == 1 ? "" : "s")"
            + (paired.scatterSeconds.map { ", scattering \(formatted($0)) s" } ?? "")
            + (paired.pairsLeftOut > 0 ? "; \(paired.pairsLeftOut) left out" : "") + ")"
            + (paired.driftPPM.map { ", drifting \(formatted($0)) ppm (the offset is at the middle of the pairs)" } ?? "")
    }

    /// `"offset_s":2.15,…`: nulls and no pairs when there is no offset.
    private static func pairedMembers(_ paired: Correlation.PairedOffset?) -> [String] {
        ["\"offset_s\":" + (paired.map { formatted($0.offsetSeconds) } ?? "null"),
         "\"offset_error_s\":" + (paired.map { formatted($0.errorSeconds) } ?? "null"),
         "\"drift_ppm\":" + (paired?.driftPPM.map(formatted) ?? "null"),
         "\"pairs\":\(paired?.pairs ?? 0)",
         "\"scatter_s\":" + (paired?.scatterSeconds.map(formatted) ?? "null"),
         "\"pairs_left_out\":\(paired?.pairsLeftOut ?? 0)"]
    }

    /// The offset, or what placed the segment without pairs of its own.
    static func placementText(_ segment: Correlation.SegmentClock) -> String {
        switch segment.placement {
        case .pairs: segment.paired.map(pairedText) ?? ""
        case .serverClocks: "no pairs, placed by the servers' clocks"
        case .segment(let other): "no pairs, placed with segment \(other)'s offset"
        case .none: "no pairs, not placed"
        }
    }

    private static func segmentJSON(_ segment: Correlation.SegmentClock) -> String {
        func time(_ value: Int64?) -> String { value.map { JSONText.quoted(UTCDateTime.iso8601(nanoseconds: $0)) } ?? "null" }
        let placement = switch segment.placement {
        case .pairs: "\"pairs\""
        case .serverClocks: "\"server_clocks\""
        case .segment: "\"segment\""
        case .none: "null"
        }
        let (beginning, stepPoint) = switch segment.beginning {
        case .logStart: ("log_start", "null")
        case .restart: ("restart", "null")
        case .stepBack: ("step_back", "null")
        case .step(.timeSync): ("step", "\"time_sync\"")
        case .step(.pause): ("step", "\"pause\"")
        case .step(.halfway): ("step", "\"halfway\"")
        }
        var placedWith = "null"
        if case .segment(let other) = segment.placement { placedWith = String(other) }
        return "{\"segment\":\(segment.segment),\"begins\":\"\(beginning)\",\"step_put_at\":\(stepPoint)"
            + ",\"from\":\(time(segment.from)),\"to\":\(time(segment.to))"
            + "," + pairedMembers(segment.paired).joined(separator: ",") + ",\"placed_by\":\(placement),\"placed_with_segment\":\(placedWith)}"
    }

    /// `from 2022-07-09T16:30:05.1Z to 2022-07-09T17:29:59.823689Z, from … to …`.
    private static func spansText(_ spans: [ClosedRange<Int64>]) -> String {
        spans.map { "from \(UTCDateTime.iso8601(nanoseconds: $0.lowerBound)) to \(UTCDateTime.iso8601(nanoseconds: $0.upperBound))" }
            .joined(separator: ", ")
    }

    private static func spansJSON(_ spans: [ClosedRange<Int64>]) -> String {
        "[" + spans.map { span in
            "{\"start\":" + JSONText.quoted(UTCDateTime.iso8601(nanoseconds: span.lowerBound))
                + ",\"end\":" + JSONText.quoted(UTCDateTime.iso8601(nanoseconds: span.upperBound)) + "}"
        }.joined(separator: ",") + "]"
    }

    /// Whose traffic the findings list, since that is a guess: the senders of what the log accounted for.
    private static func device(_ correlation: Correlation) -> String {
        guard !correlation.deviceAddresses.isEmpty else {
            return "the log accounted for no capture traffic, so the device is not told apart from other hosts: every host's traffic counts"
        }
        var line = "the device is " + correlation.deviceAddresses.joined(separator: ", ")
        if !correlation.deviceLinkAddresses.isEmpty { line += " (MAC " + correlation.deviceLinkAddresses.joined(separator: ", ") + ")" }
        return line + ": it sent the traffic the log accounted for; other hosts' traffic is not listed"
    }

    /// How many findings groups, or clock segments, the text lists; the rest are counted.
    private static let shown = 10

    /// The largest groups, one line each; the rest counted.
    private static func listed(_ findings: [Correlation.Finding]) -> [String] {
        var lines = findings.prefix(shown).map { finding in
            "  \(finding.count)× \(finding.what)\(finding.source.map { " in \($0)" } ?? ""), the first at \(UTCDateTime.iso8601(nanoseconds: finding.first))"
        }
        if findings.count > shown { lines.append("  … and \(findings.count - shown) more groups (--json lists them all)") }
        return lines
    }

    private static func json(_ findings: [Correlation.Finding]) -> String {
        "[" + findings.map { finding in
            var members = finding.source.map { ["\"source\":" + JSONText.quoted($0)] } ?? []
            members += ["\"what\":" + JSONText.quoted(finding.what), "\"count\":\(finding.count)",
                        "\"first\":" + JSONText.quoted(UTCDateTime.iso8601(nanoseconds: finding.first))]
            return "{" + members.joined(separator: ",") + "}"
        }.joined(separator: ",") + "]"
    }

    private static func formatted(_ value: Double) -> String {
        String((value * 1000).rounded() / 1000)
    }
}

extension Correlation.SegmentClock.Beginning {
    /// `after a restart`; nil for the log's start.
    public var phrase: String? {
        switch self {
        case .logStart: nil
        case .restart: "after a restart"
        case .stepBack: "after its clock stepped back"
        case .step(.timeSync): "after its clock stepped (its pairs show it) at a time sync line"
        case .step(.pause): "after its clock stepped (its pairs show it) across a pause in its lines"
        case .step(.halfway): "after its clock stepped (its pairs show it) somewhere between two of them, put halfway"
        }
    }
}
