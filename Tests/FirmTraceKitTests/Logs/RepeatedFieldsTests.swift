import Testing
@testable import FirmTraceKit

@Suite("repeated fields")
struct RepeatedFieldsTests {
    static let bundle = RRLogBundle.parse("000137.20220710033500000_R0018S91200123_v01.15.58")
    static let tuyaKey = "7c4f9e1a2b3d5e6f"

    static func tuya(_ message: String, kind: EventKind = .tuyaLine, level: String = "Debug", origin: String = "mqc_app.c:1412",
                     onlyForClock: Bool = false) -> PendingEvent {
        PendingEvent(kind: kind, line: 1, stamp: DeviceStamp(month: 7, day: 10, hour: 2, minute: 42, second: 42),
                     deviceTime: "07-10 02:42:42", level: level, origin: origin, message: message, onlyForClock: onlyForClock)
    }

    /// Lines that share a message but differ in what else their fields come from, each more than once.
    static let tuyaLines: [PendingEvent] = {
        let password = "mqtt client id:bf7e9b4aacf4f733d8o3zz user name:2.2_bf7e9b4aacf4f733d8o3zz_0 passwd:3a101756342b75e8"
        var withContinuation = tuya("mqtt heartbeat send")
        withContinuation.addContinuation(UnsafeRawBufferPointer(start: nil, count: 0))
        "  and a line after it".utf8.withContiguousStorageIfAvailable { withContinuation.addContinuation(UnsafeRawBufferPointer($0)) }
        var afterZeros = tuya("mqtt heartbeat send")
        afterZeros.nulBytes = 12
        let lines = [
            tuya("mqtt heartbeat send"),
            tuya("mqtt heartbeat send", origin: "mqc_app.c:1413"),
            tuya("mqtt heartbeat send", level: "Err"),
            tuya("mqtt heartbeat send", kind: .tuyaMQTT),
            tuya(password, kind: .tuyaMQTT, origin: "mqc_app.c:1009"),
            tuya(password, kind: .tuyaMQTT, origin: "mqc_app.c:1009", onlyForClock: true),
            tuya("Connect: a2.tuyaeu.com Port: 443  -->>", kind: .tuyaConnect, origin: "httpc.c:742"),
            tuya("Post Data: {\"subId\":null,\"t\":1662441113}", kind: .tuyaPostData, origin: "iot_httpc.c:883"),
            tuya("Post Data: {\"subId\":null,\"t\":1662441114}", kind: .tuyaPostData, origin: "iot_httpc.c:883"),
            withContinuation,
            afterZeros,
        ]
        return lines + lines.reversed() + lines
    }()

    @Test("a line decoded from the fields kept for one like it is the line decoded afresh", arguments: [false, true])
    func keptFieldsAreFreshFields(inBundle: Bool) {
        let bundle = inBundle ? Self.bundle : nil
        var repeated = RepeatedFields()
        for pending in Self.tuyaLines {
            let fresh = pending.decode(dialect: .tuya, bundle: bundle, tuyaKey: Self.tuyaKey)
            let kept = pending.decode(dialect: .tuya, bundle: bundle, tuyaKey: Self.tuyaKey, repeated: &repeated)
            #expect(kept.event == fresh.event, "\(pending.message)")
            #expect(kept.epoch == fresh.epoch)
            #expect(kept.onlyForClock == fresh.onlyForClock)
        }
    }

    @Test("a kernel line's fields carry its uptime, so none is taken from a line before it")
    func kernelLinesAreDecodedEach() {
        var repeated = RepeatedFields()
        for uptime in ["12.000001", "12.000002", "12.000001"] {
            let pending = PendingEvent(kind: .kernelLine, line: 1, stamp: nil, deviceTime: uptime, level: nil, origin: nil,
                                       message: "wlan0: link up")
            let kept = pending.decode(dialect: .kernel, bundle: nil, tuyaKey: nil, repeated: &repeated)
            #expect(kept.event.fields["uptime_s"] == .string(uptime))
        }
    }

    @Test("changing one event's fields leaves the other events of the same line, and the kept fields, as decoded")
    func eventsShareFieldsUntilChanged() {
        var repeated = RepeatedFields()
        let pending = Self.tuya("mqtt heartbeat send")
        var first = pending.decode(dialect: .tuya, bundle: nil, tuyaKey: nil, repeated: &repeated)
        let second = pending.decode(dialect: .tuya, bundle: nil, tuyaKey: nil, repeated: &repeated)
        first.event.fields.set("placed_from", "clock step")
        let third = pending.decode(dialect: .tuya, bundle: nil, tuyaKey: nil, repeated: &repeated)
        #expect(first.event.fields["placed_from"] != nil)
        #expect(second.event.fields["placed_from"] == nil)
        #expect(third.event.fields == second.event.fields)
    }
}
