@testable import FirmTraceKit
import FuzzSupport

/// The expression language: the lexer and parser shared by `grep --where` and display filters, the
/// display-filter compiler, and evaluation of whatever compiles against an event.
public func fuzzFilter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? PacketFilter(text)
    if let expression = try? FilterExpression.parse(text) {
        var fields = EventFields()
        fields.set("host", "a2.tuyaeu.com")
        fields.set("port", 443)
        fields.set("sign_ok", true)
        let event = Event(time: 1_657_384_304_000_000_000, kind: .tuyaPostURL, origin: "rriot_tuya", source: "tuya.log", line: 1,
                          message: "Post URL: https://a2.tuyaeu.com/d.json", fields: fields)
        _ = EventQuery(expression: expression).matches(event)
    }
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzFilter_main")
public func fuzzFilterMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzFilter)
}
