@testable import FirmTraceKit

/// TLS ClientHello records and their extensions (SNI, ALPN, supported versions), and the text protocols
/// decoded beside them: HTTP request lines and SSDP.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLS(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = TLSClientHello.recordLength(bytes)
    _ = TLSClientHello.parse(bytes)
    _ = HTTPRequest.parse(bytes)
    _ = SSDPMessage.parse(bytes)
    return 0
}
