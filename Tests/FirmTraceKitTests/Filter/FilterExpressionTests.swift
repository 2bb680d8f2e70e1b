import Testing
@testable import FirmTraceKit

/// A subject with fixed values, several per field where Wireshark would have several.
struct FixedSubject: FilterSubject {
    let fields: [String: [FieldValue]]
    func values(of field: String) -> [FieldValue] { fields[field] ?? [] }
}

@Suite("filter expressions")
struct FilterExpressionTests {
    static let subject = FixedSubject(fields: [
        "host": [.string("a2.tuyaeu.com")], "port": [.integer(443)], "success": [.bool(true)],
        "ip.addr": [.string("10.10.10.8"), .string("3.125.199.146")], "api": [.string("tuya.device.timer.count")],
    ])

    @Test("expressions select as Wireshark's would", arguments: [
        ("host == \"a2.tuyaeu.com\"", true), ("host == a2.tuyaeu.com", true), ("host != a2.tuyaeu.com", false),
        ("port == 443", true), ("port > 400 && port < 500", true), ("port >= 443 and port <= 443", true),
        ("port < 443", false), ("port == 0x1bb", true), ("port in {80 443 8883}", true), ("port in {80, 8883}", false),
        ("host contains \"tuyaeu\"", true), ("host matches \"^A2\\\\.TUYA\"", true), ("host matches \"^ms\\\\.\"", false),
        ("!(host == a2.tuyaeu.com)", false), ("not port == 80", true), ("port == 80 || success", true),
        ("success == true", true), ("success == 1", true), ("missing", false), ("missing == 1", false),
        ("missing != 1", false), ("ip.addr == 10.10.10.8", true), ("ip.addr != 10.10.10.8", false),
        ("ip.addr != 1.1.1.1", true), ("(port == 80 or port == 443) and api contains timer", true),
        ("host eq a2.tuyaeu.com && port ne 80", true), ("host ~ \"tuyaeu\"", true),
    ])
    func evaluation(_ text: String, _ expected: Bool) throws {
        #expect(try FilterExpression.parse(text).matches(Self.subject) == expected)
    }

    @Test("every filter expression in the seed parses", arguments: [
        "((((((((((((!stp) && !(arp.src.hw_mac == 00:27:22:fc:8f:93)) && !(arp.dst.hw_mac == 00:27:22:fc:8f:93)) && !(cdp)) && !(mndp)) && !(lldp)) && !(eth.addr == 18:c0:4d:3b:66:d2))) && !(arp.src.hw_mac == 60:a4:b7:7a:b0:c3)) && !(eth.src == 32:bc:cf:2d:96:ce)) && !(eth.src == 00:0c:42:cf:36:20)) && !(ip.src == 10.10.10.4)) && !(ip.dst == 10.10.10.4)",
        "(eth.src == 64:90:c1:1d:24:c4 || eth.dst == 64:90:c1:1d:24:c4)",
        "!((ip.src == 195.181.173.159) || (ip.dst == 195.181.173.159) || (ip.src ==  50.7.252.138) || (ip.dst ==  50.7.252.138))",
        "!((udp.srcport == 9993) || (udp.dstport == 9993))",
        "!arp\n&& !dns\n&& !dhcp\n&& !(tcp.srcport == 8883 || tcp.dstport == 8883)",
    ])
    func seedExpressions(_ text: String) throws {
        _ = try FilterExpression.parse(text)
    }

    @Test("mistakes are reported with their column", arguments: [
        ("host ==", 8), ("host == \"open", 9), ("(port == 1", 11), ("port in 80", 9), ("port == 1 )", 11), ("host = x", 6),
        ("host matches \"(\"", 6),
    ])
    func errors(_ text: String, _ column: Int) {
        #expect {
            try FilterExpression.parse(text)
        } throws: { error in
            (error as? FilterError)?.column == column
        }
    }
}

@Suite("kind globs")
struct GlobTests {
    @Test("globs match kinds", arguments: [("tuya.*", "tuya.post_url", true), ("tuya.*", "miio.line", false),
                                            ("*.line", "kernel.line", true), ("tuya.post_???", "tuya.post_url", true),
                                            ("tuya.post_url", "tuya.post_url", true), ("*", "net.dns_query", true),
                                            ("tuya", "tuya.line", false)])
    func glob(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(Glob.matches(pattern, text) == expected)
    }
}
