import FuzzSupport

/// The log reader on one file: content sniffing, the line framer, each dialect's prefix and messages
/// (Tuya, miio, kernel), clock placement and JSON rendering. The first byte picks the file's name, since
/// a name like `tuya.log.3` or a bundle path changes how the source is read.
public func fuzzLogs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let names = ["tuya.log", "miio.log", "kern.log", "tuya.log.1", "000137.20220710033500000_R0018S91200123_v01.15.58.log"]
    let name = size > 0 ? names[Int(data[0]) % names.count] : names[0]
    FuzzInput.grep([FuzzInput.file(data, size, name: name)])
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzLogs_main")
public func fuzzLogsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzLogs)
}
