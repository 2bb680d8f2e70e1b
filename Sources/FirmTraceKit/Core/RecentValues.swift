/// The values of the last few keys kept, found by comparing keys, not hashing them: the correlation asks
/// for the same few hosts and endpoints line after line and packet after packet, and making and interning
/// a key's text each time cost more than the rest of taking the event in.
struct RecentValues<Key: Equatable, Value> {
    private var entries: [(key: Key, value: Value)] = []
    /// Where the next value kept goes once all places are taken: the one kept longest ago.
    private var next = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    subscript(key: Key) -> Value? {
        entries.first { $0.key == key }?.value
    }

    mutating func keep(_ value: Value, for key: Key) {
        guard entries.count == capacity else {
            entries.append((key, value))
            return
        }
        entries[next] = (key, value)
        next = (next + 1) % capacity
    }
}
