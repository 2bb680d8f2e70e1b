import Foundation
import Testing
@testable import FirmTraceKit

/// The seed's conclusions, which took days by hand, found on the samples (truth in Samples/README.md).
@Suite("report and diff on the samples")
struct ReportSampleTests {
    static func inputs(_ version: String) -> [String] {
        (TestPaths.sampleFiles(endingWith: ".tar.gz") + TestPaths.sampleFiles(endingWith: ".pcapng.gz")).filter { $0.contains(version) }
    }

    /// A registry in the IEEE file's own layout, so the test does not depend on the installed edition.
    static func registry(in scratch: ScratchFolder) throws -> String {
        let path = scratch.appending("oui.txt")
        let text = "OUI/MA-L\t\tOrganization\r\n\r\n64-90-C1   (hex)\t\tBeijing Xiaomi Mobile Software Co., Ltd\r\n6490C1     (base 16)\t\tBeijing Xiaomi Mobile Software Co., Ltd\r\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func report(_ version: String, registry: String = OUIRegistry.defaultPath) -> BehaviourReport {
        var request = ReportRequest(inputs: inputs(version))
        request.registry = registry
        return BehaviourReport.build(request)
    }

    static func period(_ report: BehaviourReport, _ id: String) -> Double? {
        report.behaviours.first { $0.behaviour.id == id }?.periodicity.periodSeconds
    }

    @Test("the seed's periods are found within 10 %: discovery 5 s, DHCP 300 s, /gslb 10 s, timer.count 25 min",
          arguments: ["v01.15.58", "v02.29.02"])
    func seedPeriods(_ version: String) throws {
        let report = Self.report(version)
        #expect(report.exitStatus == 0)
        var expected: [(String, Double)] = [
            ("tuya_discovery:bf7e9b4aacf4f733d8o3zz", 5), ("dhcp:request:64:90:c1:1d:24:c4", 300),
            ("api:tuya.device.timer.count", 1500), ("log:rriot_tuya:mqtt heartbeat send", 60),
        ]
        if version == "v01.15.58" {
            expected += [("http:GET /gslb", 10), ("dns:xx.ott.io.mi.com", 10), ("dns:xx.ot.io.mi.com", 0.5), ("ssdp:NOTIFY:10.10.10.8", 300)]
        }
        for (id, truth) in expected {
            let found = try #require(Self.period(report, id), "\(id) has no period")
            #expect(abs(found - truth) / truth < 0.1, "\(id): \(found) s")
        }
    }

    @Test("the 3 am upload burst is a peak at 03:00 local, made of the FDS lookups and uploads", arguments: ["v01.15.58", "v02.29.02"])
    func threeAMBurst(_ version: String) throws {
        let report = Self.report(version)
        #expect(report.zoneSeconds == 36_000)
        let clock = ReportClock(zoneSeconds: report.zoneSeconds)
        let peak = try #require(report.peaks.first)
        #expect(clock.localClock(peak.start).hasPrefix("03:0"))
        #expect(peak.behaviours.contains { $0.id == "dns:awsde0.fds.api.xiaomi.com" })
        #expect(peak.behaviours.contains { $0.id == "tls:awsde0.fds.api.xiaomi.com:443" })
        let lookups = try #require(report.behaviours.first { $0.behaviour.id == "dns:awsde0.fds.api.xiaomi.com" })
        #expect(lookups.periodicity.verdict == .irregular)
        #expect(lookups.burst.map { clock.localClock($0.start).hasPrefix("03:0") } == true)
        #expect(lookups.hourOfDay[3] == lookups.count)
    }

    @Test("the device is identified: MAC with its registry vendor, address, hostname, Tuya ids, firmware and schema")
    func identity() throws {
        let scratch = try ScratchFolder()
        let identity = Self.report("v01.15.58", registry: try Self.registry(in: scratch)).identity
        #expect(identity.mac == "64:90:c1:1d:24:c4")
        #expect(identity.vendor == "Beijing Xiaomi Mobile Software Co., Ltd")
        #expect(identity.addresses == ["10.10.10.8"])
        #expect(identity.hostname == "rockrobo")
        #expect(identity.dhcpVendorClass == "udhcp 1.24.1")
        #expect(identity.tuyaDeviceID == "bf7e9b4aacf4f733d8o3zz")
        #expect(identity.tuyaProductKey == "mjae49buaskri74f")
        #expect(identity.miioDeviceID == "363224577")
        #expect(identity.serial == "R0018S91200123")
        #expect(identity.firmware.contains { $0.source == "gw_di swv" && $0.version == "01.15.58" })
        #expect(identity.dataPoints.count == 15)
        #expect(identity.dataPoints.first { $0.id == 5 }?.detail == "range auto|samrt|super|manual")
        #expect(identity.neighbours.contains { $0.mac == "00:27:22:fc:8f:93" })
    }

    @Test("the DNS table has every name with its addresses and CNAME chain, and the flows that followed")
    func nameResolution() throws {
        let names = Self.report("v01.15.58").names
        let a2 = try #require(names.first { $0.name == "a2.tuyaeu.com" })
        #expect(Set(a2.addresses.map(\.address)).isSubset(of: ["3.125.199.146", "35.157.101.18", "3.125.234.101"]))
        #expect(a2.flows >= 5)
        #expect(a2.ports == ["tcp/443"])
        let fds = try #require(names.first { $0.name == "awsde0.fds.api.xiaomi.com" })
        #expect(fds.cnames == ["lb-hadoop-fds-awsde0-eco-tcp-825301548.eu-central-1.elb.amazonaws.com"])
        #expect(Set(fds.addresses.map(\.address)).isSubset(of: ["18.184.67.79", "3.124.106.160", "52.28.1.106", "3.67.19.121", "3.65.97.228", "18.156.26.16"]))
        let never = try #require(names.first { $0.name == "xx.ot.io.mi.com" })
        #expect(never.addresses.isEmpty && never.failures == never.answers && never.answers > 1000)
    }

    @Test("endpoints by process: rriot_tuya names the Tuya cloud, miio_client the /gslb servers, with the flows seen")
    func endpoints() {
        let endpoints = Self.report("v01.15.58").endpoints
        #expect(endpoints.contains { $0.process == "rriot_tuya" && $0.host == "a2.tuyaeu.com" && $0.port == 443 && $0.flows >= 5 })
        #expect(endpoints.contains { $0.process == "rriot_tuya" && $0.host == "ms.tuyaeu.com" && $0.port == 8883 && $0.flows >= 1 })
        #expect(endpoints.contains { $0.process == "miio_client" && $0.host == "110.43.0.83" && $0.port == 80 && $0.flows > 100 })
    }

    @Test("traffic with no log line is reported by behaviour: the xx.ot.io.mi.com retries are not logged")
    func unloggedTraffic() {
        let report = Self.report("v01.15.58")
        #expect(report.unmatchedClaims.isEmpty)
        #expect(report.unloggedTraffic.first?.behaviour.id == "dns:xx.ot.io.mi.com")
    }

    @Test("the diff of the two profiles is the seed's Changes: miio_client and /gslb gone, ms → m2, SSDP gone")
    func seedChanges() {
        let difference = FirmwareDiff.compare(Self.report("v01.15.58"), Self.report("v02.29.02"))
        let removed = Set(difference.removed.map(\.id))
        #expect(removed.isSuperset(of: ["process:miio_client", "periodic:http:GET /gslb", "dns_name:xx.ott.io.mi.com",
                                        "periodic:ssdp:NOTIFY:10.10.10.8", "port:udp/1900"]))
        #expect(difference.changed.contains { $0.change == "replaced" && $0.from.id == "dns_name:ms.tuyaeu.com" && $0.to.id == "dns_name:m2.tuyaeu.com" })
        #expect(difference.changed.contains { $0.change == "replaced" && $0.from.id == "endpoint:rriot_tuya ms.tuyaeu.com:8883" })
        #expect(!removed.contains("dns_name:a2.tuyaeu.com"))
        #expect(difference.added.isEmpty)
        let json = try? JSONParser.parse(difference.json)
        #expect(json?["added"] != nil && json?["removed"] != nil && json?["changed"] != nil)
    }

    @Test("a profile's folder (the bundle as .tar.gz and .tar.zst) counts each event once, and says which copy it left out")
    func duplicateBundleCountedOnce() {
        let folder = TestPaths.samples.appendingPathComponent("v01.15.58").path
        let fromFolder = BehaviourReport.build(ReportRequest(inputs: [folder]))
        let fromFiles = Self.report("v01.15.58")
        #expect(fromFolder.events == fromFiles.events)
        #expect(fromFolder.periodic.map(\.behaviour.id) == fromFiles.periodic.map(\.behaviour.id))
        let notices = fromFolder.diagnostics.all.filter { $0.description.contains("the same evidence as") }
        #expect(notices.count == 4)
        #expect(notices.allSatisfy { $0.description.contains(".tar.zst!") })
    }

    @Test("the same inputs compared with themselves differ in nothing")
    func selfDiff() {
        let report = Self.report("v02.29.02")
        let difference = FirmwareDiff.compare(report, report)
        #expect(difference.added.isEmpty && difference.removed.isEmpty && difference.changed.isEmpty)
    }
}
