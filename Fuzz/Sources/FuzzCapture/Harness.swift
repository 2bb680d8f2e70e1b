import FuzzSupport

/// The pcap and pcapng readers, link-layer dissection and every protocol decoder behind them, reached the
/// way grep reads a capture (flows and reassembly included).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCapture(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzInput.grep([FuzzInput.file(data, size, name: "capture.pcapng")])
    return 0
}
