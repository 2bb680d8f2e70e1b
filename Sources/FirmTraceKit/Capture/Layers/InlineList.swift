/// Up to four values kept inline: a packet's IP headers, transport headers and VLAN tags fit, and
/// dissecting a packet allocates nothing. Appends beyond four are dropped (no real packet nests deeper).
public struct InlineList<Element>: RandomAccessCollection {
    private var storage: (Element?, Element?, Element?, Element?) = (nil, nil, nil, nil)
    public private(set) var count = 0

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Element {
        switch position {
        case 0: storage.0!
        case 1: storage.1!
        case 2: storage.2!
        default: storage.3!
        }
    }

    public mutating func append(_ element: Element) {
        switch count {
        case 0: storage.0 = element
        case 1: storage.1 = element
        case 2: storage.2 = element
        case 3: storage.3 = element
        default: return
        }
        count += 1
    }

    public var isFull: Bool { count == 4 }
}
