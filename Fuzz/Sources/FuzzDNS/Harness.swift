@testable import FirmTraceKit
import FuzzSupport

/// DNS messages: names with compression pointers (loops, forward pointers, pointers past the end),
/// counts larger than the message, every record type's data.
public func fuzzDNS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = DNSMessage.parse(bytes)
    _ = DNSMessage.parse(bytes, questionsOnly: true)
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzDNS_main")
public func fuzzDNSMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzDNS)
}
