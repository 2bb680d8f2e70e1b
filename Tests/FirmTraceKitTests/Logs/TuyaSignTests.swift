import Foundation
import Testing
@testable import FirmTraceKit

@Suite("Tuya signatures")
struct TuyaSignTests {
    static let key = "7c4f9e1a2b3d5e6f"

    /// md5 computed by Python's hashlib, independently of our code.
    static func pythonMD5(_ text: String) throws -> String {
        let result = try Subprocess.run("python3", ["-c", "import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())", text])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("sign is md5 over a, devId, et, t, uuid, v joined with || and the key, as hashlib computes it")
    func signMatchesHashlib() throws {
        let parameters = ["a": "tuya.device.timer.count", "devId": "bf7e9b4aacf4f733d8o3zz", "et": "1", "t": "1657363909", "v": "4.0"]
        let expected = try Self.pythonMD5("a=tuya.device.timer.count||devId=bf7e9b4aacf4f733d8o3zz||et=1||t=1657363909||v=4.0||" + Self.key)
        #expect(TuyaSign.sign(parameters: parameters, key: Self.key) == expected)
        let withUUID = parameters.merging(["uuid": "abc"]) { $1 }
        let expectedUUID = try Self.pythonMD5("a=tuya.device.timer.count||devId=bf7e9b4aacf4f733d8o3zz||et=1||t=1657363909||uuid=abc||v=4.0||" + Self.key)
        #expect(TuyaSign.sign(parameters: withUUID, key: Self.key) == expectedUUID)
    }

    @Test("the MQTT passwd is characters 8..<24 of md5(secKey)")
    func mqttPassword() throws {
        let full = try Self.pythonMD5(Self.key)
        #expect(TuyaSign.mqttPassword(key: Self.key) == String(full.dropFirst(8).prefix(16)))
        #expect(TuyaSign.mqttPassword(key: Self.key) == "3a101756342b75e8")
    }

    @Test("every Post URL in the samples verifies with the sample key, and none with another")
    func samplesVerify() throws {
        for bundle in TestPaths.sampleFiles(endingWith: ".tar.gz") {
            let query = EventQuery(kindPatterns: ["tuya.post_url"])
            let good = CollectingSink(), bad = CollectingSink()
            _ = Grep.run(GrepRequest(inputs: [bundle], query: query, tuyaKey: Self.key), sink: good)
            _ = Grep.run(GrepRequest(inputs: [bundle], query: query, tuyaKey: "0000000000000000"), sink: bad)
            #expect(good.events.count == 5)
            #expect(good.events.allSatisfy { $0.fields["sign_ok"] == .bool(true) })
            #expect(bad.events.allSatisfy { $0.fields["sign_ok"] == .bool(false) })
        }
    }
}
