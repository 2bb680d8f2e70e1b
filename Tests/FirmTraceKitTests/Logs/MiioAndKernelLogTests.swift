import Foundation
import Testing
@testable import FirmTraceKit

@Suite("miio_client and kernel logs")
struct MiioAndKernelLogTests {
    static let miio = """
        [20220709 16:31:35] [I] http_dns_request:231, HTTP-DNS request for xx.ot.io.mi.com to 110.43.0.83:80 did 363224577
        [20220709 16:31:36] [E] http_dns_response:266, HTTP-DNS failed, response:
        HTTP/1.1 400 Bad Request
        Server: Tengine
        Date: Sat, 09 Jul 2022 16:31:33 GMT
        Content-Type: text/html

        <html>
        </html>
        [20220709 16:31:36] [W] ot_connect_server:598, connect to server xx.ot.io.mi.com port 8053 did 363224577 failed: host not resolved

        """

    @Test("one prefixed line is one event; the HTTP response lines belong to it")
    func continuation() throws {
        let events = try LogFixture.events(Self.miio, name: "miio.log")
        #expect(events.count == 3)
        #expect(events.map(\.kind) == [.miioHTTPDNS, .miioHTTPDNS, .miioServerConnection])
        #expect(events[1].message.hasPrefix("HTTP-DNS failed, response:\nHTTP/1.1 400 Bad Request\n"))
        #expect(events[1].message.hasSuffix("</html>"))
        #expect(events.map(\.line) == [1, 2, 10])
        #expect(events.allSatisfy { $0.origin == "miio_client" })
    }

    @Test("a prefixed line followed by a flood of unprefixed lines keeps 1 MiB of them and counts the rest")
    func continuationBounded() throws {
        var text = "[20220709 16:31:36] [E] http_dns_response:266, HTTP-DNS failed, response:\n"
        text += String(repeating: "0123456789abcdef\n", count: 100_000) + String(repeating: "\n", count: 50_000)
        text += "[20220709 16:31:37] [W] ot_connect_server:598, next\n"
        let events = try LogFixture.events(text, name: "miio.log")
        #expect(events.count == 2)
        #expect(events[0].message.utf8.count <= PendingEvent.maxContinuationBytes + 200)
        let dropped = try #require(events[0].fields["continuation_dropped_lines"])
        // 61,680 lines of 17 bytes (newline counted) fill 1 MiB but 16 bytes, which 16 empty lines take.
        #expect(dropped == .integer(150_000 - 61_680 - 16))
        #expect(events[1].line == 150_002)
    }

    @Test("miio lines are UTC with a full date; host, server, port and did are fields")
    func fields() throws {
        let events = try LogFixture.events(Self.miio, name: "miio.log")
        #expect(events[0].time == 1_657_384_295_000_000_000)
        #expect(events[0].timeBasis == .logClock)
        #expect(events[0].deviceTime == "20220709 16:31:35")
        #expect(events[0].fields["host"] == .string("xx.ot.io.mi.com"))
        #expect(events[0].fields["server"] == .string("110.43.0.83"))
        #expect(events[0].fields["port"] == .integer(80))
        #expect(events[0].fields["did"] == .string("363224577"))
        #expect(events[2].fields["host"] == .string("xx.ot.io.mi.com"))
        #expect(events[2].fields["port"] == .integer(8053))
        #expect(events[2].fields["level"] == .string("warning"))
    }

    @Test("an HTTP Date: header in a continuation is kept: it is the server's clock")
    func httpDate() throws {
        let events = try LogFixture.events(Self.miio, name: "miio.log")
        #expect(events[1].fields["http_status"] == .integer(400))
        #expect(events[1].fields["http_date"] == .string("Sat, 09 Jul 2022 16:31:33 GMT"))
        #expect(events[1].fields["http_date_epoch"] == .integer(1_657_384_293))
    }

    @Test("a Date: header out of range is kept as text with no epoch, and reading goes on",
          arguments: ["Sat, 9223372036854775807 Jul 2022 16:31:33 GMT", "Sat, 09 Jul 9223372036854775807 16:31:33 GMT",
                      "Sat, 09 Jul 2022 9223372036854775807:31:33 GMT", "Sat, 09 Jul 2022 16:-9223372036854775808:33 GMT",
                      "Sat, 32 Jul 2022 16:31:33 GMT", "Sat, 09 Jul 2022 24:00:00 GMT", "Sat, 09 Jul 2022 16::33 GMT"])
    func httpDateOutOfRange(header: String) throws {
        let log = Self.miio.replacingOccurrences(of: "Sat, 09 Jul 2022 16:31:33 GMT", with: header)
        let events = try LogFixture.events(log, name: "miio.log")
        #expect(events.count == 3)
        #expect(events[1].fields["http_date"] == .string(header))
        #expect(events[1].fields["http_date_epoch"] == nil)
    }

    @Test("kernel lines carry their uptime")
    func kernel() throws {
        let events = try LogFixture.events("[    0.000000] Booting Linux\n[    2.306924] EXT4-fs (mmcblk0p8): mounted\n", name: "kern.log")
        #expect(events.map(\.kind) == [.kernelLine, .kernelLine])
        #expect(events[1].fields["uptime_us"] == .integer(2_306_924))
        #expect(events[1].fields["uptime_s"] == .string("2.306924"))
        #expect(events[1].message == "EXT4-fs (mmcblk0p8): mounted")
        #expect(events[1].time == nil)
    }

    @Test("rrlogd bundle names give serial, firmware and pack time to every event of the bundle")
    func bundleFields() throws {
        let bundle = try #require(TestPaths.sampleFiles(endingWith: ".tar.gz").first)
        let sink = CollectingSink()
        _ = Grep.run(GrepRequest(inputs: [bundle]), sink: sink)
        #expect(!sink.events.isEmpty)
        #expect(sink.events.allSatisfy { $0.fields["bundle_serial"] == .string("R0018S91200123") })
        #expect(sink.events.allSatisfy { $0.fields["bundle_firmware"] == .string("v01.15.58") })
        #expect(sink.events.allSatisfy { $0.fields["bundle_packed"] == .string("2022-07-10T03:35:00.000") })
        #expect(Set(sink.events.map(\.origin)) == ["rriot_tuya", "miio_client", "kernel"])
    }
}
