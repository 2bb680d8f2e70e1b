import Testing
@testable import FirmTraceKit

/// `RepeatedFieldsText` hands back what was written for an array of fields seen before; whatever it keeps,
/// what it appends must be what writing the fields afresh appends.
@Suite("repeated fields text")
struct RepeatedFieldsTextTests {
    private static func written(_ fields: EventFields, through cache: RepeatedFieldsText?) -> [UInt8] {
        var out = ByteBuffer()
        out.append("prefix,")
        let write = { (fields: EventFields, out: inout ByteBuffer) in
            EventBytes.appendFieldsObject(fields, to: &out, doublingQuotes: true, findingHole: true)
        }
        if let cache { cache.append(fields, to: &out, writing: write) } else { write(fields, &out) }
        return out.array
    }

    @Test("events sharing fields, fresh fields and changed copies, in any order and more than the slots hold, are written as afresh")
    func sharedFreshAndChanged() {
        var generator = SeededGenerator(seed: 34)
        let shared = (0 ..< 900).map { number in
            EventFields([("level", .string(number % 2 == 0 ? "Debug" : "Err\"or")), ("src", .string("mqc_app.c:\(number)")),
                         ("count", .integer(Int64(number)))])
        }
        let cache = RepeatedFieldsText()
        for _ in 0 ..< 20_000 {
            var fields = shared[Int.random(in: 0 ..< (Bool.random(using: &generator) ? 40 : shared.count), using: &generator)]
            switch Int.random(in: 0 ..< 10, using: &generator) {
            case 0: fields.set("level", "Changed")
            case 1: fields = EventFields([("fresh", .integer(Int64.random(in: 0 ... 9, using: &generator)))])
            default: break
            }
            #expect(Self.written(fields, through: cache) == Self.written(fields, through: nil))
        }
    }

    @Test("arrays freed and made again at the same address are each written with their own values")
    func reusedAddresses() {
        let cache = RepeatedFieldsText()
        for number in 0 ..< 5_000 {
            let fields = EventFields([("n", .integer(Int64(number % 7)))])
            for _ in 0 ..< 3 { #expect(Self.written(fields, through: cache) == Self.written(fields, through: nil)) }
        }
    }

    @Test("fields longer than a slot holds, and no fields, are written whole every time")
    func longAndEmpty() {
        let cache = RepeatedFieldsText()
        let long = EventFields([("body", .string(String(repeating: "\"x\",", count: 300)))])
        for fields in [long, long, long, EventFields(), EventFields(), long] {
            #expect(Self.written(fields, through: cache) == Self.written(fields, through: nil))
        }
    }
}
