/// Names (strings, mostly) numbered in the order they are first seen, the last one asked for kept at
/// hand: events arrive a source at a time, so nearly every lookup is the one before, and a long path is
/// not hashed again.
struct InternTable<Name: Hashable> {
    private(set) var names: [Name] = []
    private var numbers: [Name: Int] = [:]
    private var last: (name: Name, number: Int)?

    /// The number of `name`, and whether this is the first time it is seen.
    mutating func number(of name: Name) -> (number: Int, isNew: Bool) {
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
    func existingNumber(of name: Name) -> Int? { numbers[name] }
}
