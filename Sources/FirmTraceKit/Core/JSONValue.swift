/// JSON as it appears inside firmware log lines (`Post Data: {…}`, `read buf:{…}`, JSON-RPC). Not
/// `indirect`: arrays and objects already hold their elements in arrays, and an indirect enum put every
/// value, each string and number too, in an allocation of its own (an eighth of decoding a Tuya log's
/// `Post Data` lines).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's text, exactly as written, so nothing is lost to floating point.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in the order written.
    case object([JSONMember])

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The value as a field: numbers that are whole become integers; objects and arrays stay JSON text.
    public var fieldValue: FieldValue {
        switch self {
        case .null: .string("null")
        case .bool(let truth): .bool(truth)
        case .number(let text): Int64(text).map(FieldValue.integer) ?? .string(text)
        case .string(let text): .string(text)
        case .array, .object: .string(jsonText)
        }
    }

    /// Compact JSON text for this value.
    public var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let truth): return truth ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return JSONText.quoted(text)
        case .array, .object:
            // Written into one buffer: joining each level's pieces into strings of their own cost a JSON-RPC
            // line's result more than parsing it did.
            var bytes = ByteBuffer(capacity: 256)
            append(to: &bytes)
            return bytes.string
        }
    }

    private func append(to out: inout ByteBuffer) {
        switch self {
        case .null: out.append("null")
        case .bool(let truth): out.append(truth ? "true" : "false")
        case .number(let text): out.append(utf8: text)
        case .string(let text): EventBytes.appendJSONString(text, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.append(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                EventBytes.appendJSONString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.append(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

public struct JSONMember: Sendable, Hashable {
    public let key: String
    public let value: JSONValue
}

public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset in the parsed text.
    public let offset: Int
    public let reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict JSON parser over bytes, written by hand because it runs on every JSON-bearing line of
/// multi-gigabyte logs, where Foundation's parser (bridging through `Data` and `NSObject`) costs more than
/// all the rest of a line's parsing. Depth is bounded, so hostile nesting cannot exhaust the stack.
public struct JSONParser {
    public static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    /// Parses one JSON value filling the whole of `bytes` (surrounding white space allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != bytes.count { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try reading(text, parse)
    }

    /// `read` over the text's bytes: `withUTF8Bytes` only rethrows untyped errors, so the typed one is
    /// carried out of it in a `Result`.
    private static func reading<Value>(_ text: some StringProtocol,
                                       _ read: (UnsafeRawBufferPointer) throws(JSONParseError) -> Value) throws(JSONParseError) -> Value {
        let result = text.withUTF8Bytes { buffer in Result { () throws(JSONParseError) in try read(buffer) } }
        return try result.get()
    }

    /// A member's value as an event's field keeps it: a nested object or array as its compact text.
    public enum MemberValue: Sendable, Equatable {
        case value(JSONValue)
        case compound(text: String)

        public var fieldValue: FieldValue {
            switch self {
            case .value(let value): value.fieldValue
            case .compound(let text): .string(text)
            }
        }

        public var jsonText: String {
            switch self {
            case .value(let value): value.jsonText
            case .compound(let text): text
            }
        }
    }

    /// The members of a JSON object filling the whole of `bytes`, nil when the value there is not an object.
    /// Nested objects and arrays are checked as strictly as `parse` checks them but not built: their text
    /// is the bytes as written when those are compact already (no white space outside strings, no escape,
    /// only ASCII), which is what `jsonText` would write. Building them and writing them out again was most
    /// of reading a JSON-RPC line's result. Throws where `parse` throws, with the same offset and reason.
    public static func members(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> [(key: String, value: MemberValue)]? {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "{") else { return nil }
        let members = try parser.parseMembers { (parser: inout JSONParser, key) throws(JSONParseError) -> (key: String, value: MemberValue)? in
            guard parser.current == UInt8(ascii: "{") || parser.current == UInt8(ascii: "[") else {
                return (key, .value(try parser.parseValue(depth: 1)))
            }
            let start = parser.index
            _ = try parser.parseValue(depth: 1, building: false)
            let written = UnsafeRawBufferPointer(rebasing: bytes[start ..< parser.index])
            return (key, .compound(text: isCompact(written) ? String(decoding: written, as: UTF8.self) : try parse(written).jsonText))
        }
        parser.skipWhitespace()
        if parser.index != bytes.count { throw parser.failure("unexpected text after the JSON value") }
        return members
    }

    static func members(_ text: Substring) throws(JSONParseError) -> [(key: String, value: MemberValue)]? {
        try reading(text, members)
    }

    /// Whether valid JSON is written as `jsonText` writes it: ASCII without escapes (so each string's bytes
    /// are its text, and its text needs none) and without white space between tokens.
    private static func isCompact(_ json: UnsafeRawBufferPointer) -> Bool {
        var inString = false
        for byte in json {
            switch byte {
            case UInt8(ascii: "\\"), 0x80...: return false
            case UInt8(ascii: "\""): inString.toggle()
            case 0x20, 0x09, 0x0A, 0x0D: if !inString { return false }
            default: continue
            }
        }
        return true
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expectLiteral(_ literal: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("truncated literal") }
        for offset in 0 ..< count where bytes[index + offset] != literal.utf8Start[offset] {
            throw failure("invalid literal")
        }
        index += count
        return value
    }

    /// Not `building`, the value is only checked, and `.null` stands for it: every check and failure is the
    /// same, and no string or array is made.
    private mutating func parseValue(depth: Int, building: Bool = true) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        guard let byte = current else { throw failure("unexpected end of JSON") }
        switch byte {
        case UInt8(ascii: "{"):
            let members = try parseMembers(building: building) { (parser: inout JSONParser, key) throws(JSONParseError) -> JSONMember? in
                let value = try parser.parseValue(depth: depth + 1, building: building)
                return building ? JSONMember(key: key, value: value) : nil
            }
            return building ? .object(members) : .null
        case UInt8(ascii: "["): return try parseArray(depth: depth, building: building)
        case UInt8(ascii: "\""): return .string(try parseString(building: building))
        case UInt8(ascii: "t"): return try expectLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try expectLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try expectLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return try parseNumber(building: building)
        default: throw failure("unexpected character")
        }
    }

    /// An object's members, as `member` makes each from its key, reading the value at its first byte (nil:
    /// none kept). Not `building`, keys are only checked.
    private mutating func parseMembers<Member>(building: Bool = true,
                                               _ member: (inout JSONParser, String) throws(JSONParseError) -> Member?)
        throws(JSONParseError) -> [Member] {
        index += 1
        var members: [Member] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return members
        }
        // The objects in log lines have a handful of members: grown from empty, the array was made anew at
        // nearly every member.
        if building { members.reserveCapacity(8) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let key = try parseString(building: building)
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':'") }
            index += 1
            skipWhitespace()
            if let made = try member(&self, key) { members.append(made) }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return members
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int, building: Bool) throws(JSONParseError) -> JSONValue {
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return building ? .array(values) : .null
        }
        while true {
            skipWhitespace()
            let value = try parseValue(depth: depth + 1, building: building)
            if building { values.append(value) }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return building ? .array(values) : .null
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber(building: Bool) throws(JSONParseError) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
            index += 1
            digits += 1
        }
        guard digits > 0 else { throw failure("invalid number") }
        let token = UnsafeRawBufferPointer(rebasing: bytes[start ..< index])
        // Digits alone (after an optional minus) always read as a Double: only other numbers go through
        // `strtod` to be checked, and a log's numbers are nearly all whole (`"t":1660016744`).
        let wholeDigits = token.dropFirst(token.first == UInt8(ascii: "-") ? 1 : 0).allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
        if wholeDigits, !building { return .null }
        let text = String(decoding: token, as: UTF8.self)
        guard wholeDigits || Double(text) != nil else { throw JSONParseError(offset: start, reason: "invalid number") }
        return .number(text)
    }

    private mutating func parseString(building: Bool = true) throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, so the bytes are the string.
        while let byte = current, byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte >= 0x20 { index += 1 }
        if current == UInt8(ascii: "\"") {
            let text = building ? EscapedText.escaping(UnsafeRawBufferPointer(rebasing: bytes[start ..< index])) : ""
            index += 1
            return text
        }
        var scalars = Array(UnsafeRawBufferPointer(rebasing: bytes[start ..< index]))
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return EscapedText.escaping(scalars)
            case UInt8(ascii: "\\"):
                index += 1
                guard let escape = current else { throw failure("truncated escape") }
                index += 1
                switch escape {
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): scalars.append(escape)
                case UInt8(ascii: "u"):
                    var code = try hexQuad()
                    if (0xD800 ..< 0xDC00).contains(code), current == UInt8(ascii: "\\"),
                       index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hexQuad()
                        if (0xDC00 ..< 0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            // A high surrogate without its low half (the fuzzer found the overflow this
                            // once caused): it becomes U+FFFD and the second escape stands on its own.
                            scalars += Array("\u{FFFD}".utf8)
                            code = low
                        }
                    }
                    scalars += Array(String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
                default: throw failure("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw failure("control character in a string") }
                scalars.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0 ..< 4 {
            guard let digit = hexDigitValue(bytes[index]) else { throw failure("invalid \\u escape") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

/// Bytes written as hex digits (a device token, a key).
public enum HexBytes {
    public static func parse(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexDigitValue(digits[index]), let low = hexDigitValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0") ... UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a") ... UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A") ... UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// JSON string literals for output. Text that came from invalid UTF-8 already carries `\xNN` escapes
/// (see `EscapedText`), so what is written here is always valid JSON and loses nothing.
public enum JSONText {
    /// A JSON string literal for `text`, escaped as every writer escapes it (`EventBytes.appendJSONString`).
    public static func quoted(_ text: String) -> String {
        var bytes = ByteBuffer(capacity: text.utf8.count + 8)
        EventBytes.appendJSONString(text, to: &bytes)
        return bytes.string
    }
}
