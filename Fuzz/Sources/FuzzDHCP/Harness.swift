@testable import FirmTraceKit
import FuzzSupport

/// DHCP messages and their options (lengths past the end, the pad and end options, repeated options).
public func fuzzDHCP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    _ = DHCPMessage.parse(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzDHCP_main")
public func fuzzDHCPMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzDHCP)
}
