/// What an rrlogd bundle's folder name says: `NNNNNN.YYYYMMDDhhmmssmmm_SERIAL_VERSION`. It becomes fields
/// of every event from the bundle, and the year of last resort.
struct RRLogBundle: Sendable, Hashable {
    let number: String
    /// The pack time as written (device local time), `2022-07-10T03:35:00.000`.
    let packed: String
    let year: Int64
    let serial: String
    let firmware: String

    /// The first component of a source chain that is a bundle name, if any.
    static func find(in chain: [String]) -> RRLogBundle? {
        for step in chain {
            for component in step.split(separator: "/").reversed() {
                if let bundle = parse(component) { return bundle }
            }
        }
        return nil
    }

    static func parse(_ name: Substring) -> RRLogBundle? {
        var stem = name
        for suffix in [".tar.gz", ".tar.zst", ".tar.xz", ".tgz", ".tar"] where stem.hasSuffix(suffix) {
            stem = stem.dropLast(suffix.count)
        }
        let parts = stem.split(separator: "_")
        guard parts.count >= 3 else { return nil }
        let head = parts[0].split(separator: ".")
        guard head.count == 2, head[0].count == 6, head[0].allSatisfy(\.isNumber), head[1].count == 17, head[1].allSatisfy(\.isNumber)
        else { return nil }
        let digits = Array(head[1])
        func text(_ range: Range<Int>) -> String { String(digits[range]) }
        guard let year = Int64(text(0 ..< 4)) else { return nil }
        let packed = "\(text(0 ..< 4))-\(text(4 ..< 6))-\(text(6 ..< 8))T\(text(8 ..< 10)):\(text(10 ..< 12)):\(text(12 ..< 14)).\(text(14 ..< 17))"
        return RRLogBundle(number: String(head[0]), packed: packed, year: year, serial: String(parts[1]),
                           firmware: parts[2...].joined(separator: "_"))
    }

    func addFields(to fields: inout EventFields) {
        fields.set("bundle_serial", serial)
        fields.set("bundle_firmware", firmware)
        fields.set("bundle_packed", packed)
    }
}
