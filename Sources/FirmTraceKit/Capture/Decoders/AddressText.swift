/// Addresses as text, formatted by hand (no `inet_ntop` round trip per packet): dotted IPv4, RFC 5952
/// IPv6 (longest run of zero groups as `::`, lowercase), colon-separated MAC.
enum AddressText {
    static func ipv4(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count >= 4 else { return "" }
        var text: [UInt8] = []
        text.reserveCapacity(15)
        for index in 0 ..< 4 {
            if index > 0 { text.append(UInt8(ascii: ".")) }
            let value = bytes[index]
            if value >= 100 { text.append(UInt8(ascii: "0") + value / 100) }
            if value >= 10 { text.append(UInt8(ascii: "0") + value / 10 % 10) }
            text.append(UInt8(ascii: "0") + value % 10)
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func ipv6(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count >= 16 else { return "" }
        let groups = (0 ..< 8).map { UInt16(bytes[$0 * 2]) << 8 | UInt16(bytes[$0 * 2 + 1]) }
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            let start = index
            while index < 8, groups[index] == 0 { index += 1 }
            if index - start > bestLength, index - start >= 2 { (bestStart, bestLength) = (start, index - start) }
        }
        func text(_ range: Range<Int>) -> String { range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return text(0 ..< 8) }
        return text(0 ..< bestStart) + "::" + text(bestStart + bestLength ..< 8)
    }

    static func mac(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count >= 6 else { return "" }
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for index in 0 ..< 6 {
            if index > 0 { text.append(UInt8(ascii: ":")) }
            text.append(digits[Int(bytes[index] >> 4)])
            text.append(digits[Int(bytes[index] & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
