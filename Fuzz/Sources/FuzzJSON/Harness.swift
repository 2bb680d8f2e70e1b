import FirmTraceKit

/// The JSON parser that reads the JSON inside log lines (Post Data, gw_di, bind schema, JSON-RPC):
/// nesting depth, numbers, escapes and broken UTF-8.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let value = try? JSONParser.parse(UnsafeRawBufferPointer(start: data, count: size)) { _ = value.jsonText }
    return 0
}
