import FuzzSupport

/// The log reader on one file: content sniffing, the line framer, each dialect's prefix and messages
/// (Tuya, miio, kernel), clock placement and JSON rendering. The first byte picks the file's name, since
/// a name like `tuya.log.3` or a bundle path changes how the source is read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogs(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let names = ["tuya.log", "miio.log", "kern.log", "tuya.log.1", "000137.20220710033500000_R0018S91200123_v01.15.58.log"]
    let name = size > 0 ? names[Int(data[0]) % names.count] : names[0]
    FuzzInput.grep([FuzzInput.file(data, size, name: name)])
    return 0
}
