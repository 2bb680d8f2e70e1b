import Testing
@testable import FirmTraceKit

@Suite("recent values and ordinal sets")
struct RecentValuesTests {
    @Test("a kept value is found by its key until as many newer keys have taken every place")
    func keptUntilReplaced() {
        var recent = RecentValues<String, Int>(capacity: 3)
        #expect(recent["a"] == nil)
        for (number, key) in ["a", "b", "c"].enumerated() { recent.keep(number, for: key) }
        #expect(["a", "b", "c"].map { recent[$0] } == [0, 1, 2])
        recent.keep(3, for: "d")
        #expect(recent["a"] == nil, "the one kept longest ago gives its place up")
        #expect(["b", "c", "d"].map { recent[$0] } == [1, 2, 3])
        recent.keep(4, for: "e")
        recent.keep(5, for: "f")
        recent.keep(6, for: "g")
        #expect(["e", "f", "g"].map { recent[$0] } == [4, 5, 6])
        #expect(["b", "c", "d"].allSatisfy { recent[$0] == nil })
    }

    @Test("equal keys are found whatever storage their text has")
    func equalKeysMatch() {
        var recent = RecentValues<String, Int>(capacity: 2)
        let long = String(repeating: "tuyaeu.com.", count: 4)
        recent.keep(7, for: long)
        #expect(recent[String(decoding: Array(long.utf8), as: UTF8.self)] == 7)
        #expect(recent[long + "x"] == nil)
    }

    @Test("an ordinal set holds exactly the ordinals it was made of, in any order")
    func ordinalSetMembership() {
        let ordinals = [0, 63, 64, 5_000, 127, 1, -4]
        let set = OrdinalSet(ordinals)
        for ordinal in -70 ..< 5_100 {
            #expect(set.contains(ordinal) == (ordinal >= 0 && ordinals.contains(ordinal)), "\(ordinal)")
        }
        #expect(!OrdinalSet([]).contains(0))
    }
}
