@testable import FirmTraceKit
import FuzzSupport

/// Tuya LAN frames (55AA and 6699, discovery decryption and its JSON), miIO packets (with a token, so
/// decryption runs) and MQTT packets.
public func fuzzTuyaMiio(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let frame = TuyaFrame.parse(bytes) { _ = frame.discoveryJSON(bytes) }
    if let packet = MiioPacket.parse(bytes) { _ = packet.decrypt(bytes, token: Array(repeating: 0x42, count: 16)) }
    _ = MQTTPacket.parse(bytes)
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzTuyaMiio_main")
public func fuzzTuyaMiioMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzTuyaMiio)
}
