@testable import FirmTraceKit

/// DHCP messages and their options (lengths past the end, the pad and end options, repeated options).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDHCP(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = DHCPMessage.parse(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
