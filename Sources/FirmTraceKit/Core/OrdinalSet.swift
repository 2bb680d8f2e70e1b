/// Ordinals (those with links, those that are findings) as bits: asked once for every event of a
/// timeline and for every packet the correlation weighs, where a dictionary lookup would cost more than
/// the rest of the work on it.
struct OrdinalSet {
    private var words: [UInt64] = []

    init(_ ordinals: some Sequence<Int>) {
        for ordinal in ordinals where ordinal >= 0 {
            let word = ordinal >> 6
            if word >= words.count { words += repeatElement(0, count: word - words.count + 1) }
            words[word] |= 1 << UInt64(ordinal & 63)
        }
    }

    func contains(_ ordinal: Int) -> Bool {
        let word = ordinal >> 6
        return ordinal >= 0 && word < words.count && words[word] & (1 << UInt64(ordinal & 63)) != 0
    }
}
