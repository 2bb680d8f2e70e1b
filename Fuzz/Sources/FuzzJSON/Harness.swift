import FirmTraceKit
import FuzzSupport

/// The JSON parser that reads the JSON inside log lines (Post Data, gw_di, bind schema, JSON-RPC):
/// nesting depth, numbers, escapes and broken UTF-8.
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let parsed: Result<JSONValue, JSONParseError>
    do throws(JSONParseError) { parsed = .success(try JSONParser.parse(bytes)) } catch { parsed = .failure(error) }
    if case .success(let value) = parsed { _ = value.jsonText }
    // The member reader (Tuya lines' objects) must agree with the full parse: the same failure, or the same
    // members with nested objects and arrays as their compact text.
    do throws(JSONParseError) {
        guard let members = try JSONParser.members(bytes) else { return 0 }
        guard case .success(.object(let expected)) = parsed, expected.count == members.count else { fatalError("members differ from parse") }
        for (member, wanted) in zip(members, expected) {
            let value: JSONParser.MemberValue = switch wanted.value {
            case .object, .array: .compound(text: wanted.value.jsonText)
            default: .value(wanted.value)
            }
            if member.key != wanted.key || member.value != value { fatalError("member \(wanted.key) differs from parse") }
        }
    } catch {
        guard case .failure(let expected) = parsed, expected == error else { fatalError("members failed where parse did not: \(error)") }
    }
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzJSON_main")
public func fuzzJSONMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzJSON)
}
