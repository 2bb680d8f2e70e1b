import Foundation
import Testing
@testable import FirmTraceKit

/// `grep`'s lines for people are written as bytes straight into the output's buffer; they must read as the
/// layout says: time (or the device's stamp) padded to 24 characters, kind to 18, origin to 11, the place,
/// the message on one line, each column counted in characters as a terminal shows them.
@Suite("human output")
struct HumanEventSinkTests {
    static let events: [Event] = [
        Event(time: 1_657_363_909_123_000_000, timeBasis: .logEpoch, kind: .tuyaPostURL, origin: "rriot_tuya",
              source: "bundle.tar.gz!rrlog/tuya.log", line: 42, message: "first\nsecond\r\nstill second\n\nafter a blank\n"),
        Event(timeBasis: .logUnsynced, deviceTime: "01-01 00:00:07 é", kind: .netDNSQuery, origin: "prozeß",
              source: "capture.pcapng", frame: 7, message: "\n"),
        Event(kind: .kernelLine, origin: "a-process-name-longer-than-its-column", source: "kern.log", message: "no line break"),
    ]

    /// The layout, written the plain way: strings padded by `String.count`, line breaks split on `"\n"`.
    static func expected(_ event: Event, colour: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let when = event.time.map { UTCDateTime.iso8601(nanoseconds: $0) } ?? "[\(event.deviceTime ?? event.timeBasis.rawValue)]"
        let place = event.line.map { "\(event.source):\($0)" } ?? event.frame.map { "\(event.source)#\($0)" } ?? event.source
        let message = event.message.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ⏎ ")
        return paint(when.padding(24), "2") + " " + paint(event.kind.rawValue.padding(18), "36") + " " + event.origin.padding(11)
            + " " + paint(place, "2") + "  " + message + "\n"
    }

    @Test("each event is one line laid out in columns of characters, line breaks shown as ⏎, CR LF kept",
          arguments: [false, true])
    func layout(colour: Bool) throws {
        let scratch = try ScratchFolder()
        let path = scratch.url.appendingPathComponent("out.txt").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0)
        let sink = HumanEventSink(output: OutputWriter(descriptor: descriptor), colour: colour)
        for event in Self.events { #expect(sink.accept(event)) }
        sink.finish()
        close(descriptor)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == Self.events.map { Self.expected($0, colour: colour) }.joined())
        if !colour {
            #expect(written.contains("\n[01-01 00:00:07 é]       net.dns_query      prozeß      capture.pcapng#7   ⏎ \n"))
        }
        #expect(written.contains("first ⏎ second\r\nstill second ⏎  ⏎ after a blank ⏎ \n"))
    }
}
