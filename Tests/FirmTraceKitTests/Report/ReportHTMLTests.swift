import Foundation
import Testing
@testable import FirmTraceKit

@Suite("the HTML report and its JSON twin")
struct ReportHTMLTests {
    static let sections = ["identity", "clocks", "timeline", "periodicity", "activity", "hours", "dns", "endpoints", "unmatched"]

    @Test("the page is self-contained and complete: every section, charts as inline SVG, nothing fetched, the end marker last")
    func selfContained() {
        let html = ReportHTML.render(ReportSampleTests.report("v01.15.58"))
        for section in Self.sections { #expect(html.contains("<section id=\"\(section)\">"), "\(section)") }
        #expect(html.components(separatedBy: "<svg").count > 10)
        #expect(!html.contains("<script") && !html.contains(" src=") && !html.contains("<link") && !html.contains("url("))
        #expect(html.hasSuffix("</footer></body></html>\n"))
    }

    @Test("text from the evidence is escaped: a log line cannot inject markup")
    func hostileTextEscaped() throws {
        let scratch = try ScratchFolder()
        let log = scratch.appending("tuya.log")
        try "[07-09 20:51:49:123 TUYA Debug][x.c:1] <script>alert(1)</script> & \"quoted\"\n".write(toFile: log, atomically: true, encoding: .utf8)
        var request = ReportRequest(inputs: [log])
        request.assumedZone = 0
        request.assumedYear = 2022
        let html = ReportHTML.render(BehaviourReport.build(request))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(#)&lt;/script&gt; &amp; &quot;quoted&quot;"))
    }

    @Test("the JSON has the findings as data: periodicities with their behaviour and period_s")
    func json() throws {
        let json = try JSONParser.parse(ReportJSON.render(ReportSampleTests.report("v02.29.02")))
        guard case .array(let periodicities)? = json["periodicities"] else {
            Issue.record("no periodicities")
            return
        }
        let discovery = periodicities.first { $0["id"] == .string("tuya_discovery:bf7e9b4aacf4f733d8o3zz") }
        #expect(discovery?["behaviour"] != nil)
        #expect(discovery?["period_s"] == .number("5") || discovery?["period_s"] == .number("4.999") || discovery?["period_s"] == .number("5.001"))
        for key in ["identity", "behaviours", "peaks", "dns", "endpoints", "unmatched_log_claims", "unlogged_traffic", "zone"] {
            #expect(json[key] != nil, "\(key)")
        }
    }

    @Test("a log whose device restarted shows each clock segment under its source, in the page and in the JSON")
    func clockSegments() throws {
        let scratch = try ScratchFolder()
        let log = try CorrelateTests.brokenClockLog(in: scratch, after: -5, restart: true)
        let report = BehaviourReport.build(ReportRequest(inputs: [log, CorrelateTests.cachedResolutionCapture]))
        let html = ReportHTML.render(report)
        #expect(html.contains("<td>clock segment 1, after a restart</td>"))
        let json = try JSONParser.parse(ReportJSON.render(report))
        guard case .array(let clocks)? = json["clocks"] else {
            Issue.record("no clocks")
            return
        }
        #expect(clocks.first?["clock_segments"] == .number("2"))
    }

    @Test("an empty input set still gives a complete page")
    func empty() throws {
        let scratch = try ScratchFolder()
        let html = ReportHTML.render(BehaviourReport.build(ReportRequest(inputs: [scratch.path])))
        #expect(html.contains("id=\"report-end\""))
        #expect(html.contains("none with a time"))
    }
}
