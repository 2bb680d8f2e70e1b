/// A zone offset as people write it: `UTC+10:00`.
enum ZoneText {
    static func format(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        return "UTC\(sign)\(String(magnitude / 3600).leftPadded(to: 2)):\(String(magnitude / 60 % 60).leftPadded(to: 2))"
    }
}
