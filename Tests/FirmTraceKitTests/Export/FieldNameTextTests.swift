import Testing
@testable import FirmTraceKit

/// `FieldNameText` hands back the text written for a name it has seen, known by the name's identity; what
/// it appends must be what escaping the name afresh appends, whichever string the name comes in.
@Suite("field name text")
struct FieldNameTextTests {
    private static func written(_ name: String, doublingQuotes: Bool, through names: FieldNameText?) -> [UInt8] {
        var out = ByteBuffer()
        out.append("{")
        if let names {
            names.append(name, doublingQuotes: doublingQuotes, to: &out)
        } else {
            EventBytes.appendJSONString(name, to: &out, doublingQuotes: doublingQuotes)
            out.append(UInt8(ascii: ":"))
        }
        return out.array
    }

    @Test("small, literal, heap-made, escaped and long names, more than the slots hold, are written as afresh both ways")
    func namesAreWrittenAsAfresh() {
        var generator = SeededGenerator(seed: 35)
        let literals = ["src_ip", "dst_port", "a_name_longer_than_fifteen_bytes", "quote\"d", "tab\there", "é", ""]
        let made = (0 ..< 600).map { "field_\($0)_" + String(repeating: "x", count: $0 % 40) }
        let long = String(repeating: "long\"name", count: 12)
        let names = FieldNameText()
        for _ in 0 ..< 20_000 {
            let name: String = switch Int.random(in: 0 ..< 4, using: &generator) {
            case 0: literals.randomElement(using: &generator)!
            case 1: made[Int.random(in: 0 ..< made.count, using: &generator)]
            // A copy in storage of its own each time: equal to a kept name, but not the same string.
            case 2: String(decoding: Array(made[Int.random(in: 0 ..< 40, using: &generator)].utf8), as: UTF8.self)
            default: long
            }
            let doubling = Bool.random(using: &generator)
            #expect(Self.written(name, doublingQuotes: doubling, through: names) == Self.written(name, doublingQuotes: doubling, through: nil))
        }
    }

    @Test("a name changed in place after it was written is written with its new text")
    func changedNames() {
        let names = FieldNameText()
        var name = String(repeating: "n", count: 40)
        for round in 0 ..< 100 {
            #expect(Self.written(name, doublingQuotes: false, through: names) == Self.written(name, doublingQuotes: false, through: nil))
            // The kept copy shares the storage, so this change copies it first rather than writing over it.
            name.replaceSubrange(name.startIndex ..< name.index(after: name.startIndex), with: String(round % 10))
        }
    }
}
