import Testing
@testable import FirmTraceKit

@Suite("repeated text")
struct RepeatedTextTests {
    /// Texts that repeat, differ only in the middle or at the end, hold invalid UTF-8, are empty, short or
    /// longer than any kept: each must come back exactly as `EscapedText.escaping` makes it.
    static let inputs: [[UInt8]] = [
        Array("mqtt heartbeat send".utf8),
        Array("handshake finish for a2.tuyaeu.com. set send/recv to user set".utf8),
        Array("handshake finish for m2.tuyaeu.com. set send/recv to user set".utf8),
        Array("Malloc Buffer Size:167".utf8),
        Array("Malloc Buffer Size:95".utf8),
        Array("Malloc Buffer Size:96".utf8),
        Array("mqc_app.c:1412".utf8),
        Array("07-10 02:32:42".utf8),
        Array("07-10 02:32:43".utf8),
        [0x66, 0x6F, 0x80, 0x6F],
        [0x66, 0x6F, 0xC3, 0xA9],
        Array("a".utf8),
        [],
        Array("é".utf8),
        Array(repeating: UInt8(ascii: "x"), count: RepeatedText.longest + 1),
        Array(repeating: UInt8(ascii: "x"), count: RepeatedText.longest),
    ]

    @Test("every text is the bytes' escaped text, however often and in whatever order they come")
    func textsAreTheBytesEscaped() {
        var repeated = RepeatedText()
        // Every input after every other, over and over.
        for step in 0 ..< 2_000 {
            let bytes = Self.inputs[(step * 7 + step / Self.inputs.count) % Self.inputs.count]
            let text = bytes.withUnsafeBytes { repeated.text($0) }
            #expect(text == EscapedText.escaping(bytes), "\(bytes)")
        }
    }

    @Test("texts whose bytes share a slot replace each other and still come back right")
    func collidingTextsStayApart() {
        var repeated = RepeatedText()
        // More distinct texts than there are slots: some must share one.
        let texts = (0 ..< RepeatedText.slotCount * 2).map { "Malloc Buffer Size:\($0)" }
        for _ in 0 ..< 2 {
            for text in texts {
                #expect(Array(text.utf8).withUnsafeBytes { repeated.text($0) } == text)
            }
        }
    }
}
