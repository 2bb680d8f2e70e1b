import Testing
@testable import FirmTraceKit

/// `RepeatedStringText` hands back the text written for a string it has seen, known by the string's
/// identity; what it appends must be what writing the string afresh appends, whichever string it comes in.
@Suite("repeated string text")
struct RepeatedStringTextTests {
    static let forms: [RepeatedStringText.Form] = [.csvField, .jsonKey, .jsonKeyDoublingQuotes]

    private static func written(_ text: String, as form: RepeatedStringText.Form, through strings: RepeatedStringText?) -> [UInt8] {
        var out = ByteBuffer()
        out.append("{")
        if let strings {
            strings.append(text, as: form, to: &out)
        } else {
            switch form {
            case .csvField: EventBytes.appendCSVField(text, to: &out)
            case .jsonKey, .jsonKeyDoublingQuotes:
                EventBytes.appendJSONString(text, to: &out, doublingQuotes: form == .jsonKeyDoublingQuotes)
                out.append(UInt8(ascii: ":"))
            }
        }
        return out.array
    }

    @Test("small, literal, heap-made, quoted, escaped and long strings, more than the slots hold, are written as afresh in every form")
    func stringsAreWrittenAsAfresh() {
        var generator = SeededGenerator(seed: 35)
        let literals = ["src_ip", "dst_port", "a_name_longer_than_fifteen_bytes", "quote\"d", "comma,d", "tab\there", "line\nbreak",
                        "é", ""]
        let made = (0 ..< 900).map { "field_\($0)_" + String(repeating: "x", count: $0 % 40) }
        let long = String(repeating: "long\"name", count: 20)
        let strings = RepeatedStringText()
        for _ in 0 ..< 30_000 {
            let text: String = switch Int.random(in: 0 ..< 4, using: &generator) {
            case 0: literals.randomElement(using: &generator)!
            case 1: made[Int.random(in: 0 ..< (Bool.random(using: &generator) ? 40 : made.count), using: &generator)]
            // A copy in storage of its own each time: equal to a kept string, but not the same string.
            case 2: String(decoding: Array(made[Int.random(in: 0 ..< 40, using: &generator)].utf8), as: UTF8.self)
            default: long
            }
            let form = Self.forms.randomElement(using: &generator)!
            #expect(Self.written(text, as: form, through: strings) == Self.written(text, as: form, through: nil))
        }
    }

    @Test("a string changed in place after it was kept is written with its new text")
    func changedStrings() {
        let strings = RepeatedStringText()
        var text = String(repeating: "n", count: 40)
        for round in 0 ..< 100 {
            for _ in 0 ..< 3 {
                #expect(Self.written(text, as: .jsonKey, through: strings) == Self.written(text, as: .jsonKey, through: nil))
            }
            // The kept string shares the storage, so this change copies it first rather than writing over it.
            text.replaceSubrange(text.startIndex ..< text.index(after: text.startIndex), with: String(round % 10))
        }
    }
}
