@testable import FirmTraceKit
import FuzzSupport

/// TLS ClientHello records and their extensions (SNI, ALPN, supported versions), and the text protocols
/// decoded beside them: HTTP request lines and SSDP.
public func fuzzTLS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = TLSClientHello.recordLength(bytes)
    _ = TLSClientHello.parse(bytes)
    _ = HTTPRequest.parse(bytes)
    _ = SSDPMessage.parse(bytes)
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzTLS_main")
public func fuzzTLSMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzTLS)
}
