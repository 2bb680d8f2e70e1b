import FuzzSupport

/// The pcap and pcapng readers, link-layer dissection and every protocol decoder behind them, reached the
/// way grep reads a capture (flows and reassembly included).
public func fuzzCapture(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    FuzzInput.grep([FuzzInput.file(data, size, name: "capture.pcapng")])
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzCapture_main")
public func fuzzCaptureMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzCapture)
}
