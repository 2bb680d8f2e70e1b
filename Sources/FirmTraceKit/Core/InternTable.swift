/// Strings numbered in the order they are first seen, the last one asked for kept at hand: events arrive
/// a source at a time, so nearly every lookup is the one before, and a long path is not hashed again.
struct InternTable {
    private(set) var names: [String] = []
    private var numbers: [String: Int] = [:]
    private var last: (name: String, number: Int)?

    /// The number of `name`, and whether this is the first time it is seen.
    mutating func number(of name: String) -> (number: Int, isNew: Bool) {
        if let last, last.name == name { return (last.number, false) }
        var isNew = false
        let number: Int
        if let known = numbers[name] {
            number = known
        } else {
            number = names.count
            names.append(name)
            numbers[name] = number
            isNew = true
        }
        last = (name, number)
        return (number, isNew)
    }

    /// The number of a name already seen.
    func existingNumber(of name: String) -> Int? { numbers[name] }
}
