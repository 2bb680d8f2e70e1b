import Foundation
import Testing
@testable import FirmTraceKit

@Suite("Tuya SDK logs")
struct TuyaLogTests {
    /// What each of the seed's real lines must become, by a piece of its text.
    static let expectedKinds: [(String, EventKind)] = [
        ("Post Data:", .tuyaPostData), ("Post URL:", .tuyaPostURL), ("Decode Rev:", .tuyaResponse),
        ("Connect: a2.tuyaeu.com Port", .tuyaConnect), ("TUYA_TLS", .tuyaTLS), ("socket fd is set", .tuyaTLS),
        ("handshake finish", .tuyaTLS), ("bind schema", .tuyaBindSchema), ("read buf:", .tuyaDeviceInfo),
    ]

    @Test("the seed holds the real lines this suite checks")
    func seedIsThere() {
        #expect(LogFixture.seedTuyaLines.count >= 35)
    }

    @Test("every real line of the seed becomes one event of the right kind", arguments: LogFixture.seedTuyaLines)
    func seedLine(_ line: String) throws {
        let events = try LogFixture.events(line + "\n")
        #expect(events.count == 1)
        let event = try #require(events.first)
        let expected = Self.expectedKinds.first { line.contains($0.0) }?.1 ?? .tuyaLine
        #expect(event.kind == expected)
        #expect(event.origin == "rriot_tuya")
        #expect(event.deviceTime == String(line.dropFirst().prefix(14)))
        #expect(line.hasSuffix(event.message) || line.trimmingCharacters(in: .whitespaces).hasSuffix(event.message))
        #expect(event.fields["parse_error"] == nil)
    }

    @Test("a Post URL gives api, devId, et, t, v, sign, host and path, and places itself by its t")
    func postURL() throws {
        let line = "[07-09 20:51:49 TUYA Debug][iot_httpc.c:894] Post URL: https://a2.tuyaeu.com/d.json?a=tuya.device.timer.count&devId=bf7e9b4aacf4f733d8o3zz&et=1&t=1657363909&v=4.0&sign=04f90848341607585ff064f82437c91c\n"
        let event = try #require(try LogFixture.events(line).first)
        #expect(event.fields["api"] == .string("tuya.device.timer.count"))
        #expect(event.fields["devId"] == .string("bf7e9b4aacf4f733d8o3zz"))
        #expect(event.fields["et"] == .integer(1))
        #expect(event.fields["t"] == .integer(1_657_363_909))
        #expect(event.fields["v"] == .string("4.0"))
        #expect(event.fields["sign"] == .string("04f90848341607585ff064f82437c91c"))
        #expect(event.fields["host"] == .string("a2.tuyaeu.com"))
        #expect(event.fields["path"] == .string("/d.json"))
        #expect(event.fields["t_skew_s"] == .integer(0))
        #expect(event.time == 1_657_363_909_000_000_000)
        #expect(event.timeBasis == .logEpoch)
    }

    @Test("connect, TLS, response, schema and device info lines carry their fields")
    func typedFields() throws {
        let log = """
            [07-09 20:51:49 TUYA Debug][httpc.c:742] Connect: a2.tuyaeu.com Port: 443  -->>
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:932] TUYA_TLS Success Connect a2.tuyaeu.com:443  CustomNet:TRUE Suit:TLS-ECDHE-RSA-WITH-AES-128-CBC-SHA256
            [07-09 20:51:51 TUYA Debug][iot_httpc.c:660] Decode Rev:{"result":{"devId":"bf7e9b4aacf4f733d8o3zz","count":0,"lastFetchTime":0},"t":1657363911,"success":true}\t\t\t\t\t\t\t\t\t
            [07-09 20:51:51 TUYA Debug][tuya_tls.c:1015] TUYA_TLS Disconnect Success
            [01-01 18:12:15 TUYA Debug][gw_intf.c:2910] dev bf7e9b4aacf4f733d8o3zz bind schema [{"mode":"rw","property":{"type":"bool"},"id":2,"type":"obj"},{"mode":"rw","property":{"range":["auto","samrt","super","manual"],"type":"enum"},"id":5,"type":"obj"},{"mode":"ro","property":{"min":0,"max":100,"scale":0,"step":1,"type":"value"},"id":12,"type":"obj"},{"mode":"rw","id":101,"type":"raw"}]
            [01-01 18:12:15 TUYA Debug][tuya_ws_db.c:320] read buf:{"abi":0,"id":"bf7e9b4aacf4f733d8o3zz","swv":"02.29.02","bv":"30.04","pv":"2.2","lpv":"3.3","pk":"mjae49buaskri74f","firmk":null}

            """
        let events = try LogFixture.events(log)
        #expect(events.map(\.kind) == [.tuyaConnect, .tuyaTLS, .tuyaResponse, .tuyaTLS, .tuyaBindSchema, .tuyaDeviceInfo])
        #expect(events[0].fields["host"] == .string("a2.tuyaeu.com"))
        #expect(events[0].fields["port"] == .integer(443))
        #expect(events[0].fields["phase"] == .string("begin"))
        #expect(events[1].fields["stage"] == .string("success"))
        #expect(events[1].fields["cipher_suite"] == .string("TLS-ECDHE-RSA-WITH-AES-128-CBC-SHA256"))
        #expect(events[2].fields["success"] == .bool(true))
        #expect(events[2].fields["t"] == .integer(1_657_363_911))
        #expect(!events[2].message.hasSuffix("\t"))
        #expect(events[3].fields["stage"] == .string("disconnect"))
        #expect(events[4].fields["devId"] == .string("bf7e9b4aacf4f733d8o3zz"))
        #expect(events[4].fields["dp_count"] == .integer(4))
        #expect(events[4].fields["dp.2.type"] == .string("bool"))
        #expect(events[4].fields["dp.5.range"] == .string("auto|samrt|super|manual"))
        #expect(events[4].fields["dp.12.mode"] == .string("ro"))
        #expect(events[4].fields["dp.12.max"] == .integer(100))
        #expect(events[4].fields["dp.101.type"] == .string("raw"))
        #expect(events[4].timeBasis == .logUnsynced)
        #expect(events[5].fields["swv"] == .string("02.29.02"))
        #expect(events[5].fields["pk"] == .string("mjae49buaskri74f"))
        #expect(events[5].fields["lpv"] == .string("3.3"))
        #expect(events[5].fields["firmk"] == nil)
    }

    @Test("TLS and connect lines give their host and port however the words fall: no port, a sign, a colon in the host, non-ASCII, a trailing dot")
    func tlsAndConnectEdges() throws {
        let log = """
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:792] TUYA_TLS Begin Connect hé.example.com:8883  CustomNet:TRUE
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:792] TUYA_TLS Begin Connect m2.tuyaeu.com  CustomNet:TRUE
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:792] TUYA_TLS Begin Connect [::1]:+443
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:792] TUYA_TLS Begin Connect host:abc
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:932] TUYA_TLS Success Connect a.b:1 Suit:
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:920] handshake finish for a2.tuyaeu.com. set send/recv to user set
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:920] handshake finish for é. x
            [07-09 20:51:50 TUYA Debug][tuya_tls.c:920] handshake finish for
            [07-09 20:51:50 TUYA Debug][httpc.c:742] Connect: a2.tuyaeu.com Ports: 443  -->>
            [07-09 20:51:50 TUYA Debug][httpc.c:742] Connect: ü.example Port: 99999999999999999999  --<<
            [07-09 20:51:50 TUYA Debug][httpc.c:742] Connect:   spaced.example   Port:   -7  -->>

            """
        let fields = try LogFixture.events(log).map { event in
            Dictionary(uniqueKeysWithValues: event.fields.filter { $0.key != "level" && $0.key != "src" }.map { ($0.key, $0.value) })
        }
        let expected: [[String: FieldValue]] = [
            ["stage": .string("begin"), "host": .string("hé.example.com"), "port": .integer(8883)],
            ["stage": .string("begin"), "host": .string("m2.tuyaeu.com")],
            ["stage": .string("begin"), "host": .string("[::1]"), "port": .integer(443)],
            ["stage": .string("begin"), "host": .string("host:abc")],
            ["stage": .string("success"), "host": .string("a.b"), "port": .integer(1), "cipher_suite": .string("")],
            ["stage": .string("handshake_finish"), "host": .string("a2.tuyaeu.com")],
            ["stage": .string("handshake_finish"), "host": .string("é")],
            [:],
            ["host": .string("a2.tuyaeu.com"), "phase": .string("begin")],
            ["host": .string("ü.example"), "phase": .string("end")],
            ["host": .string("spaced.example"), "port": .integer(-7), "phase": .string("begin")],
        ]
        #expect(fields == expected)
    }

    @Test("MQTT settings and JSON-RPC lines are typed")
    func mqttAndRPC() throws {
        let log = """
            [01-01 18:12:16 TUYA Debug][mqc_app.c:1001] mqtt broker: ms.tuyaeu.com port: 8883
            [01-01 18:12:17 TUYA Debug][mqc_app.c:1009] mqtt client id:bf7e9b4aacf4f733d8o3zz user name:2.2_bf7e9b4aacf4f733d8o3zz_0 passwd:3a101756342b75e8
            [01-01 18:12:17 TUYA Debug][mqc_app.c:1015] mqtt topic in:smart/device/in/bf7e9b4aacf4f733d8o3zz out:smart/device/out/bf7e9b4aacf4f733d8o3zz
            [07-10 02:31:41 TUYA Notice][mqc_app.c:1127] MQTT connect success
            [07-10 03:00:05 TUYA Debug][rr_cloud.c:724] rr_down_stream_msg_handler##724: {"id":363,"method":"set_fds_endpoint","params":["awsde0.fds.api.xiaomi.com"]}
            [07-10 03:00:06 TUYA Debug][rr_cloud.c:724] rr_down_stream_msg_handler##724: {"id":1437,"method":"app_rc_move","params":[{"duration":1500,"omega":0,"seqnum":133,"velocity":-0.29}]}

            """
        let events = try LogFixture.events(log, tuyaKey: "7c4f9e1a2b3d5e6f")
        #expect(events.map(\.kind) == [.tuyaMQTT, .tuyaMQTT, .tuyaMQTT, .tuyaMQTT, .tuyaRPC, .tuyaRPC])
        #expect(events[0].fields["broker_host"] == .string("ms.tuyaeu.com"))
        #expect(events[0].fields["broker_port"] == .integer(8883))
        #expect(events[1].fields["client_id"] == .string("bf7e9b4aacf4f733d8o3zz"))
        #expect(events[1].fields["passwd"] == .string("3a101756342b75e8"))
        #expect(events[1].fields["passwd_ok"] == .bool(true))
        #expect(events[2].fields["topic_in"] == .string("smart/device/in/bf7e9b4aacf4f733d8o3zz"))
        #expect(events[3].fields["state"] == .string("connected"))
        #expect(events[4].fields["rpc_id"] == .integer(363))
        #expect(events[4].fields["method"] == .string("set_fds_endpoint"))
        #expect(events[4].fields["params"] == .string("[\"awsde0.fds.api.xiaomi.com\"]"))
        #expect(events[5].fields["params"] == .string("[{\"duration\":1500,\"omega\":0,\"seqnum\":133,\"velocity\":-0.29}]"))
    }

    @Test("every level is recognised", arguments: ["Err", "Warn", "Notice", "Info", "Debug", "Trace"])
    func levels(_ level: String) throws {
        let event = try #require(try LogFixture.events("[07-09 20:51:49 TUYA \(level)][a.c:1] hello\n").first)
        #expect(event.fields["level"] == .string(level))
        #expect(event.message == "hello")
    }

    @Test("variants from the field: milliseconds, '--', ANSI colours, CRLF, a prefix mid-line, tabs",
          arguments: [
              ("[01-01 18:12:15:692 TUYA Debug][a.c:1] hello\n", "01-01 18:12:15:692"),
              ("[01-01 18:12:15:5 TUYA Debug][a.c:1] hello\n", "01-01 18:12:15:5"),
              ("[07-09 20:51:49 -- TUYA Debug][a.c:1] hello\n", "07-09 20:51:49"),
              ("[07-09 20:51:49--TUYA Debug][a.c:1] hello\n", "07-09 20:51:49"),
              ("\u{1B}[0;32m[07-09 20:51:49 TUYA Debug][a.c:1] hello\u{1B}[0m\n", "07-09 20:51:49"),
              ("[07-09 20:51:49 TUYA Debug][a.c:1] hello\r\n", "07-09 20:51:49"),
              ("bk_rst:0 tuya_rst:0[07-09 20:51:49 TUYA Debug][a.c:1] hello\n", "07-09 20:51:49"),
              ("[07-09 20:51:49 TUYA Debug][a.c:1] hello\t\t\t\n", "07-09 20:51:49"),
          ])
    func variants(_ line: String, _ deviceTime: String) throws {
        let events = try LogFixture.events(line)
        #expect(events.count == 1)
        #expect(events.first?.message == "hello")
        #expect(events.first?.deviceTime == deviceTime)
    }

    @Test("a stamp out of shape or out of range is no prefix: the line continues the event before it",
          arguments: [
              "[13-09 20:51:49 TUYA Debug][a.c:1] month 13", "[00-09 20:51:49 TUYA Debug][a.c:1] month 0",
              "[07-32 20:51:49 TUYA Debug][a.c:1] day 32", "[07-09 24:51:49 TUYA Debug][a.c:1] hour 24",
              "[07-09 20:60:49 TUYA Debug][a.c:1] minute 60", "[07-09 20:51:61 TUYA Debug][a.c:1] second 61",
              "[07-09 2O:51:49 TUYA Debug][a.c:1] a letter", "[07/09 20:51:49 TUYA Debug][a.c:1] a slash",
              "[07-09 20:51:4", "[07-09 20:51:49 TUYB Debug][a.c:1] not TUYA", "[07-09 20:51:49: TUYA Debug][a.c:1] no milliseconds",
          ])
    func malformedStamp(_ line: String) throws {
        let events = try LogFixture.events("[07-09 20:51:48 TUYA Debug][a.c:1] before\n" + line + "\n")
        #expect(events.count == 1)
        #expect(events.first?.message == "before\n" + line)
    }

    @Test("a second of 60 (a leap second) is a prefix")
    func leapSecond() throws {
        #expect(try LogFixture.events("[12-31 23:59:60 TUYA Debug][a.c:1] leap\n").first?.deviceTime == "12-31 23:59:60")
    }

    @Test("Post URLs of other shapes: no scheme, a port, no query, empty and valueless pairs, text beyond ASCII",
          arguments: [
              ("a2.tuyaeu.com/d.json?a=x&t=5", [("host", FieldValue.string("a2.tuyaeu.com")), ("path", .string("/d.json")),
                                                ("api", .string("x")), ("t", .integer(5))]),
              ("http://10.0.0.1:8080/d.json?a=x", [("scheme", .string("http")), ("host", .string("10.0.0.1")), ("port", .integer(8080)),
                                                  ("path", .string("/d.json"))]),
              ("https://h.example:x/p", [("host", .string("h.example:x")), ("path", .string("/p"))]),
              ("https://h.example", [("host", .string("h.example")), ("path", .string(""))]),
              ("https://h.example?&&a&b=&t=x", [("path", .string("")), ("api", .string("")), ("b", .string("")), ("t", .string("x"))]),
              ("https://hôte.example/d.json?név=é", [("host", .string("hôte.example")), ("név", .string("é"))]),
          ] as [(String, [(String, FieldValue)])])
    func postURLShapes(_ url: String, _ expected: [(String, FieldValue)]) throws {
        let event = try #require(try LogFixture.events("[07-09 20:51:49 TUYA Debug][iot_httpc.c:894] Post URL: \(url)\n").first)
        #expect(event.kind == .tuyaPostURL)
        #expect(event.fields["url"] == .string(url))
        for (key, value) in expected {
            #expect(event.fields[key] == value, "\(key) of \(url)")
        }
    }

    @Test("foreign output before a prefix is kept apart from the message")
    func foreignOutput() throws {
        let event = try #require(try LogFixture.events("bk_rst:0 tuya_rst:0[01-01 18:12:15 TUYA Notice][a.c:1] init\n").first)
        #expect(event.fields["foreign_output"] == .string("bk_rst:0 tuya_rst:0"))
        #expect(event.message == "init")
    }

    @Test("milliseconds reach the event's time")
    func millisecondsInTime() throws {
        let log = "[07-09 20:51:49:692 TUYA Debug][a.c:1] before\n[07-09 20:51:49 TUYA Debug][iot_httpc.c:883] Post Data: {\"t\":1657363909}\n"
        let events = try LogFixture.events(log)
        #expect(events[0].time == 1_657_363_909_692_000_000)
        #expect(events[0].timeBasis == .logClock)
    }

    @Test("unprefixed lines continue the event before them; lines before any prefix form one event")
    func continuationLines() throws {
        let log = "orphan one\norphan two\n[07-09 20:51:49 TUYA Debug][a.c:1] first\n  wrapped text\n\n[07-09 20:51:50 TUYA Debug][a.c:2] second\n"
        let events = try LogFixture.events(log)
        #expect(events.map(\.message) == ["orphan one\norphan two", "first\n  wrapped text", "second"])
        #expect(events.map(\.line) == [1, 3, 6])
        #expect(events[0].deviceTime == nil)
    }

    @Test("broken JSON keeps the text and says why in parse_error")
    func brokenJSON() throws {
        let event = try #require(try LogFixture.events("[07-09 20:51:49 TUYA Debug][iot_httpc.c:883] Post Data: {\"devId\":\"bf7e\",\"t\":16573\n").first)
        #expect(event.kind == .tuyaPostData)
        #expect(event.message == "Post Data: {\"devId\":\"bf7e\",\"t\":16573")
        guard case .string(let reason)? = event.fields["parse_error"] else {
            Issue.record("no parse_error")
            return
        }
        #expect(reason.contains("JSON"))
    }

    @Test("the zone and year come from an epoch in the source; lines before it wait for it")
    func zoneFromEpoch() throws {
        let log = """
            [07-10 02:31:40 TUYA Debug][mqc_app.c:1043] mqtt connect to ms.tuyaeu.com:8883
            [07-10 02:31:44 TUYA Debug][iot_httpc.c:894] Post URL: https://a2.tuyaeu.com/d.json?a=x&devId=y&et=1&t=1657384304&v=4.0&sign=0

            """
        let events = try LogFixture.events(log)
        #expect(events.map(\.time) == [1_657_384_300_000_000_000, 1_657_384_304_000_000_000])
        #expect(events.map(\.timeBasis) == [.logClock, .logEpoch])
    }

    @Test("a cloud response is placed by its line's clock, not by its t, which is the cloud's; its t still gives the zone and year and its gap from the line")
    func responseStampIsTheCloudsClock() throws {
        let log = """
            [07-10 02:31:40 TUYA Debug][mqc_app.c:1043] mqtt connect to ms.tuyaeu.com:8883
            [07-10 02:31:45 TUYA Debug][iot_httpc.c:660] Decode Rev:{"t":1657384302,"success":true}\t\t\t\t\t\t\t\t\t

            """
        let events = try LogFixture.events(log)
        #expect(events.map(\.time) == [1_657_384_300_000_000_000, 1_657_384_305_000_000_000])
        #expect(events.map(\.timeBasis) == [.logClock, .logClock])
        #expect(events[1].fields["t"] == .integer(1_657_384_302))
        #expect(events[1].fields["t_skew_s"] == .integer(-3))
    }

    @Test("the 01-01 clock before time sync is never a date in January: placed back from the clock step, else log_unsynced")
    func presyncPlacement() throws {
        let log = """
            [01-01 18:12:13 TUYA Debug][a.c:1] booting
            [01-01 18:12:15 TUYA Debug][a.c:1] waiting for time sync
            [07-10 02:31:44 TUYA Debug][iot_httpc.c:894] Post URL: https://a2.tuyaeu.com/d.json?a=x&devId=y&et=1&t=1657384304&v=4.0&sign=0
            [01-01 18:12:20 TUYA Debug][a.c:1] rebooted

            """
        let events = try LogFixture.events(log)
        #expect(events.map(\.timeBasis) == [.logClock, .logClock, .logEpoch, .logUnsynced])
        // Two seconds before the last pre-sync line, which is taken to be at the step.
        #expect(events[0].time == 1_657_384_302_000_000_000)
        #expect(events[1].time == 1_657_384_304_000_000_000)
        #expect(events[0].fields["placed_from"] == .string("clock step"))
        #expect(events[3].time == nil)
        #expect(events.allSatisfy { $0.deviceTime != nil })
    }

    @Test("a source with no epoch leaves time empty but keeps device_time")
    func noEpoch() throws {
        let event = try #require(try LogFixture.events("[07-09 20:51:49 TUYA Debug][a.c:1] hello\n").first)
        #expect(event.time == nil)
        #expect(event.timeBasis == .unknown)
        #expect(event.deviceTime == "07-09 20:51:49")
    }

    @Test("without a key, each Post URL reports how far its t is from the line's own clock")
    func skewWithoutKey() throws {
        let log = """
            [07-10 02:31:44 TUYA Debug][iot_httpc.c:894] Post URL: https://a2.tuyaeu.com/d.json?a=x&devId=y&et=1&t=1657384304&v=4.0&sign=0
            [07-10 02:56:43 TUYA Debug][iot_httpc.c:894] Post URL: https://a2.tuyaeu.com/d.json?a=x&devId=y&et=1&t=1657385806&v=4.0&sign=0

            """
        let events = try LogFixture.events(log)
        #expect(events.map { $0.fields["t_skew_s"] } == [.integer(0), .integer(3)])
    }
}

@Suite("assumed clocks for logs without epochs")
struct AssumedClockTests {
    static let line = "[07-09 20:51:49 TUYA Debug][a.c:1] no epoch here\n"

    static func run(_ inputs: [String], zone: Int64?, year: Int64?) -> [Event] {
        var request = GrepRequest(inputs: inputs)
        (request.assumedZone, request.assumedYear) = (zone, year)
        let sink = CollectingSink()
        _ = Grep.run(request, sink: sink)
        return sink.events
    }

    @Test("without --tz nothing is guessed; with --tz and --year the line is placed")
    func userZoneAndYear() throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending("tuya.log")
        try Data(Self.line.utf8).write(to: URL(fileURLWithPath: path))
        #expect(Self.run([path], zone: nil, year: 2022).first?.timeBasis == .unknown)
        #expect(Self.run([path], zone: 36_000, year: nil).first?.timeBasis == .unknown, "no year from anywhere")
        let placed = try #require(Self.run([path], zone: 36_000, year: 2022).first)
        #expect(placed.time == 1_657_363_909_000_000_000)
        #expect(placed.timeBasis == .logClock)
    }

    @Test("the year comes from the archive member's mtime, then the bundle name, before --year")
    func yearFromContext() throws {
        let scratch = try ScratchFolder()
        let bundle = scratch.appending("000137.20220710033500000_R0018S91200123_v01.15.58.tar")
        try TestArchive.write([.file("rrlog/tuya.log", Array(Self.line.utf8))], as: .tar, to: bundle)
        // TestArchive stamps members 2022-07-09 (1657384304): the member's mtime wins over --year.
        #expect(Self.run([bundle], zone: 36_000, year: 1999).first?.time == 1_657_363_909_000_000_000)
        let folder = scratch.appending("000412.20230911033500000_R0018S91200123_v02.29.02")
        _ = try makeFolder(folder)
        try Data(Self.line.utf8).write(to: URL(fileURLWithPath: folder + "/tuya.log"))
        // A plain file's mtime says when it was copied, not written: the bundle name gives 2023.
        let fromName = try #require(Self.run([folder], zone: 36_000, year: 1999).first?.time)
        #expect(UTCDateTime.iso8601(nanoseconds: fromName) == "2023-07-09T10:51:49Z")
    }

    @Test("a plain log with no epoch takes its year from the captures read with it, before --year, and the clock says so")
    func yearFromCapture() throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending("tuya.log")
        try Data(Self.line.utf8).write(to: URL(fileURLWithPath: path))
        // The sample capture starts on 2022-07-09 (UTC).
        let capture = try #require(TestPaths.sampleFiles(endingWith: ".pcapng.gz").first { $0.contains("v01.15.58") })
        var request = CorrelateRequest(logs: [path], captures: [capture])
        (request.assumedZone, request.assumedYear) = (36_000, 1999)
        let clock = try #require(try Correlate.run(request).correlation.sources.first { $0.source == path })
        #expect(clock.year == 2022)
        #expect(clock.yearSource == "capture dates")
        request.captures = []
        let assumed = try #require(try Correlate.run(request).correlation.sources.first { $0.source == path })
        #expect(assumed.year == 1999)
        #expect(assumed.yearSource == "--year")
    }
}
