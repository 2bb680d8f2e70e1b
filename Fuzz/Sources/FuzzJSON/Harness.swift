import FirmTraceKit
import FuzzSupport

/// The JSON parser that reads the JSON inside log lines (Post Data, gw_di, bind schema, JSON-RPC):
/// nesting depth, numbers, escapes and broken UTF-8.
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    if let value = try? JSONParser.parse(UnsafeRawBufferPointer(start: data, count: size)) { _ = value.jsonText }
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzJSON_main")
public func fuzzJSONMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzJSON)
}
