import Foundation
import Testing
@testable import FirmTraceKit

@Suite("clock model and correlation on the samples")
struct CorrelateTests {
    /// The skews Samples/README.md states: device clock minus capture time.
    static let profiles: [(version: String, skew: Double)] = [("v01.15.58", 2.4), ("v02.29.02", -1.7)]

    static func inputs(_ version: String) -> (logs: [String], captures: [String]) {
        (TestPaths.sampleFiles(endingWith: ".tar.gz").filter { $0.contains(version) },
         TestPaths.sampleFiles(endingWith: ".pcapng.gz").filter { $0.contains(version) })
    }

    @Test("year, zone and skew are recovered for every Tuya and miio log, the skew within a second of the truth",
          arguments: profiles.map(\.version))
    func clockRecovered(_ version: String) throws {
        let skew = try #require(Self.profiles.first { $0.version == version }).skew
        let (logs, captures) = Self.inputs(version)
        let outcome = try Correlate.run(CorrelateRequest(logs: logs, captures: captures))
        let clocks = outcome.correlation.sources.filter { $0.origin != "kernel" }
        #expect(clocks.count == (version == "v01.15.58" ? 3 : 2))
        for clock in clocks {
            #expect(clock.year == 2022)
            #expect(clock.tzOffsetSeconds == (clock.origin == "miio_client" ? 0 : 36_000))
            let paired = try #require(clock.paired, "\(clock.source)")
            #expect(abs(paired.offsetSeconds - skew) < 1, "\(clock.source): \(paired.offsetSeconds)")
            #expect(paired.pairs >= 5 && paired.pairsLeftOut == 0)
            // Delay and the whole-second stamps' dropped fractions: a fraction of a second.
            #expect(paired.scatterSeconds.map { $0 > 0 && $0 < 0.5 } == true, "\(clock.source): \(paired.scatterSeconds ?? -1)")
            #expect(clock.unmatchedLog == 0)
            #expect(paired.driftPPM == nil, "the samples' device clocks are steady: \(clock.source)")
        }
    }

    /// The sample's miio log with its stamps rewritten as a clock gaining `ppm` from its first line would
    /// have written them.
    static func drifting(miioLog text: String, ppm: Double) -> String {
        var start: Int64?
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let digits = line.utf8.prefix(19).map { Int64($0) - 48 }
            guard line.hasPrefix("[20"), line.utf8.count > 19, line.utf8.dropFirst(18).first == UInt8(ascii: "]") else { return String(line) }
            func number(_ at: Int, _ count: Int) -> Int64 { digits[at ..< at + count].reduce(0) { $0 * 10 + $1 } }
            let seconds = UTCDateTime.epochSeconds(year: number(1, 4), month: number(5, 2), day: number(7, 2), hour: number(10, 2),
                                                   minute: number(13, 2), second: number(16, 2))
            start = start ?? seconds
            let moved = seconds + Int64((Double(seconds - start!) * ppm / 1e6).rounded())
            let iso = UTCDateTime.iso8601(seconds: moved)          // 2022-07-09T16:31:35Z
            let stamp = iso.prefix(10).replacingOccurrences(of: "-", with: "") + " " + iso.dropFirst(11).prefix(8)
            return "[" + stamp + "]" + line.dropFirst(19)
        }.joined(separator: "\n")
    }

    @Test("a device clock that gains 800 ppm is fitted with about that rate, every claim still linked")
    func drift() throws {
        let (logs, captures) = Self.inputs("v01.15.58")
        let scratch = try ScratchFolder()
        let extract = try Subprocess.run("tar", ["-xzOf", logs[0], "--wildcards", "*/rrlog/miio.log"])
        #expect(extract.status == 0, "\(extract.error)")
        let path = scratch.appending("miio.log")
        try Data(Self.drifting(miioLog: extract.output, ppm: 800).utf8).write(to: URL(fileURLWithPath: path))
        let clock = try #require(try Correlate.run(CorrelateRequest(logs: [path], captures: captures)).correlation.sources.first)
        let drift = try #require(clock.paired?.driftPPM, "\(clock)")
        // Whole-second stamps turn the gain into steps of a second: the rate comes back within 15 %.
        #expect(abs(drift - 800) < 120, "\(drift) ppm")
        // In the middle of the hour the clock has gained about 1.4 s on the sample's steady 2.4 s.
        let offset = try #require(clock.paired?.offsetSeconds)
        #expect(abs(offset - 3.8) < 0.6, "\(offset) s")
        #expect(clock.matched == 351)
        #expect(clock.unmatchedLog == 0)
    }

    @Test("a steady clock is not fitted with a drift its whole-second stamps make up: the sample's two Tuya logs as one, twelve pairs over the hour")
    func noDriftFromStampFractions() throws {
        let (logs, captures) = Self.inputs("v01.15.58")
        let scratch = try ScratchFolder()
        var text = ""
        for member in ["*/rrlog/tuya.log.1", "*/rrlog/tuya.log"] {
            let extract = try Subprocess.run("tar", ["-xzOf", logs[0], "--wildcards", member])
            #expect(extract.status == 0, "\(extract.error)")
            text += extract.output
        }
        let path = scratch.appending("tuya.log")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let clock = try #require(try Correlate.run(CorrelateRequest(logs: [path], captures: captures)).correlation.sources.first)
        let paired = try #require(clock.paired, "\(clock)")
        #expect(paired.pairs == 12)
        #expect(paired.driftPPM == nil, "\(paired.driftPPM ?? 0) ppm")
        #expect(abs(paired.offsetSeconds - 2.4) < 0.3, "\(paired.offsetSeconds) s, truth 2.4 s")
    }

    @Test("miio's HTTP Date headers give its clock against the servers, with a capture or without one")
    func dateHeaders() throws {
        let (logs, captures) = Self.inputs("v01.15.58")
        for inputs in [(logs, captures), (logs, [])] {
            let outcome = try Correlate.run(CorrelateRequest(logs: inputs.0, captures: inputs.1))
            let miio = try #require(outcome.correlation.sources.first { $0.origin == "miio_client" })
            let date = try #require(miio.serverClockOffset)
            #expect(date.stamps == 351)
            #expect(date.kind == .httpDateHeaders)
            #expect(abs(date.offsetSeconds - 2.4) <= date.errorSeconds)
            #expect(date.errorSeconds <= 0.5)
            #expect(outcome.correlation.corrections[LogClock(source: miio.source, segment: 0)].map { abs(Double($0.offset(at: 0)) / 1e9 - 2.4) < 0.2 } == true)
            // Logs alone: no claim can be said to lack its packets.
            if inputs.1.isEmpty { #expect(outcome.correlation.sources.allSatisfy { $0.unmatchedLog == 0 }) }
        }
    }

    @Test("the Tuya cloud's response stamps give each Tuya log's clock against the servers, with a capture or without one",
          arguments: profiles.map(\.version))
    func tuyaResponseStamps(_ version: String) throws {
        let skew = try #require(Self.profiles.first { $0.version == version }).skew
        let (logs, captures) = Self.inputs(version)
        for inputs in [(logs, captures), (logs, [])] {
            let outcome = try Correlate.run(CorrelateRequest(logs: inputs.0, captures: inputs.1))
            let tuya = outcome.correlation.sources.filter { $0.origin == "rriot_tuya" }
            #expect(tuya.count == 2)
            for clock in tuya {
                let server = try #require(clock.serverClockOffset, "\(clock.source)")
                #expect(server.kind == .tuyaResponses)
                #expect(server.stamps >= 2)
                #expect(abs(server.offsetSeconds - skew) <= server.errorSeconds, "\(clock.source): \(server)")
                #expect(server.errorSeconds <= 1)
                // Logs alone: the servers' clocks place the log.
                if inputs.1.isEmpty {
                    #expect(clock.segments.allSatisfy { $0.placement == .serverClocks }, "\(clock.segments)")
                }
            }
        }
    }

    @Test("a Tuya log whose only epoch is a cloud response: zone and year from it, the log placed by it, said in the singular")
    func responseOnlyLog() throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending("tuya.log")
        let log = """
            [07-10 02:31:40 TUYA Debug][mqc_app.c:1043] mqtt heartbeat send
            [07-10 02:31:45 TUYA Debug][iot_httpc.c:660] Decode Rev:{"t":1657384302,"success":true}\t\t\t\t\t\t\t\t\t

            """
        try Data(log.utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try Correlate.run(CorrelateRequest(logs: [path], captures: []))
        let clock = try #require(outcome.correlation.sources.first)
        #expect(clock.year == 2022 && clock.yearSource == "epoch" && clock.tzOffsetSeconds == 36_000)
        #expect(clock.segments.map(\.placement) == [.serverClocks])
        #expect(CorrelationReport.text(outcome).contains("3.0 s ± 1.0 s against the servers' clocks (1 Tuya cloud response's t)"))
    }

    @Test("every Post URL is linked to its DNS query and ClientHello, after it on the capture's clock",
          arguments: profiles.map(\.version))
    func postURLsLinked(_ version: String) throws {
        let scratch = try ScratchFolder()
        let (logs, captures) = Self.inputs(version)
        let outcome = try Correlate.run(CorrelateRequest(logs: logs, captures: captures, output: scratch.appending("linked.jsonl"),
                                                         format: .jsonl))
        #expect(outcome.timeline?.written ?? 0 > 1000)
        let text = try String(contentsOfFile: scratch.appending("linked.jsonl"), encoding: .utf8)
        let events = text.split(separator: "\n").compactMap { line in Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) } }
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.id!, $0) })
        let posts = events.filter { $0.kind == .tuyaPostURL }
        #expect(posts.count == 5)
        for post in posts {
            #expect(post.timeBasis == .logClock)
            let linked = post.links.compactMap { byID[$0] }
            let hello = try #require(linked.first { $0.kind == .netTLSClientHello }, "\(post.message)")
            #expect(hello.fields["sni"] == post.fields["host"])
            #expect(hello.links.contains(post.id!))
            #expect(hello.time! >= post.time!)
            #expect(linked.contains { $0.kind == .netDNSQuery })
        }
    }

    /// The capture (Scripts/make-test-fixtures.py): one DNS query for m1.tuyaus.com, then six plain MQTT
    /// connections five minutes apart, each opened by a SYN to the address the answer gave.
    static let cachedResolutionCapture = Fixtures.path("dns-cached-mqtt.pcap")
    static let cachedResolutionSkew: Int64 = 37

    /// The device's log for that capture, on a clock `cachedResolutionSkew` seconds fast in UTC+10: its
    /// time sync, a connect line a fraction of a second before each of the first `connections` SYNs, and with
    /// `ghost` a connect line to it a minute after each of the first three connections (a host the capture
    /// never shows) and, `beyondCapture`, an hour before the capture began and an hour after it ended.
    static func cachedResolutionLog(in scratch: ScratchFolder, host: String = "m1.tuyaus.com", connections: Int = 6,
                                    alsoConnectingTo ghost: String? = nil, beyondCapture: Bool = false) throws -> String {
        let zone: Int64 = 36_000, start: Int64 = 1_657_384_300
        func stamp(_ captureSeconds: Double) -> String {
            let iso = UTCDateTime.iso8601(seconds: Int64((captureSeconds + Double(cachedResolutionSkew)).rounded(.down)) + zone)
            return String(iso.dropFirst(5).prefix(14)).replacingOccurrences(of: "T", with: " ")
        }
        var lines: [String] = []
        if let ghost, beyondCapture { lines.append("[\(stamp(Double(start - 3600))) TUYA Debug][mqc_app.c:1043] mqtt connect to \(ghost)") }
        lines.append("[\(stamp(Double(start + 10))) TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, "
            + "utc \(start + 10 + cachedResolutionSkew)")
        for index in 0 ..< connections {
            let connection = Double(start + 30 + Int64(index) * 300)
            lines.append("[\(stamp(connection - 0.2)) TUYA Debug][mqc_app.c:1043] mqtt connect to \(host):1883")
            if let ghost, index < 3 { lines.append("[\(stamp(connection + 60)) TUYA Debug][mqc_app.c:1043] mqtt connect to \(ghost)") }
        }
        if let ghost, beyondCapture { lines.append("[\(stamp(Double(start + 1530 + 3600))) TUYA Debug][mqc_app.c:1043] mqtt connect to \(ghost)") }
        let log = scratch.appending("tuya.log")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        return log
    }

    @Test("a device reconnecting from its own DNS cache is dated and linked by its SYNs to the address the host resolved to")
    func cachedResolution() throws {
        let capture = Self.cachedResolutionCapture, skew = Self.cachedResolutionSkew
        let scratch = try ScratchFolder()
        let log = try Self.cachedResolutionLog(in: scratch)

        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [capture], output: scratch.appending("linked.jsonl"),
                                                         format: .jsonl))
        let clock = try #require(outcome.correlation.sources.first)
        #expect(clock.paired?.pairs == 6)
        #expect(clock.matched == 6)
        #expect(clock.unmatchedLog == 0, "no claim is a finding: the packets are there, only the DNS query is not")
        let offset = try #require(clock.paired?.offsetSeconds)
        #expect(abs(offset - Double(skew)) < 1, "\(offset)")

        let text = try String(contentsOfFile: scratch.appending("linked.jsonl"), encoding: .utf8)
        let events = text.split(separator: "\n").compactMap { line in Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) } }
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.id!, $0) })
        let connects = events.filter { $0.kind == .tuyaMQTT }
        #expect(connects.count == 6)
        var flowsLinked: Set<String> = []
        for connect in connects {
            let flows = connect.links.compactMap { byID[$0] }.filter { $0.kind == .netFlow }
            #expect(flows.count == 1, "\(connect.message)")
            guard let flow = flows.first else { continue }
            #expect(flow.fields["syn"] == .bool(true) && flow.fields["dst_ip"] == .string("52.28.10.7"))
            #expect(flow.time! >= connect.time! && flow.time! - connect.time! < 1_000_000_000)
            flowsLinked.insert(flow.id!)
        }
        #expect(flowsLinked.count == 6, "each connect line has its own connection")
    }

    /// The same device's log with its clock broken between the third and fourth connection: it restarts
    /// (a pre-sync `01-01` run, then a time sync on a clock `after` seconds off), or, without `restart`, its
    /// clock steps to `after` at a time sync (back or forward). `heartbeatsOnly` leaves the connects after
    /// the break out. `unannounced` steps the clock with no time sync line, at capture time `start + 700`,
    /// between heartbeats every ten seconds from `start + 640` to `start + 900`; `resyncedBefore` adds a
    /// time sync that left the clock as it was, at `start + 665`.
    static func brokenClockLog(in scratch: ScratchFolder, after: Int64, restart: Bool, heartbeatsOnly: Bool = false,
                               unannounced: Bool = false, resyncedBefore: Bool = false) throws -> String {
        let zone: Int64 = 36_000, start: Int64 = 1_657_384_300
        func stamp(_ captureSeconds: Double, skew: Int64) -> String {
            let iso = UTCDateTime.iso8601(seconds: Int64((captureSeconds + Double(skew)).rounded(.down)) + zone)
            return String(iso.dropFirst(5).prefix(14)).replacingOccurrences(of: "T", with: " ")
        }
        func sync(_ captureSeconds: Int64, skew: Int64) -> String {
            "[\(stamp(Double(captureSeconds), skew: skew)) TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc \(captureSeconds + skew)"
        }
        func connect(_ index: Int, skew: Int64) -> String {
            "[\(stamp(Double(start + 30 + Int64(index) * 300) - 0.2, skew: skew)) TUYA Debug][mqc_app.c:1043] mqtt connect to m1.tuyaus.com:1883"
        }
        var lines = [sync(start + 10, skew: cachedResolutionSkew)] + (0 ..< 3).map { connect($0, skew: cachedResolutionSkew) }
        if restart {
            lines += ["[01-01 00:00:03 TUYA Notice][tuya_os.c:121] tuya os init, sdk version:2.3.1-beta",
                      "[01-01 00:00:04 TUYA Debug][simplekv.c:1211] find key:2 gw_di"]
        }
        func heartbeat(_ captureSeconds: Int64, skew: Int64) -> String {
            "[\(stamp(Double(captureSeconds), skew: skew)) TUYA Debug][mqc_app.c:1412] mqtt heartbeat send"
        }
        if unannounced {
            lines += stride(from: start + 640, through: start + 900, by: 10).map { heartbeat($0, skew: $0 < start + 700 ? cachedResolutionSkew : after) }
            if resyncedBefore { lines.insert(sync(start + 665, skew: cachedResolutionSkew), at: lines.count - 24) }
        } else {
            lines.append(sync(start + 700, skew: after))
        }
        lines += heartbeatsOnly
            ? (3 ..< 6).map { heartbeat(start + 30 + Int64($0) * 300, skew: after) }
            : (3 ..< 6).map { connect($0, skew: after) }
        let log = scratch.appending("tuya.log")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        return log
    }

    @Test("a device that restarts or whose clock steps, back or forward, gets a clock segment placed on its own: every claim on both sides is linked",
          arguments: [(true, -5, .restart), (false, -60, .stepBack), (false, 97, .step(.timeSync))] as [(Bool, Int64, Correlation.SegmentClock.Beginning)])
    func clockSegments(restart: Bool, after: Int64, beginning: Correlation.SegmentClock.Beginning) throws {
        let scratch = try ScratchFolder()
        let log = try Self.brokenClockLog(in: scratch, after: after, restart: restart)
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [Self.cachedResolutionCapture],
                                                         output: scratch.appending("linked.jsonl"), format: .jsonl))
        let clock = try #require(outcome.correlation.sources.first)
        #expect(clock.matched == 6 && clock.unmatchedLog == 0)
        #expect(clock.segments.map(\.segment) == [0, 1] && clock.segments.map { $0.paired?.pairs } == [3, 3])
        #expect(clock.segments.allSatisfy { $0.placement == .pairs })
        #expect(clock.segments.map(\.beginning) == [.logStart, beginning])
        let offsets = clock.segments.compactMap(\.paired?.offsetSeconds)
        #expect(offsets.count == 2 && abs(offsets[0] - Double(Self.cachedResolutionSkew)) < 1 && abs(offsets[1] - Double(after)) < 1, "\(offsets)")
        #expect(clock.paired?.offsetSeconds == offsets.first, "the source's line gives the first of the segments with the most pairs")
        #expect(CorrelationReport.text(outcome).contains("\n  clock segment 1, after "))

        let text = try String(contentsOfFile: scratch.appending("linked.jsonl"), encoding: .utf8)
        let events = text.split(separator: "\n").compactMap { line in Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) } }
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.id!, $0) })
        let connects = events.filter { $0.kind == .tuyaMQTT }
        #expect(connects.count == 6)
        let times = events.compactMap(\.time)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "each segment's lines merged in time order with the packets")
        for connect in connects {
            let flow = try #require(connect.links.compactMap { byID[$0] }.first { $0.kind == .netFlow }, "\(connect.deviceTime ?? "")")
            #expect(flow.time! >= connect.time! && flow.time! - connect.time! < 1_000_000_000, "on the capture's clock, just before its SYN")
        }
        #expect(connects.map { $0.fields.integer("clock_segment") } == [0, 0, 0, 1, 1, 1], "each line says which segment placed it")
        #expect(events.filter { $0.origin != "capture" && $0.time != nil }.allSatisfy { $0.fields.integer("clock_segment") != nil })
        #expect(events.filter { $0.origin == "capture" }.allSatisfy { $0.fields["clock_segment"] == nil })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(CorrelationReport.json(outcome).utf8)) as? [String: Any])
        let segments = try #require((json["sources"] as? [[String: Any]])?.first?["segments"] as? [[String: Any]])
        #expect(segments.map { $0["placed_by"] as? String } == ["pairs", "pairs"] && segments.map { $0["pairs"] as? Int } == [3, 3])
        #expect(segments.map { $0["step_put_at"] as? String } == [nil, beginning == .step(.timeSync) ? "time_sync" : nil])
    }

    @Test("a clock stepping forward with no time sync line at the step is cut at the pause its jump left, not at a time sync that left it as it was: every line between the pairs is placed on the capture's clock",
          arguments: [false, true])
    func unannouncedStepAtThePause(resyncedBefore: Bool) throws {
        let scratch = try ScratchFolder()
        let start: Int64 = 1_657_384_300, after: Int64 = 97
        let log = try Self.brokenClockLog(in: scratch, after: after, restart: false, unannounced: true, resyncedBefore: resyncedBefore)
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [Self.cachedResolutionCapture],
                                                         output: scratch.appending("linked.jsonl"), format: .jsonl))
        let clock = try #require(outcome.correlation.sources.first)
        #expect(clock.matched == 6 && clock.segments.map(\.beginning) == [.logStart, .step(.pause)])
        #expect(clock.segments.last?.from == (start + 700 + after) * 1_000_000_000, "the first line after the pause begins the stretch")
        #expect(CorrelationReport.text(outcome).contains("clock segment 1, after its clock stepped (its pairs show it) across a pause in its lines"))

        let text = try String(contentsOfFile: scratch.appending("linked.jsonl"), encoding: .utf8)
        let events = text.split(separator: "\n").compactMap { line in Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) } }
        let heartbeats = events.filter { $0.origin == "rriot_tuya" && $0.message.contains("heartbeat") }
        #expect(heartbeats.count == 27)
        for (index, heartbeat) in heartbeats.enumerated() {
            let truth = (start + 640 + 10 * Int64(index)) * 1_000_000_000
            let placed = try #require(heartbeat.time)
            #expect(placed <= truth + 1_000_000_000 && truth <= placed + 1_000_000_000, "\(heartbeat.deviceTime ?? ""): \(placed - truth) ns off")
        }
        #expect(heartbeats.map { $0.fields.integer("clock_segment") } == Array(repeating: 0, count: 6) + Array(repeating: 1, count: 21))

        // Read as slices side by side, a pause that spans two slices is still found.
        var whole = TimelineRequest(inputs: [log, Self.cachedResolutionCapture], output: scratch.appending("whole.jsonl"), format: .jsonl)
        whole.sliceBytes = nil
        var sliced = whole
        sliced.output = scratch.appending("sliced.jsonl")
        sliced.sliceBytes = 97
        let slicing = try #require(SlicedLog(InputWalker.Unit(path: log, isExplicit: true, firstPacketTime: nil),
                                             plan: LogReadPlan(wantsKind: { _ in true }, needsEvents: true), sliceBytes: 97))
        let file = try FileChunkReader(path: log)
        #expect((0 ..< slicing.sliceCount).filter { !slicing.range(ofSlice: $0, in: file).isEmpty }.count > 20)
        _ = try Timeline.run(whole)
        _ = try Timeline.run(sliced)
        let wholeText = try String(contentsOfFile: whole.output, encoding: .utf8)
        #expect(try String(contentsOfFile: sliced.output, encoding: .utf8) == wholeText)
        #expect(wholeText.split(separator: "\n").filter { $0.contains("heartbeat") && $0.contains("\"clock_segment\":1") }.count == 21)
    }

    @Test("a line's clock segment survives intermediate merges: every format says it, only for the source with several segments",
          arguments: [TimelineFormat.csv, .jsonl, .timesketch, .l2tcsv])
    func clockSegmentThroughIntermediateMerges(format: TimelineFormat) throws {
        let scratch = try ScratchFolder()
        let log = try Self.brokenClockLog(in: scratch, after: 97, restart: false)
        let inputs = [log, Self.cachedResolutionCapture]
        _ = try Timeline.run(TimelineRequest(inputs: inputs, output: scratch.appending("direct"), format: format))
        var request = TimelineRequest(inputs: inputs, output: scratch.appending("staged"), format: format, memoryBytes: 256)
        request.mergeFanIn = 2
        _ = try Timeline.run(request)
        let direct = try String(contentsOfFile: scratch.appending("direct"), encoding: .utf8)
        #expect(try String(contentsOfFile: scratch.appending("staged"), encoding: .utf8) == direct)
        let marker = format == .l2tcsv ? "clock_segment: " : format == .csv ? "\"\"clock_segment\"\":" : "\"clock_segment\":"
        let rows = direct.split(whereSeparator: \.isNewline)
        let logRows = rows.filter { $0.contains("rriot_tuya") }
        #expect(logRows.count == 8 && logRows.allSatisfy { $0.contains(marker) }, "\(logRows)")
        #expect(rows.filter { $0.contains(marker) }.count == logRows.count, "capture rows have no clock segment")
        #expect(logRows.filter { $0.contains(marker + "1") }.count == 4, "the time sync at the step and the three connects after it")
    }

    @Test("a clock corrected in stretches keeps its lines in order across a step, whichever way it went and wherever it was put",
          arguments: [97, -23] as [Int64], [false, true])
    func steppedCorrectionKeepsOrder(stepTo later: Int64, atLine: Bool) {
        let step: Int64 = 1_000_000_000_000
        let correction = ClockCorrection(pieces: [.init(from: .min, constant: 37_000_000_000, drift: nil),
                                                  .init(from: step, constant: later * 1_000_000_000, drift: nil, beginsAtLine: atLine)])
        let times = stride(from: step - 200_000_000_000, to: step + 200_000_000_000, by: 500_000_000).map(correction.captureTime)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(correction.captureTime(step + 150_000_000_000) == step + 150_000_000_000 - later * 1_000_000_000)
        if atLine {
            #expect(correction.captureTime(step) == step - later * 1_000_000_000, "the line the step was put at is not moved")
            #expect(correction.captureTime(step - 61_000_000_000) == step - 98_000_000_000, "nor a line before the pause the step left")
        } else {
            #expect(correction.captureTime(step - 1_000_000_000) == step - 38_000_000_000, "no line of the stretch before is moved")
        }
    }

    @Test("a short stretch whose offset jumps far keeps the stretches after it in order too")
    func shortStretchKeepsOrder() {
        let second: Int64 = 1_000_000_000
        let correction = ClockCorrection(pieces: [.init(from: .min, constant: 0, drift: nil), .init(from: 100 * second, constant: 60 * second, drift: nil),
                                                  .init(from: 110 * second, constant: 20 * second, drift: nil)])
        let times = stride(from: 90 * second, to: 200 * second, by: Int(second / 2)).map(correction.captureTime)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(correction.captureTime(150 * second) == 130 * second)
    }

    @Test("any clock corrected in stretches keeps its times in order: steps back and forward, at lines or halfway, in any mix",
          arguments: 0 ..< 4)
    func anySteppedCorrectionKeepsOrder(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let second: Int64 = 1_000_000_000
        for _ in 0 ..< 200 {
            var from: Int64 = 0
            var pieces = [ClockCorrection.Piece(from: .min, constant: Int64.random(in: -120 ... 120, using: &random) * second, drift: nil)]
            for _ in 0 ..< Int.random(in: 1 ... 6, using: &random) {
                from += Int64.random(in: 1 ... 90, using: &random) * second
                pieces.append(.init(from: from, constant: Int64.random(in: -120 ... 120, using: &random) * second, drift: nil,
                                    beginsAtLine: Bool.random(using: &random)))
            }
            let correction = ClockCorrection(pieces: pieces)
            let times = stride(from: -60 * second, to: from + 200 * second, by: Int(second / 4)).map(correction.captureTime)
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "\(pieces.map { ($0.from, $0.constant, $0.beginsAtLine) })")
        }
    }

    /// Numbers a hostile or corrupt log may hold where the samples hold ordinary ones.
    static let extremeNumbers = ["0", "99", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551615",
                                 "99999999999999999999999", "-9223372036854775808", "253402300800", "000000000000000000001"]

    @Test("numbers anywhere in the samples' logs made extreme never crash the clock model or the correlation: every link resolves, both ways",
          arguments: 0 ..< 8 as Range<UInt64>)
    func extremeNumbersInLogs(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let scratch = try ScratchFolder()
        let (logs, captures) = Self.inputs(Self.profiles[Int(seed) % Self.profiles.count].version)
        _ = try Unpack.run(UnpackRequest(archives: logs, outputDirectory: scratch.appending("bundle"), maxDepth: 0))
        let texts = scratch.tree("bundle").filter { $0.hasSuffix("tuya.log") || $0.hasSuffix("tuya.log.1") || $0.hasSuffix("miio.log") }
        #expect(!texts.isEmpty)
        for file in texts.map({ scratch.appending("bundle/\($0)") }) {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            var mutated = ""
            var digits = ""
            for character in text {
                if character.isASCII, character.isNumber { digits.append(character); continue }
                if !digits.isEmpty {
                    mutated += Int.random(in: 0 ..< 30, using: &random) == 0 ? Self.extremeNumbers.randomElement(using: &random)! : digits
                    digits = ""
                }
                mutated.append(character)
            }
            try Data((mutated + digits).utf8).write(to: URL(fileURLWithPath: file))
        }
        let outcome = try Correlate.run(CorrelateRequest(logs: [scratch.appending("bundle")], captures: captures,
                                                         output: scratch.appending("linked.jsonl"), format: .jsonl))
        let text = try String(contentsOfFile: scratch.appending("linked.jsonl"), encoding: .utf8)
        let events = text.split(separator: "\n").compactMap { line in Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) } }
        #expect(events.count == outcome.timeline?.written)
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.id!, $0) })
        #expect(events.contains { !$0.links.isEmpty })
        for event in events {
            for link in event.links {
                #expect(byID[link]?.links.contains(event.id!) == true, "\(event.id!) links to \(link)")
            }
        }
    }

    @Test("a clock segment without traffic of its own is placed with the nearest segment's offset, and says so")
    func clockSegmentWithoutPairs() throws {
        let scratch = try ScratchFolder()
        let log = try Self.brokenClockLog(in: scratch, after: -5, restart: true, heartbeatsOnly: true)
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [Self.cachedResolutionCapture]))
        let clock = try #require(outcome.correlation.sources.first)
        #expect(clock.segments.map(\.placement) == [.pairs, .segment(0)])
        #expect(CorrelationReport.text(outcome).contains("no pairs, placed with segment 0's offset"))
    }

    @Test("a hostile log whose clock jumps back on every other line and restarts again and again still gives a sorted timeline, its segments bounded")
    func erraticClockBounded() throws {
        let scratch = try ScratchFolder()
        let start: Int64 = 1_657_384_300, zone: Int64 = 36_000
        func stamp(_ seconds: Int64) -> String {
            String(UTCDateTime.iso8601(seconds: seconds + zone).dropFirst(5).prefix(14)).replacingOccurrences(of: "T", with: " ")
        }
        var lines = ["[\(stamp(start)) TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc \(start)"]
        for index in 0 ..< 4_000 {
            lines.append("[\(stamp(start + Int64(index) * 2 + (index % 2 == 0 ? 30 : 0))) TUYA Debug][mqc_app.c:1043] mqtt connect to m1.tuyaus.com:1883")
            if index % 100 == 0 { lines.append("[01-01 00:00:05 TUYA Notice][tuya_os.c:121] tuya os init") }
        }
        let log = scratch.appending("tuya.log")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [Self.cachedResolutionCapture],
                                                         output: scratch.appending("linked.csv"), format: .csv))
        let segments = try #require(outcome.correlation.sources.first?.segments)
        #expect(segments.filter { if case .step = $0.beginning { false } else { true } }.count == Int(ClockSegments.maximum) + 1)
        let text = try String(contentsOfFile: scratch.appending("linked.csv"), encoding: .utf8)
        let times = text.split(whereSeparator: \.isNewline).dropFirst().compactMap { Int64($0.split(separator: ",", maxSplits: 2).dropFirst().first ?? "") }
        #expect(times.count >= 4_041, "every line of the log is placed, the restarts' pre-sync lines back from the line after them")
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test("a log running over New Year keeps one clock: its 01-01 lines are the year's first day, not a restart")
    func newYearIsNoRestart() throws {
        let scratch = try ScratchFolder()
        let lines = ["[12-31 23:59:50 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1672491590",
                     "[12-31 23:59:58 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
                     "[01-01 00:00:58 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
                     "[01-01 23:59:58 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
                     "[01-02 00:00:58 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send"]
        let log = scratch.appending("tuya.log")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [], output: scratch.appending("timeline.jsonl"), format: .jsonl))
        #expect(outcome.correlation.sources.first?.segments.count == 1)
        let text = try String(contentsOfFile: scratch.appending("timeline.jsonl"), encoding: .utf8)
        #expect(text.split(separator: "\n").count == lines.count && !text.contains("clock_segment"), "one segment is not named in each row")
    }

    /// The events of a log's timeline, with no capture, in time order.
    static func timeline(of lines: [String], in scratch: ScratchFolder) throws -> (Correlation.SourceClock?, [Event]) {
        let log = scratch.appending("tuya.log")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [], output: scratch.appending("timeline.jsonl"), format: .jsonl))
        let text = try String(contentsOfFile: scratch.appending("timeline.jsonl"), encoding: .utf8)
        return (outcome.correlation.sources.first, text.split(separator: "\n").compactMap { Array($0.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) } })
    }

    @Test("a device restarting on New Year's Day after lines of that day: the day's lines keep their dates, the restart begins a segment placed back from its time sync")
    func restartOnNewYearsDay() throws {
        let heartbeat = "TUYA Debug][mqc_app.c:1412] mqtt heartbeat send"
        let (clock, events) = try Self.timeline(of: [
            "[12-31 23:59:50 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1672495190",
            "[12-31 23:59:58 \(heartbeat)", "[01-01 00:00:58 \(heartbeat)", "[01-01 13:59:00 \(heartbeat)",
            "[01-01 00:00:03 TUYA Notice][tuya_os.c:121] tuya os init, sdk version:2.3.1-beta",
            "[01-01 00:00:04 TUYA Debug][simplekv.c:1211] find key:2 gw_di",
            "[01-01 14:00:40 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1672545640",
            "[01-01 14:01:00 \(heartbeat)", "[01-02 00:00:10 \(heartbeat)",
        ], in: try ScratchFolder())
        #expect(clock?.segments.map(\.beginning) == [.logStart, .restart])
        #expect(events.map(\.line) == Array(1 ... 9), "every line placed, in order")
        #expect(events.map { $0.time.map(UTCDateTime.iso8601(nanoseconds:)) } == [
            "2022-12-31T13:59:50Z", "2022-12-31T13:59:58Z", "2022-12-31T14:00:58Z", "2023-01-01T03:59:00Z",
            "2023-01-01T04:00:39Z", "2023-01-01T04:00:40Z", "2023-01-01T04:00:40Z", "2023-01-01T04:01:00Z", "2023-01-01T14:00:10Z",
        ])
        #expect(events.map { $0.fields.integer("clock_segment") } == [0, 0, 0, 0, 1, 1, 1, 1, 1])
        #expect(events.map { $0.fields["placed_from"] != nil } == [false, false, false, false, true, true, false, false, false])
    }

    @Test("a New Year's Day of more lines than are held, at the end of the log, is dated line by line: none left unplaced")
    func longNewYearsDayAtTheEnd() throws {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = (0 ..< 12_000).map { index in
            let second = index * 7
            return "[01-01 \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) TUYA Debug][mqc_app.c:1412] mqtt heartbeat send"
        }
        let (clock, events) = try Self.timeline(of: [
            "[12-31 23:59:50 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1672495190",
            "[12-31 23:59:58 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
        ] + day, in: try ScratchFolder())
        #expect(clock?.segments.count == 1)
        #expect(events.count == 12_002 && events.allSatisfy { $0.timeBasis != .logUnsynced && $0.time != nil })
        #expect(events.dropFirst(2).enumerated().allSatisfy { $0.element.time == (1_672_495_200 + Int64($0.offset) * 7) * 1_000_000_000 })
    }

    @Test("a device restarting on New Year's Day after a time sync that day gets a segment of its own, not the year's first hours")
    func restartAfterTimeSyncOnNewYearsDay() throws {
        let (clock, events) = try Self.timeline(of: [
            "[12-31 23:59:50 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1672495190",
            "[01-01 13:00:00 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1672542000",
            "[01-01 00:00:03 TUYA Notice][tuya_os.c:121] tuya os init, sdk version:2.3.1-beta",
            "[01-01 00:00:04 TUYA Debug][simplekv.c:1211] find key:2 gw_di",
            "[01-01 13:05:00 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1672542300",
        ], in: try ScratchFolder())
        #expect(clock?.segments.map(\.beginning) == [.logStart, .restart])
        #expect(events.map { $0.time.map(UTCDateTime.iso8601(nanoseconds:)) } == [
            "2022-12-31T13:59:50Z", "2023-01-01T03:00:00Z", "2023-01-01T03:04:59Z", "2023-01-01T03:05:00Z", "2023-01-01T03:05:00Z",
        ])
    }

    @Test("host names are compared as DNS compares them: whatever their case, with or without the root's dot",
          arguments: ["M1.TuyaUS.com", "m1.tuyaus.com."])
    func hostNamesFolded(_ host: String) throws {
        let scratch = try ScratchFolder()
        let log = try Self.cachedResolutionLog(in: scratch, host: host)
        let clock = try #require(try Correlate.run(CorrelateRequest(logs: [log], captures: [Self.cachedResolutionCapture]))
            .correlation.sources.first)
        #expect(clock.matched == 6)
        #expect(clock.unmatchedLog == 0)
    }

    @Test("what has no counterpart is listed, grouped and dated: claims by source and host, device traffic by what it was, the device's connections to addresses no DNS answer gave")
    func findingsListed() throws {
        let scratch = try ScratchFolder()
        let log = try Self.cachedResolutionLog(in: scratch, alsoConnectingTo: "ghost.example.com:1883")
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [Self.cachedResolutionCapture]))
        let claims = outcome.correlation.claimsWithoutPackets
        #expect(claims.count == 1)
        #expect(claims.first?.source == log && claims.first?.what == "connect to ghost.example.com:1883" && claims.first?.count == 3)
        // The first ghost line, written a minute after the first connection, on the capture's clock.
        let first = try #require(claims.first?.first)
        #expect(abs(first - (1_657_384_300 + 90) * 1_000_000_000) < 1_000_000_000, "\(UTCDateTime.iso8601(nanoseconds: first))")
        // The device's one connection to an address no DNS answer gave and its lookup over IPv6 (an address
        // tied to it by its MAC), and none of the phone's traffic: its lookup and its two connections.
        let traffic = outcome.correlation.trafficWithoutLogLine
        #expect(traffic.map(\.what) == ["DNS query telemetry.example.org", "TCP connection to 198.51.100.23:8886, an address no DNS answer gave"])
        #expect(traffic.last?.count == 1 && traffic.last?.first == (1_657_384_300 + 400) * 1_000_000_000)
        #expect(outcome.correlation.unmatchedCapture == 2)
        #expect(outcome.correlation.deviceAddresses == ["10.10.10.8", "fe80::6690:c1ff:fe1d:24c4"])
        #expect(outcome.correlation.deviceLinkAddresses == ["64:90:c1:1d:24:c4"])
        #expect(CorrelationReport.text(outcome).contains("the device is 10.10.10.8, fe80::6690:c1ff:fe1d:24c4 (MAC 64:90:c1:1d:24:c4): it sent"))
        #expect(CorrelationReport.text(outcome).contains("3 log lines claim traffic the capture does not show:\n  3× connect to ghost.example.com:1883 in "))

        let (logs, captures) = Self.inputs("v01.15.58")
        let sample = try Correlate.run(CorrelateRequest(logs: logs, captures: captures)).correlation
        let sampleTraffic = sample.trafficWithoutLogLine
        #expect(sampleTraffic.reduce(0) { $0 + $1.count } == sample.unmatchedCapture)
        // 7018 queries in all: those within a second of the logs' ends could have a line just
        // outside them, and are not findings.
        #expect(sampleTraffic.first?.what == "DNS query xx.ot.io.mi.com" && sampleTraffic.first?.count == 7002)
        #expect(sample.trafficOutsideLogs == 17)
        #expect(sampleTraffic.allSatisfy { $0.source == nil && !$0.what.hasPrefix("TCP connection") },
                "every connection the sample's device opened went to an address its DNS answers gave")
        #expect(sample.claimsWithoutPackets.isEmpty)
    }

    @Test("the timeline marks each finding with a finding field, in every format: the claims without packets and the device traffic without a log line, nothing else",
          arguments: TimelineFormat.allCases)
    func findingsMarkedInTimeline(_ format: TimelineFormat) throws {
        let scratch = try ScratchFolder()
        let log = try Self.cachedResolutionLog(in: scratch, alsoConnectingTo: "ghost.example.com:1883")
        let output = scratch.appending("linked.\(format.rawValue)")
        _ = try Correlate.run(CorrelateRequest(logs: [log], captures: [Self.cachedResolutionCapture], output: output, format: format))
        let text: String
        if format == .sqlite {
            let query = "SELECT key, value FROM fields WHERE key = 'finding';"
            let result = try Subprocess.run("sqlite3", [output, query])
            #expect(result.status == 0, "\(result.error)")
            text = result.output
        } else {
            text = try String(contentsOfFile: output, encoding: .utf8)
        }
        #expect(text.components(separatedBy: "claim_without_packet").count - 1 == 3)
        #expect(text.components(separatedBy: "traffic_without_log_line").count - 1 == 2)
        #expect(text.components(separatedBy: "finding").count - 1 == 5)
    }

    @Test("only what both sides recorded can be missing from one: claims made while no capture ran and traffic sent while no log was written are counted apart, not listed")
    func findingsOnlyWhileBothRecorded() throws {
        let scratch = try ScratchFolder()
        let start: Int64 = 1_657_384_300
        let beyond = try Self.cachedResolutionLog(in: scratch, alsoConnectingTo: "ghost.example.com:1883", beyondCapture: true)
        let outcome = try Correlate.run(CorrelateRequest(logs: [beyond], captures: [Self.cachedResolutionCapture]))
        let clock = try #require(outcome.correlation.sources.first)
        #expect(clock.matched == 6 && clock.unmatchedLog == 3 && clock.claimsOutsideCapture == 2)
        #expect(outcome.correlation.claimsWithoutPackets.map(\.count) == [3])
        // From the first DNS query to the last MQTT connection's last packet.
        #expect(outcome.correlation.captureSpans == [(start * 1_000_000_000 + 29_950_000_000) ... (start * 1_000_000_000 + 1_530_070_000_000)])
        let text = CorrelationReport.text(outcome)
        #expect(text.contains("6 log lines linked to packets, 3 with no packet (and 2 more made while no capture ran)"))
        #expect(text.contains("the capture ran from 2022-07-09T16:32:09.950Z to 2022-07-09T16:57:10.070Z"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(CorrelationReport.json(outcome).utf8)) as? [String: Any])
        #expect((json["sources"] as? [[String: Any]])?.first?["claims_outside_capture"] as? Int == 2)
        #expect(json["capture_spans"] as? [[String: String]] == [["start": "2022-07-09T16:32:09.950Z", "end": "2022-07-09T16:57:10.070Z"]])

        // A log that ends after the second connection, long before the device's unlogged IPv6 lookup and its
        // connection to an unnamed address: neither is a finding, both are counted.
        let early = try Self.cachedResolutionLog(in: scratch, connections: 2)
        let ended = try Correlate.run(CorrelateRequest(logs: [early], captures: [Self.cachedResolutionCapture])).correlation
        #expect(ended.sources.first?.matched == 2)
        #expect(ended.trafficWithoutLogLine.isEmpty && ended.unmatchedCapture == 0 && ended.trafficOutsideLogs == 2)
        // From its time sync to its second connect line, on the capture's clock.
        let logged = try #require(ended.loggedSpans.first)
        #expect(ended.loggedSpans.count == 1 && abs(logged.lowerBound - (start + 10) * 1_000_000_000) < 1_000_000_000
                && abs(logged.upperBound - (start + 330) * 1_000_000_000) < 1_000_000_000, "\(ended.loggedSpans)")
    }

    @Test("captured beyond a router, whose MAC every host's frames carry, the device is its own addresses only: the MAC ties none to it")
    func routerMACTiesNothing() throws {
        let scratch = try ScratchFolder()
        let log = try Self.cachedResolutionLog(in: scratch)
        let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [Fixtures.path("dns-cached-mqtt-routed.pcap")]))
        #expect(outcome.correlation.sources.first?.matched == 6)
        #expect(outcome.correlation.deviceAddresses == ["10.10.10.8"] && outcome.correlation.deviceLinkAddresses.isEmpty)
        #expect(outcome.correlation.trafficWithoutLogLine.map(\.what) == ["TCP connection to 198.51.100.23:8886, an address no DNS answer gave"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(CorrelationReport.json(outcome).utf8)) as? [String: Any])
        #expect(json["device_addresses"] as? [String] == ["10.10.10.8"] && json["device_link_addresses"] as? [String] == [])
    }

    @Test("with no capture the summary says there was nothing to pair with, not that no traffic went unlogged")
    func noCapture() throws {
        let scratch = try ScratchFolder()
        let withoutCapture = try Correlate.run(CorrelateRequest(logs: [try Self.cachedResolutionLog(in: scratch)], captures: []))
        #expect(!withoutCapture.correlation.sawCapture)
        let text = CorrelationReport.text(withoutCapture)
        #expect(text.hasSuffix("no capture traffic read: no packets to pair the log lines with") && !text.contains("have no log line"))
        let withCapture = try Correlate.run(CorrelateRequest(logs: [], captures: [Self.cachedResolutionCapture]))
        #expect(withCapture.correlation.sawCapture)
    }

    @Test("with no log the summary says there was nothing to pair the packets with, not that every packet lacks a line")
    func noLog() throws {
        let captureOnly = try Correlate.run(CorrelateRequest(logs: [Self.cachedResolutionCapture], captures: [Self.cachedResolutionCapture]))
        #expect(captureOnly.correlation.sources.isEmpty && captureOnly.correlation.sawCapture)
        let text = CorrelationReport.text(captureOnly)
        #expect(text.hasSuffix("no log read: no log lines to pair the packets with"), "\(text)")
        #expect(!text.contains("have no log line") && !text.contains("the device is") && !text.contains("accounted for"))
        #expect(text.hasPrefix("the capture ran from "), "\(text)")
        let nothing = try Correlate.run(CorrelateRequest(logs: [], captures: []))
        #expect(CorrelationReport.text(nothing) == "no log and no capture traffic read: nothing to pair")
    }

    @Test("the JSON summary has one entry per log source with the documented keys")
    func jsonSummary() throws {
        let (logs, captures) = Self.inputs("v01.15.58")
        let text = CorrelationReport.json(try Correlate.run(CorrelateRequest(logs: logs, captures: captures)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let sources = try #require(object["sources"] as? [[String: Any]])
        #expect(sources.count == 4)
        for key in ["source", "origin", "year", "tz_offset_s", "offset_s", "offset_error_s", "pairs", "scatter_s", "pairs_left_out", "segments",
                    "matched", "unmatched_log", "unmatched_capture"] {
            #expect(sources.allSatisfy { $0.keys.contains(key) }, "\(key)")
        }
        let traffic = try #require(object["traffic_without_log_line"] as? [[String: Any]])
        #expect(traffic.first?["what"] as? String == "DNS query xx.ot.io.mi.com" && traffic.first?["count"] as? Int == 7002)
        #expect(object["traffic_outside_logs"] as? Int == 17 && (object["capture_spans"] as? [Any])?.count == 1
                && (object["logged_spans"] as? [Any])?.count == 1)
        #expect((object["claims_without_packets"] as? [Any])?.isEmpty == true)
    }
}
