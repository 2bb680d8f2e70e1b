/// Instants worth reasoning about: 1938 to 2223. A capture's clock can say anything (a pcapng timestamp is
/// 64 bits of any unit), and arithmetic between instants outside this range and ordinary ones would not
/// fit in 64 bits; the analyses (correlation, the report) leave such instants out, so every difference of
/// two instants they take fits.
enum PlausibleTime {
    static let range: ClosedRange<Int64> = -1_000_000_000_000_000_000 ... 8_000_000_000_000_000_000
}
