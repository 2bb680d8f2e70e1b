@testable import FirmTraceKit

/// DNS messages: names with compression pointers (loops, forward pointers, pointers past the end),
/// counts larger than the message, every record type's data.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNS(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = DNSMessage.parse(bytes)
    _ = DNSMessage.parse(bytes, questionsOnly: true)
    return 0
}
