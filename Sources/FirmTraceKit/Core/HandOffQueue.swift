/// Values gathered in order, then handed on by moving each out once. An `Array` can only lend its elements,
/// which are then copied (every string in an event retained, and released again with the array), or be
/// left holding an empty value in place of each one moved out, which costs a copy and a destruction of its
/// own: either way four to five hundred instructions an event, at every hand-over on the way from a log
/// line to a timeline.
final class HandOffQueue<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    private init(storage: UnsafeMutablePointer<Element>, capacity: Int, count: Int) {
        (self.storage, self.capacity, self.count) = (storage, capacity, count)
    }

    /// A queue holding this one's elements, this one left empty with room for `capacity`: a queue kept in
    /// a constant, whose holder need not retain it around each element appended.
    func takeAll(leavingCapacity capacity: Int) -> HandOffQueue {
        let taken = HandOffQueue(storage: storage, capacity: self.capacity, count: count)
        self.capacity = max(1, capacity)
        storage = .allocate(capacity: self.capacity)
        count = 0
        return taken
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    func append(_ element: consuming Element) {
        if count == capacity {
            let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            (storage, capacity) = (larger, capacity * 2)
        }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// Moves the elements out to `body` in order, until it returns false; the queue is empty afterwards,
    /// what was not handed on destroyed.
    func drain(_ body: (consuming Element) -> Bool) {
        var next = 0
        defer {
            (storage + next).deinitialize(count: count - next)
            count = 0
        }
        while next < count {
            let element = (storage + next).move()
            next += 1
            guard body(consume element) else { return }
        }
    }
}
