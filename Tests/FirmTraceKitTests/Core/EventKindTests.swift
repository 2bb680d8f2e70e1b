import Testing
@testable import FirmTraceKit

@Suite("event kinds")
struct EventKindTests {
    @Test("a kind made from a declared kind's name is that kind, equal and hashed alike", arguments: EventKind.all)
    func declaredKindFromItsName(_ kind: EventKind) {
        let named = EventKind(rawValue: kind.rawValue)
        #expect(named == kind)
        #expect(named.hashValue == kind.hashValue)
        #expect(Set(EventKind.all).count == EventKind.all.count, "every declared kind is distinct")
    }

    @Test("kinds of other names equal each other by name, and no declared kind")
    func undeclaredKindsByName() {
        let custom = EventKind(rawValue: "vendor.custom")
        #expect(custom == EventKind(rawValue: "vendor.custom"))
        #expect(custom != EventKind(rawValue: "vendor.other"))
        #expect(!EventKind.all.contains(custom))
        #expect(EventKind(rawValue: "") != .tuyaLine)
    }
}
