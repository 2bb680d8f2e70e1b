@testable import FirmTraceKit
import FuzzSupport

/// The log reader on one file: content sniffing, the line framer, each dialect's prefix and messages
/// (Tuya, miio, kernel), clock placement and JSON rendering. The first byte picks the file's name, since
/// a name like `tuya.log.3` or a bundle path changes how the source is read. Then the file read as tiny
/// slices decoded side by side (`ParallelLogDecoder`, the second byte picks their size) must give exactly
/// the events of one reading.
public func fuzzLogs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let names = ["tuya.log", "miio.log", "kern.log", "tuya.log.1", "000137.20220710033500000_R0018S91200123_v01.15.58.log"]
    let name = size > 0 ? names[Int(data[0]) % names.count] : names[0]
    let path = FuzzInput.file(data, size, name: name)
    FuzzInput.grep([path])
    var request = GrepRequest(inputs: [path])
    request.sliceBytes = nil
    let whole = KeepingSink()
    _ = Grep.run(request, sink: whole)
    request.sliceBytes = 1 + Int64(size > 1 ? data[1] : 0)
    let sliced = KeepingSink()
    _ = Grep.run(request, sink: sliced)
    precondition(sliced.events == whole.events, "slices decoded side by side differ from one reading")
    return 0
}

/// Keeps every event grep hands on.
private final class KeepingSink: EventSink {
    var events: [Event] = []

    func accept(_ event: Event) -> Bool {
        events.append(event)
        return true
    }

    func finish() {}
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzLogs_main")
public func fuzzLogsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzLogs)
}
