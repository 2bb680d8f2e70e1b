import ArgumentParser
import FirmTraceKit

/// What to assume for device-local logs whose lines carry no epoch.
struct ClockOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The device's zone when no line gives it, like +10:00 or -03:30.", valueName: "offset"))
    var tz: String?

    @Option(help: ArgumentHelp("The year when no epoch, archive member mtime or bundle name gives it.", valueName: "year"))
    var year: Int64?

    var zoneSeconds: Int64? { tz.flatMap(Self.parseZone) }

    func validate() throws {
        if let tz, Self.parseZone(tz) == nil { throw ValidationError("--tz: '\(tz)' is not an offset like +10:00") }
        if let year, !(1970 ... 9999).contains(year) { throw ValidationError("--year: \(year) is out of range") }
    }

    /// `+10:00`, `-0330`, `UTC+10`, `+5:45`, and `UTC` or ISO 8601's `Z` for no offset.
    static func parseZone(_ text: String) -> Int64? {
        var rest = Substring(text.uppercased())
        if rest == "Z" { return 0 }
        if rest.hasPrefix("UTC") { rest = rest.dropFirst(3) }
        guard let sign = rest.first, sign == "+" || sign == "-" else { return rest.isEmpty ? 0 : nil }
        guard rest.dropFirst().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":") }) else { return nil }
        let digits = rest.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        var hours: Int64?, minutes: Int64 = 0
        if digits.count == 2 {
            hours = Int64(digits[0])
            guard let value = Int64(digits[1]) else { return nil }
            minutes = value
        } else if let whole = digits.first, whole.count == 4 {
            hours = Int64(whole.prefix(2))
            minutes = Int64(whole.suffix(2)) ?? 99
        } else if let whole = digits.first {
            hours = Int64(whole)
        }
        guard let hours, hours <= 14, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }
}
