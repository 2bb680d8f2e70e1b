import Testing
@testable import FirmTraceKit

@Suite("behaviours: what makes two events the same behaviour")
struct BehaviourTests {
    @Test("numbers, hex ids and JSON bodies leave a log message's template", arguments: [
        ("mqtt heartbeat seq 41", "mqtt heartbeat seq #"),
        ("Malloc Buffer Size:1024", "Malloc Buffer Size:#"),
        ("dev bf7e9b4aacf4f733d8o3zz bind schema [{\"id\":2}]", "dev # bind schema {…}"),
        ("Post Data: {\"t\":1657384304}", "Post Data: {…}"),
        ("HTTP-DNS failed, response:\nHTTP/1.1 400 Bad Request", "HTTP-DNS failed, response:"),
        ("waiting for time sync", "waiting for time sync"),
    ])
    func template(_ message: String, _ expected: String) {
        #expect(MessageTemplate.of(message) == expected)
    }

    @Test("an ASCII message's template, read byte by byte, is the one read Character by Character")
    func asciiTemplateMatchesCharacters() {
        let alphabet = Array("abcXYZ_019fA  \t\t:;,.-/#@{[]}\"'=\n\r\u{01}\u{7F}")
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 5_000 {
            let message = String((0 ..< Int.random(in: 0 ... 140, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(MessageTemplate.of(message) == MessageTemplate.characterTemplate(message), "\(message.debugDescription)")
        }
        // Past the first line anything goes: only its JSON counts.
        #expect(MessageTemplate.of("ready 42\nété {x}") == "ready #{…}")
        #expect(MessageTemplate.of("température 42") == MessageTemplate.characterTemplate("température 42"))
    }

    @Test("a hostile line gives a bounded template")
    func longTemplate() {
        #expect(MessageTemplate.of(String(repeating: "word ", count: 10_000)).count <= MessageTemplate.maxLength + 1)
    }

    @Test("flows are named by the DNS name their address was resolved from")
    func flowNamedByDNS() {
        var classifier = BehaviourClassifier()
        var answer = EventFields()
        answer.set("name", "a2.tuyaeu.com")
        answer.set("addresses", "3.125.199.146,35.157.101.18")
        #expect(classifier.behaviour(of: Event(kind: .netDNSAnswer, origin: "capture", source: "c", message: "", fields: answer)) == nil)
        var flow = EventFields()
        flow.set("proto", "tcp")
        flow.set("dst_ip", "35.157.101.18")
        flow.set("dst_port", 443)
        let behaviour = classifier.behaviour(of: Event(kind: .netFlow, origin: "capture", source: "c", message: "", fields: flow))
        #expect(behaviour?.id == "flow:tcp/a2.tuyaeu.com:443")
    }

    @Test("an HTTP request is one behaviour whatever its query string")
    func httpPathWithoutQuery() {
        var classifier = BehaviourClassifier()
        var fields = EventFields()
        fields.set("method", "GET")
        fields.set("path", "/gslb?tver=2&timestamp=1657384295")
        #expect(classifier.behaviour(of: Event(kind: .netHTTPRequest, origin: "capture", source: "c", message: "", fields: fields))?.id == "http:GET /gslb")
    }

    @Test("a renamed host leaves the same pattern; addresses and other names do not")
    func sharedPattern() {
        #expect(FirmwareDiff.sharedPattern("dns_name:ms.tuyaeu.com") == FirmwareDiff.sharedPattern("dns_name:m2.tuyaeu.com"))
        #expect(FirmwareDiff.sharedPattern("endpoint:capture tcp/ms.tuyaeu.com:8883") == "endpoint:capture tcp/*.tuyaeu.com:8883")
        #expect(FirmwareDiff.sharedPattern("endpoint:110.43.0.83:80") == "endpoint:110.43.0.83:80")
        #expect(FirmwareDiff.sharedPattern("dns_name:a2.tuyaeu.com") != FirmwareDiff.sharedPattern("dns_name:a2.tuyaus.com"))
    }
}
