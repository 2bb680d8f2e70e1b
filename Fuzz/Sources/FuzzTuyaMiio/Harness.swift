@testable import FirmTraceKit

/// Tuya LAN frames (55AA and 6699, discovery decryption and its JSON), miIO packets (with a token, so
/// decryption runs) and MQTT packets.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTuyaMiio(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let frame = TuyaFrame.parse(bytes) { _ = frame.discoveryJSON(bytes) }
    if let packet = MiioPacket.parse(bytes) { _ = packet.decrypt(bytes, token: Array(repeating: 0x42, count: 16)) }
    _ = MQTTPacket.parse(bytes)
    return 0
}
