import Testing
@testable import FirmTraceKit

@Suite("repeated line tails")
struct RepeatedLineTailsTests {
    /// Lines sharing what follows their device time while differing before it (time, milliseconds, text
    /// ahead of the prefix, a first `[` that is no prefix), lines whose tails differ by a byte, and tails
    /// too long to keep.
    static let lines: [String] = {
        let long = "[07-10 02:31:44 TUYA Debug][iot_httpc.c:894] Post URL: https://a2.tuyaeu.com/d.json?a=tuya.device.timer.count&"
            + String(repeating: "x", count: 120)
        let lines = [
            "[07-10 02:31:40 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
            "[07-10 02:31:41 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
            "[07-10 02:31:41:5 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
            "[07-10 02:31:41:123 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
            "bk_rst:0 tuya_rst:0[07-10 02:31:42 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
            "[ok] [07-10 02:31:42 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send",
            "[07-10 02:31:42 TUYA Debug][mqc_app.c:1413] mqtt heartbeat send",
            "[07-10 02:31:42 TUYA Err][mqc_app.c:1412] mqtt heartbeat send",
            "[07-10 02:31:42 -- TUYA Debug][mqc_app.c:1412] mqtt heartbeat send\t ",
            "[07-10 02:31:42 TUYA Debug][mqc_app.c:1412]",
            "[07-10 02:31:43 TUYA Debug][mqc_app.c:1043] mqtt connect to ms.tuyaeu.com:8883",
            "[07-10 02:31:43 TUYA Debug][tuya_tls.c:792] TUYA_TLS Begin Connect a2.tuyaeu.com:443  CustomNet:TRUE",
            long,
            long + "y",
        ]
        return lines + lines.reversed() + lines
    }()

    /// What the reader keeps for a line read afresh (`LogSourceReader.readTail`).
    static func tail(of line: UnsafeRawBufferPointer, _ prefix: TuyaLinePrefix) -> RepeatedLineTails.Tail {
        let start = prefix.deviceTime.upperBound
        let message = UnsafeRawBufferPointer(rebasing: line[prefix.message])
        let sourceFile = UnsafeRawBufferPointer(rebasing: line[prefix.sourceFile])
        return RepeatedLineTails.Tail(
            level: prefix.level, sourceFile: prefix.sourceFile.lowerBound - start ..< prefix.sourceFile.upperBound - start,
            message: prefix.message.lowerBound - start ..< prefix.message.upperBound - start,
            kind: TuyaMessage.kind(message: message, sourceFile: sourceFile), origin: EscapedText.escaping(sourceFile),
            messageText: EscapedText.escaping(UnsafeRawBufferPointer(rebasing: message[..<ByteSearch.endTrimmingWhitespace(message)])))
    }

    @Test("a prefix found with the tails kept is the prefix found afresh, and a kept tail the one read afresh")
    func keptTailsAreFreshTails() {
        let tails = RepeatedLineTails()
        var reused = 0
        for line in Self.lines {
            Array(line.utf8).withUnsafeBytes { bytes in
                let fresh = TuyaLinePrefix.find(in: bytes)
                let found = TuyaLinePrefix.find(in: bytes, knownTails: tails)
                #expect(found?.prefix == fresh, "\(line)")
                guard let found, let fresh else { return }
                let freshTail = Self.tail(of: bytes, fresh)
                if let known = found.known {
                    #expect(known == freshTail, "\(line)")
                    reused += 1
                } else {
                    tails.keep(freshTail, of: UnsafeRawBufferPointer(rebasing: bytes[fresh.deviceTime.upperBound...]))
                }
            }
        }
        // Every line but the first with each of the seven tails kept, and the six long ones, comes back from them.
        #expect(reused == Self.lines.count - 7 - 6)
    }
}
