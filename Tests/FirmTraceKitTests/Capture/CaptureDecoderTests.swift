import Foundation
import Testing
@testable import FirmTraceKit

/// Fixtures/tshark-decoders.tsv, made by Scripts/make-decoder-expectations with tshark 4.0.
struct TsharkDecoding: CustomTestStringConvertible, Sendable {
    let file: String
    let field: String
    /// (frame, value) pairs in frame order.
    let values: [String]

    var testDescription: String { "\(file): \(field)" }

    static let all: [TsharkDecoding] = {
        var groups: [String: [String]] = [:]
        var order: [String] = []
        for columns in Fixtures.rows("tshark-decoders.tsv", columns: 4) {
            let key = columns[0] + "\t" + columns[2]
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append("\(columns[1]) \(columns[3])")
        }
        return order.map { key in
            let parts = key.split(separator: "\t").map(String.init)
            return TsharkDecoding(file: parts[0], field: parts[1], values: groups[key]!)
        }
    }()

    var path: String { TestPaths.capture(file) }
}

@Suite("capture decoders against tshark and tinytuya")
struct CaptureDecoderTests {
    static func events(_ path: String, kinds: [String]) -> [Event] {
        let sink = CollectingSink()
        _ = Grep.run(GrepRequest(inputs: [path], query: EventQuery(kindPatterns: kinds)), sink: sink)
        return sink.events
    }

    @Test("DNS names, TLS server names and DHCP hostnames are what tshark decodes", arguments: TsharkDecoding.all)
    func sameAsTshark(_ expected: TsharkDecoding) {
        let values: [String]
        switch expected.field {
        case "dns.qry.name":
            values = Self.events(expected.path, kinds: ["net.dns_query", "net.dns_answer"]).map { "\($0.frame!) \($0.fields["name"]!)" }
        case "tls.handshake.extensions_server_name":
            values = Self.events(expected.path, kinds: ["net.tls_client_hello"]).map { "\($0.frame!) \($0.fields["sni"]?.description ?? "")" }
        default:
            values = Self.events(expected.path, kinds: ["net.dhcp"]).map { "\($0.frame!) \($0.fields["hostname"]?.description ?? "")" }
        }
        #expect(values == expected.values)
    }

    @Test("Tuya discovery broadcasts decrypt to what tinytuya reads", arguments: TestPaths.sampleFiles(endingWith: ".pcapng.gz"))
    func tuyaDiscoveryMatchesTinytuya(_ capture: String) throws {
        let python = TestPaths.projectRoot.appendingPathComponent(".venv/bin/python").path
        let oracle = try Subprocess.run(python, [TestPaths.projectRoot.appendingPathComponent("Scripts/tuya-discovery-oracle.py").path, capture])
        #expect(oracle.status == 0, "\(oracle.error)")
        let expected = oracle.output.split(separator: "\n").map(String.init)
        let ours = Self.events(capture, kinds: ["net.tuya_discovery"]).map { event -> String in
            let keys = ["ablilty", "active", "encrypt", "gwId", "ip", "productKey", "version"]
            let members = keys.compactMap { key -> String? in
                guard let value = event.fields[key] else { return nil }
                let json: String = switch value {
                case .string(let text): JSONText.quoted(text)
                case .integer(let number): String(number)
                case .bool(let truth): truth ? "true" : "false"
                }
                return "\(JSONText.quoted(key)): \(json)"
            }
            return "\(event.frame!)\t{" + members.joined(separator: ", ") + "}"
        }
        #expect(ours.count > 600)
        #expect(ours == expected)
    }

    @Test("every capture in the corpus goes through every decoder without a crash or a hang", .timeLimit(.minutes(2)))
    func corpusSweep() {
        let outcome = Grep.run(GrepRequest(inputs: [TestPaths.corpus.path], query: EventQuery(kindPatterns: ["net.*"]), countOnly: true),
                               sink: nil)
        #expect(outcome.matched > 3000)
    }

    @Test("a DNS name whose compression pointer loops is refused, not followed forever")
    func dnsPointerLoop() {
        // Header, then a question whose name is a pointer to itself.
        let message: [UInt8] = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        #expect(message.withUnsafeBytes { DNSMessage.parse($0) } == nil)
    }

    /// A query for the name made of `labels`, each that many letters.
    static func query(labels: [Int]) -> [UInt8] {
        var message: [UInt8] = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for (index, size) in labels.enumerated() {
            message.append(UInt8(size))
            message += Array(repeating: UInt8(ascii: "a") + UInt8(index), count: size)
        }
        return message + [0, 0, 1, 0, 1]
    }

    @Test("a DNS name of 255 characters is read whole; one label more is refused")
    func dnsNameLength() throws {
        let longest = try #require(Self.query(labels: [63, 63, 63, 63]).withUnsafeBytes { DNSMessage.parse($0) })
        let name = try #require(longest.questions.first?.name)
        #expect(name.utf8.count == 255)
        #expect(name.split(separator: ".").map(\.count) == [63, 63, 63, 63])
        #expect(Self.query(labels: [63, 63, 63, 63, 1]).withUnsafeBytes { DNSMessage.parse($0) } == nil)
    }

    @Test("an answer's CNAME may point back into the question: the name is followed, the answer kept")
    func dnsCompressedAnswer() throws {
        // Response: question example.com A; answer: name → question (pointer 12), CNAME whose data is "www" + pointer 12.
        var message: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
        message += [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]
        message += [0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3] + Array("www".utf8) + [0xC0, 12]
        let parsed = try #require(message.withUnsafeBytes { DNSMessage.parse($0) })
        #expect(parsed.questions.first?.name == "example.com")
        #expect(parsed.answers.map(\.type) == [5])
        #expect(parsed.answers.first?.data == "www.example.com")
        #expect(parsed.answers.first?.ttl == 60)
    }

    @Test("an HTTP request gives its method, path, and Host and User-Agent in any case, trimmed", arguments: [
        ("GET /gslb?tver=2 HTTP/1.1\r\nhOsT:  ot.io.mi.com \r\nUser-Agent: MIIO\r\n\r\n", "GET", "/gslb?tver=2", "ot.io.mi.com", "MIIO"),
        ("POST /d.json HTTP/1.0\r\nHostname: not-a-host\r\nHOST:a2.tuyaeu.com\r\n\r\nbody", "POST", "/d.json", "a2.tuyaeu.com", nil),
        ("GET /\u{e9} HTTP/1.1\r\n\r\n", "GET", "/\u{e9}", nil, nil),
        // Unicode's spaces are trimmed too, not only ASCII's; other letters at the ends are kept.
        ("GET / HTTP/1.1\r\nHost:\t\u{a0}a2.tuyaeu.com\u{3000} \r\nUser-Agent: \t \r\n\r\n", "GET", "/", "a2.tuyaeu.com", ""),
        ("GET / HTTP/1.1\r\nHost: caf\u{e9}\r\nUser-Agent: \u{e9}x \r\n\r\n", "GET", "/", "caf\u{e9}", "\u{e9}x"),
    ] as [(String, String, String, String?, String?)])
    func httpRequest(_ text: String, _ method: String, _ path: String, _ host: String?, _ userAgent: String?) throws {
        let request = try #require(Array(text.utf8).withUnsafeBytes { HTTPRequest.parse($0) })
        #expect(request.method == method)
        #expect(request.path == path)
        #expect(request.host == host)
        #expect(request.userAgent == userAgent)
    }

    @Test("bytes that are not a request line are no HTTP request; invalid bytes in a path are escaped")
    func httpNotARequest() {
        for text in ["GET / HTTP/1.1\nHost: a\n\n", "GET /\r\n\r\n", "FETCH / HTTP/1.1\r\n\r\n", "GET HTTP/1.1\r\n"] {
            #expect(Array(text.utf8).withUnsafeBytes { HTTPRequest.parse($0) } == nil, "\(text.debugDescription)")
        }
        let bytes = Array("GET /a".utf8) + [0xFF] + Array(" HTTP/1.1\r\n\r\n".utf8)
        #expect(bytes.withUnsafeBytes { HTTPRequest.parse($0) }?.path == "/a\\xFF")
    }

    @Test("a ClientHello split over TCP segments is reassembled and reported on the frame that completes it")
    func splitClientHello() throws {
        // Made by Scripts/make-test-fixtures.py: one ClientHello in three segments, frames 1 to 3.
        let events = Self.events(Fixtures.path("tls-client-hello-split.pcap"), kinds: ["net.tls_client_hello"])
        #expect(events.map { $0.fields["sni"] } == [.string("split.example.com")])
        #expect(events.map(\.frame) == [3])
        #expect(events.first?.fields["first_frame"] == .integer(1))
    }
}

@Suite("MQTT and miIO decoding")
struct MQTTAndMiioTests {
    @Test("MQTT CONNECT and PUBLISH give the client id and topic tshark shows")
    func mqttAgainstTshark() throws {
        let capture = TestPaths.corpus.appendingPathComponent("iot/mqtt5-publish-qos1.pcap").path
        let tshark = try Subprocess.run("tshark", ["-r", capture, "-Y", "mqtt.msgtype == 1 || mqtt.msgtype == 3", "-T", "fields",
                                                   "-e", "frame.number", "-e", "mqtt.clientid", "-e", "mqtt.topic"])
        let expected = tshark.output.split(separator: "\n").map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).filter { !$0.isEmpty }.joined(separator: " ")
        }
        let ours = CaptureDecoderTests.events(capture, kinds: ["net.mqtt"]).map { event in
            ["\(event.frame!)", event.fields["client_id"]?.description, event.fields["topic"]?.description].compactMap { $0 }.joined(separator: " ")
        }
        #expect(!ours.isEmpty)
        #expect(ours == expected)
    }

    @Test("a miIO payload decrypts with the device token to what openssl encrypted")
    func miioDecryption() throws {
        let scratch = try ScratchFolder()
        let token = (0 ..< 16).map { UInt8($0 * 7 + 3) }
        let tokenHex = token.map { String(format: "%02x", $0) }.joined()
        // The key and IV as the miIO protocol defines them, computed by Python's hashlib.
        let derived = try Subprocess.run("python3", ["-c", """
            import hashlib, sys
            token = bytes.fromhex(sys.argv[1]); key = hashlib.md5(token).digest()
            print(key.hex(), hashlib.md5(key + token).hexdigest())
            """, tokenHex]).output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let (key, iv) = (derived[0], derived[1])
        let plain = "{\"id\":1,\"method\":\"miIO.info\",\"params\":[]}"
        try Data(plain.utf8).write(to: URL(fileURLWithPath: scratch.appending("plain")))
        let encrypted = try Subprocess.run("openssl", ["enc", "-aes-128-cbc", "-K", key, "-iv", iv, "-in", scratch.appending("plain"),
                                                       "-out", scratch.appending("cipher")])
        #expect(encrypted.status == 0, "\(encrypted.error) token \(tokenHex)")
        let cipher = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.appending("cipher"))))
        var packet: [UInt8] = [0x21, 0x31, UInt8((32 + cipher.count) >> 8), UInt8((32 + cipher.count) & 0xFF), 0, 0, 0, 0,
                               0x13, 0x32, 0x65, 0xE1, 0, 0, 0x01, 0xF7]
        packet += [UInt8](repeating: 0xAB, count: 16) + cipher
        let decoded = try #require(packet.withUnsafeBytes { MiioPacket.parse($0) })
        #expect(decoded.deviceID == 0x133265E1)
        #expect(decoded.stamp == 503)
        #expect(packet.withUnsafeBytes { decoded.decrypt($0, token: token) } == plain)
    }
}

@Suite("captures under random damage")
struct CaptureMutationTests {
    static let seeds = ["iot/tplink-hs110-setup.pcap", "iot/roborock-device-pair.pcapng", "iot/linux-sll2.pcap",
                        "pcapng-conformance/be/difficult/test202.pcapng", "iot/mqtt5-publish-qos1.pcap"]

    @Test("flipped, cut and duplicated bytes never crash the reader or any decoder", .timeLimit(.minutes(2)), arguments: seeds)
    func mutations(_ name: String) throws {
        let original = [UInt8](try Data(contentsOf: TestPaths.corpus.appendingPathComponent(name)))
        var generator = SeededGenerator(seed: UInt64(original.count))
        let scratch = try ScratchFolder()
        for round in 0 ..< 60 {
            var bytes = original
            for _ in 0 ..< Int.random(in: 1 ... 12, using: &generator) {
                let position = Int.random(in: 0 ..< bytes.count, using: &generator)
                switch Int.random(in: 0 ..< 4, using: &generator) {
                case 0: bytes[position] = UInt8.random(in: 0 ... 255, using: &generator)
                case 1: bytes[position] ^= 0x80
                case 2: bytes.insert(contentsOf: bytes[position ..< min(bytes.count, position + 64)], at: position)
                default: bytes.removeSubrange(position ..< min(bytes.count, position + 16))
                }
            }
            if round % 5 == 0 { bytes = Array(bytes.prefix(Int.random(in: 0 ... bytes.count, using: &generator))) }
            let path = scratch.appending("mutant-\(round).pcap")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            _ = Grep.run(GrepRequest(inputs: [path], query: EventQuery(kindPatterns: ["net.*"]), countOnly: true), sink: nil)
            _ = try CaptureFilter.run(CaptureFilterRequest(inputs: [path], expression: "ip.addr == 10.0.0.0/8 || tcp.port == 443 || stp",
                                                           output: scratch.appending("out-\(round).pcapng")))
        }
    }
}

@Suite("flow tracking under a flood of conversations")
struct FlowBoundTests {
    /// A raw IPv4 UDP datagram from 10.0.0.1:`port` to 10.0.0.2:53.
    static func datagram(sourcePort port: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        bytes += [UInt8(port >> 8), UInt8(port & 0xFF), 0, 53, 0, 8, 0, 0]
        return bytes
    }

    @Test("past the bound, tracked conversations are summarised early: none is lost, memory stays flat")
    func earlySummaries() {
        let decoder = CaptureEventDecoder(source: "flood.pcap", wantsKind: { $0 == .netFlow }, maxFlows: 2)
        var flows: [Event] = []
        for (index, port) in [UInt16(1000), 1001, 1002, 1003, 1004].enumerated() {
            let bytes = Self.datagram(sourcePort: port)
            bytes.withUnsafeBytes { data in
                let packet = CapturedPacket(data: data, originalLength: data.count, timestamp: Int64(index) * 1_000_000_000,
                                            linkType: .raw, frame: index + 1, interface: 0, offset: 0)
                #expect(decoder.decode(packet) { flows.append($0); return true })
            }
        }
        decoder.finish { flows.append($0); return true }
        #expect(flows.count == 5)
        #expect(flows.map { $0.fields["src_port"] } == [1000, 1001, 1002, 1003, 1004].map { FieldValue.integer($0) })
    }

    @Test("a conversation whose packets are stamped too far apart for one number has no duration, and no crash",
          arguments: [(Int64.min, Int64.max), (Int64.max, Int64.min), (-1, Int64.max), (0, 2_000_000_000)] as [(Int64, Int64)])
    func durationOutOfRange(first: Int64, last: Int64) {
        let decoder = CaptureEventDecoder(source: "stamps.pcap", wantsKind: { $0 == .netFlow })
        var flows: [Event] = []
        for (index, time) in [first, last].enumerated() {
            Self.datagram(sourcePort: 1000).withUnsafeBytes { data in
                let packet = CapturedPacket(data: data, originalLength: data.count, timestamp: time,
                                            linkType: .raw, frame: index + 1, interface: 0, offset: 0)
                #expect(decoder.decode(packet) { flows.append($0); return true })
            }
        }
        decoder.finish { flows.append($0); return true }
        #expect(flows.count == 1)
        #expect(flows.first?.fields["packets"] == .integer(2))
        let (span, overflow) = last.subtractingReportingOverflow(first)
        #expect(flows.first?.fields["duration_ms"] == (overflow ? nil : .integer(span / 1_000_000)))
    }
}
