/// A timeline record filled as a JSON line (`TimelineFormat.sqlite`, the names of `JSONLSink`), read into
/// the columns of its rows in the `events` and `fields` tables. The values are kept as places in the line,
/// not as strings: reading each line back into an event (a `JSONValue` tree, then an `Event`) and writing
/// its fields out again as JSON was four fifths of the work of the threads that make the rows. Only a
/// string with escapes is decoded, and the links joined, into bytes kept after the line.
///
/// The line must be as the timeline's fill writes it (its names, no white space, numbers whole and of 64
/// bits, field values text, numbers or truth values); anything else does not read (nil), as a damaged
/// scratch file.
struct SQLiteRow: Sendable {
    enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        /// Bytes of `text`.
        case text(Range<Int32>)
    }

    struct Field: Sendable {
        let key: Value
        let value: Value
    }

    /// The line, then the values that had to be decoded or joined.
    private(set) var text: [UInt8]
    private(set) var id = Value.null
    private(set) var time = Value.null
    private(set) var datetime = Value.null
    private(set) var timeBasis = Value.null
    private(set) var deviceTime = Value.null
    private(set) var kind = Value.text(0 ..< 0)
    private(set) var origin = Value.text(0 ..< 0)
    private(set) var source = Value.text(0 ..< 0)
    private(set) var line = Value.null
    private(set) var frame = Value.null
    private(set) var message = Value.text(0 ..< 0)
    private(set) var link = Value.null
    /// The fields as one JSON object: the line's own text of it.
    private(set) var fieldsObject = Value.null
    private(set) var fields: [Field] = []

    init?(line bytes: UnsafeRawBufferPointer) {
        text = Array(bytes)
        var reader = Reader(bytes: bytes)
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        var first = true
        while !reader.take(UInt8(ascii: "}")) {
            guard first || reader.take(UInt8(ascii: ",")), let key = reader.key(), reader.take(UInt8(ascii: ":")) else { return nil }
            first = false
            switch key {
            case "time": guard let value = reader.integer() else { return nil }; time = value
            case "datetime": guard let value = reader.string(into: &text) else { return nil }; datetime = value
            case "time_basis": guard let value = reader.string(into: &text) else { return nil }; timeBasis = value
            case "device_time": guard let value = reader.string(into: &text) else { return nil }; deviceTime = value
            case "kind": guard let value = reader.string(into: &text) else { return nil }; kind = value
            case "origin": guard let value = reader.string(into: &text) else { return nil }; origin = value
            case "source": guard let value = reader.string(into: &text) else { return nil }; source = value
            case "line": guard let value = reader.integer() else { return nil }; line = value
            case "frame": guard let value = reader.integer() else { return nil }; frame = value
            case "message": guard let value = reader.string(into: &text) else { return nil }; message = value
            case "id": guard let value = reader.string(into: &text) else { return nil }; id = value
            case "link": guard let value = reader.links(into: &text) else { return nil }; link = value
            case "fields":
                let start = reader.index
                guard let fields = reader.fields(into: &text) else { return nil }
                self.fields = fields
                fieldsObject = .text(Int32(start) ..< Int32(reader.index))
            default: return nil
            }
        }
        guard reader.index == bytes.count, id != .null, fieldsObject != .null else { return nil }
        timeBasis = knownTimeBasis(timeBasis)
    }

    /// The basis as an event read back would hold it: `unknown` when missing or not one of the names.
    private mutating func knownTimeBasis(_ value: Value) -> Value {
        if case .text(let range) = value,
           TimeBasis(rawValue: String(decoding: text[Int(range.lowerBound) ..< Int(range.upperBound)], as: UTF8.self)) != nil {
            return value
        }
        return Self.append(TimeBasis.unknown.rawValue.utf8, to: &text)
    }

    fileprivate static func append(_ bytes: some Collection<UInt8>, to text: inout [UInt8]) -> Value {
        let start = Int32(text.count)
        text.append(contentsOf: bytes)
        return .text(start ..< Int32(text.count))
    }
}

/// A cursor over the line, checked at every byte.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A top-level key: one of the fill's names, none of which needs escaping.
    mutating func key() -> String? {
        guard take(UInt8(ascii: "\"")), let end = ByteSearch.firstIndex(of: UInt8(ascii: "\""), in: bytes, from: index) else { return nil }
        defer { index = end + 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index ..< end]), as: UTF8.self)
    }

    /// A string's bytes in place; with escapes, decoded and added to `text`.
    mutating func string(into text: inout [UInt8]) -> SQLiteRow.Value? {
        guard take(UInt8(ascii: "\"")), let quote = ByteSearch.firstIndex(of: UInt8(ascii: "\""), in: bytes, from: index) else { return nil }
        let start = index
        guard ByteSearch.firstIndex(of: UInt8(ascii: "\\"), in: UnsafeRawBufferPointer(rebasing: bytes[..<quote]), from: start) != nil else {
            index = quote + 1
            return .text(Int32(start) ..< Int32(quote))
        }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
        guard end < bytes.count, case .string(let decoded)? = try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[(start - 1) ... end]))
        else { return nil }
        index = end + 1
        return SQLiteRow.append(decoded.utf8, to: &text)
    }

    /// A whole number of 64 bits; a fraction's or an exponent's digits stop it where the caller wants a
    /// comma, so such a number does not read.
    mutating func integer() -> SQLiteRow.Value? {
        let negative = take(UInt8(ascii: "-"))
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(bytes[index]) {
            let digit = Int64(bytes[index] - UInt8(ascii: "0"))
            let (shifted, overflowShifting) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdding) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowShifting, !overflowAdding else { return nil }
            value = next
            index += 1
        }
        return index > start ? .integer(value) : nil
    }

    /// The link's ids joined by spaces, added to `text`; null for none.
    mutating func links(into text: inout [UInt8]) -> SQLiteRow.Value? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var joined: [UInt8] = []
        var count = 0
        while !take(UInt8(ascii: "]")) {
            guard count == 0 || take(UInt8(ascii: ",")), case .text(let range)? = string(into: &text) else { return nil }
            if count > 0 { joined.append(UInt8(ascii: " ")) }
            joined.append(contentsOf: text[Int(range.lowerBound) ..< Int(range.upperBound)])
            count += 1
        }
        return count == 0 ? .null : SQLiteRow.append(joined, to: &text)
    }

    /// The fields object's members, each value as `JSONValue.fieldValue` makes it: text, a whole number, or
    /// a truth value as 1 or 0. No other value (a fraction, `null`, an array) is read, since the object's
    /// own text is kept as its column and an event read back would write those differently.
    mutating func fields(into text: inout [UInt8]) -> [SQLiteRow.Field]? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var fields: [SQLiteRow.Field] = []
        while !take(UInt8(ascii: "}")) {
            guard fields.isEmpty || take(UInt8(ascii: ",")), let key = string(into: &text), take(UInt8(ascii: ":")),
                  let value = fieldValue(into: &text) else { return nil }
            fields.append(SQLiteRow.Field(key: key, value: value))
        }
        return fields
    }

    private mutating func fieldValue(into text: inout [UInt8]) -> SQLiteRow.Value? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string(into: &text)
        case UInt8(ascii: "t"): return literal("true") ? .integer(1) : nil
        case UInt8(ascii: "f"): return literal("false") ? .integer(0) : nil
        default: return integer()
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let literal = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes[index...].starts(with: literal) else { return false }
        index += literal.count
        return true
    }
}
