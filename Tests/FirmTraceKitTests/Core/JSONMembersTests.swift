import Testing
@testable import FirmTraceKit

@Suite("JSON members")
struct JSONMembersTests {
    /// What `members` must give: what the full parse gives, each nested object or array as its `jsonText`.
    static func expected(_ text: String) -> Result<[(key: String, value: JSONParser.MemberValue)]?, JSONParseError> {
        do throws(JSONParseError) {
            guard case .object(let members) = try JSONParser.parse(text) else { return .success(nil) }
            return .success(members.map { member in
                switch member.value {
                case .object, .array: (member.key, .compound(text: member.value.jsonText))
                default: (member.key, .value(member.value))
                }
            })
        } catch {
            return .failure(error)
        }
    }

    static func members(_ text: String) -> Result<[(key: String, value: JSONParser.MemberValue)]?, JSONParseError> {
        do throws(JSONParseError) {
            return .success(try JSONParser.members(text[...]))
        } catch {
            return .failure(error)
        }
    }

    static func same(_ text: String) -> Bool {
        switch (members(text), expected(text)) {
        case (.success(let ours?), .success(let theirs?)):
            ours.count == theirs.count && zip(ours, theirs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.success(nil), .success(nil)): true
        // A value that is no object is for `parse` to read: `members` leaves it alone, whatever it holds.
        case (.success(nil), .failure): !text.drop { " \t\r\n".contains($0) }.hasPrefix("{")
        case (.failure(let ours), .failure(let theirs)): ours == theirs
        default: false
        }
    }

    @Test("an object's members are the full parse's, nested values as their compact text, failures the same", arguments: [
        #"{"result":{"devId":"bf7e9b4aacf4f733d8o3zz","count":0,"lastFetchTime":0},"t":1659517170,"success":true}"#,
        #"{"id":889,"result":[{"msg_ver":2,"state":8,"battery":100}],"method":"m","params":["a b",1.5e3,null,false]}"#,
        #" { "spaced" : [ 1 , { "a" : "b c" } ] , "tab":"# + "\t" + #"{"x":[]} } "#,
        #"{"escaped":{"a":"say \"hi\"\n","b":"\/"},"unicode":["é","\u00e9","\ud83d\ude00","\ud83d"]}"#,
        #"{"empty":{},"none":[],"nested":[[[]]],"same":1,"same":{"twice":true}}"#,
        #"{"number":[-0.5,1E+2,00012]}"#,
        #"{}"#,
        #"[{"not":"an object"}]"#, #""text""#, "12", "",
        #"{"bad number":[1.2.3]}"#, #"{"bad":{"a":tru}}"#, #"{"open":[1,2"#, #"{"control":{"a":"x"#+"\u{01}"+#""}}"#,
        #"{"a":1} trailing"#, #"{"a":{"b":1},}"#, #"{"a" 1}"#, #"{"bad escape":["\q"]}"#, #"{"truncated":{"k":"\u12"}}"#,
        String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
        #"{"deep":"# + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}",
        #"{"deep":"# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}",
    ])
    func membersAreTheParse(_ text: String) {
        #expect(Self.same(text), "\(text.debugDescription)")
    }

    /// Objects written with every kind of value, white space and escape, then cut and altered at random:
    /// the two readers must agree on each, valid or not.
    @Test("generated and damaged objects read the same as by the full parse")
    func generatedObjects() {
        var random = SeededGenerator(seed: 0x5EED)
        // Nested values taken as written, nested values written again, and failures: each must be met.
        var (asWritten, rewritten, failures) = (0, 0, 0)
        for _ in 0 ..< 3_000 {
            var text = Self.object(depth: 0, &random)
            if random.next() % 3 == 0, !text.isEmpty {
                var bytes = Array(text.utf8)
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes.removeSubrange(position...)
                case 1:
                    let tokens = Array(#"{}[],:"\ 1ae-"#.utf8)
                    bytes[position] = tokens[Int(random.next() % UInt64(tokens.count))]
                default: bytes.remove(at: position)
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            #expect(Self.same(text), "\(text.debugDescription)")
            switch Self.members(text) {
            case .success(let members?):
                for case (_, .compound(let compact)) in members {
                    if text.contains(compact) { asWritten += 1 } else { rewritten += 1 }
                }
            case .success(nil): break
            case .failure: failures += 1
            }
        }
        #expect(asWritten > 100 && rewritten > 100 && failures > 100, "\(asWritten) \(rewritten) \(failures)")
    }

    static func object(depth: Int, _ random: inout SeededGenerator) -> String {
        let count = Int(random.next() % 4)
        let members = (0 ..< count).map { _ in
            space(&random) + string(&random) + space(&random) + ":" + space(&random) + value(depth: depth + 1, &random) + space(&random)
        }
        return "{" + space(&random) + members.joined(separator: ",") + "}"
    }

    static func value(depth: Int, _ random: inout SeededGenerator) -> String {
        switch random.next() % (depth > 3 ? 5 : 7) {
        case 0: return string(&random)
        case 1: return ["0", "-12", "1.5", "2e10", "1659517170", "-0.25E-3"][Int(random.next() % 6)]
        case 2: return ["true", "false"][Int(random.next() % 2)]
        case 3: return "null"
        case 4: return string(&random)
        case 5: return object(depth: depth, &random)
        default:
            let count = Int(random.next() % 4)
            let values = (0 ..< count).map { _ in space(&random) + value(depth: depth + 1, &random) + space(&random) }
            return "[" + values.joined(separator: ",") + "]"
        }
    }

    static func string(_ random: inout SeededGenerator) -> String {
        let pieces = ["a", "devId", " ", "é", #"\""#, #"\\"#, #"\/"#, #"\n"#, #"\u00e9"#, #"\ud83d\ude00"#, "x y", "7"]
        let count = Int(random.next() % 4)
        return "\"" + (0 ..< count).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined() + "\""
    }

    static func space(_ random: inout SeededGenerator) -> String {
        random.next() % 4 == 0 ? [" ", "\t", "\r\n", "  "][Int(random.next() % 4)] : ""
    }
}
