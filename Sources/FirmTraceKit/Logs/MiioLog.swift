/// `[YYYYMMDD hh:mm:ss] [I|W|E] function:line, message` from Xiaomi's miio_client, in UTC. Lines without
/// the prefix (HTTP response headers and bodies, helper output) belong to the event before them.
struct MiioLinePrefix {
    var stamp: DeviceStamp
    var level: UInt8
    var deviceTime: Range<Int>
    var function: Range<Int>
    var message: Range<Int>

    static func parse(_ line: UnsafeRawBufferPointer) -> MiioLinePrefix? {
        guard line.count >= 24, line[0] == UInt8(ascii: "["), line[9] == UInt8(ascii: " "), line[18] == UInt8(ascii: "]"),
              line[12] == UInt8(ascii: ":"), line[15] == UInt8(ascii: ":") else { return nil }
        func number(_ start: Int, _ width: Int) -> Int64? {
            var value: Int64 = 0
            for index in start ..< start + width {
                let digit = line[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(1, 4), let month = number(5, 2), let day = number(7, 2), let hour = number(10, 2),
              let minute = number(13, 2), let second = number(16, 2), (1 ... 12).contains(month), (1 ... 31).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var cursor = 19
        while cursor < line.count, line[cursor] == UInt8(ascii: " ") { cursor += 1 }
        guard cursor + 3 <= line.count, line[cursor] == UInt8(ascii: "["), line[cursor + 2] == UInt8(ascii: "]") else { return nil }
        let level = line[cursor + 1]
        cursor += 3
        while cursor < line.count, line[cursor] == UInt8(ascii: " ") { cursor += 1 }
        let functionStart = cursor
        let comma = ByteSearch.firstIndex(of: UInt8(ascii: ","), in: line, from: cursor) ?? line.count
        var messageStart = comma
        if messageStart < line.count { messageStart += 1 }
        while messageStart < line.count, line[messageStart] == UInt8(ascii: " ") { messageStart += 1 }
        return MiioLinePrefix(stamp: DeviceStamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second),
                              level: level, deviceTime: 1 ..< 18, function: functionStart ..< comma,
                              message: messageStart ..< line.count)
    }
}

enum MiioMessage {
    static func kind(function: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> EventKind {
        if ByteSearch.contains("http_dns", in: function) || ByteSearch.contains("HTTP-DNS", in: message) { return .miioHTTPDNS }
        if ByteSearch.contains("connect", in: function), ByteSearch.contains("server", in: message) { return .miioServerConnection }
        return .miioLine
    }

    /// Host, server, port and did from the message; HTTP status and `Date:` from continuation lines.
    static func fields(kind: EventKind, message: String, continuation: [String], into fields: inout EventFields) {
        let words = message.split(separator: " ")
        func word(after marker: Substring) -> Substring? {
            guard let index = words.firstIndex(of: marker), index + 1 < words.count else { return nil }
            let found = words[index + 1]
            return found.hasSuffix(",") || found.hasSuffix(":") ? found.dropLast() : found
        }
        if let did = word(after: "did") { fields.set("did", String(did)) }
        switch kind {
        case .miioHTTPDNS:
            if let host = word(after: "for") { fields.set("host", String(host)) }
            if let server = word(after: "to") {
                if let colon = server.lastIndex(of: ":"), let port = Int64(server[server.index(after: colon)...]) {
                    fields.set("server", String(server[..<colon]))
                    fields.set("port", port)
                } else {
                    fields.set("server", String(server))
                }
            }
        case .miioServerConnection:
            if let host = word(after: "server") { fields.set("host", String(host)) }
            if let port = word(after: "port").flatMap({ Int64($0) }) { fields.set("port", port) }
            if message.contains("failed") { fields.set("result", "failed") }
        default: break
        }
        for line in continuation {
            if line.hasPrefix("HTTP/"), let status = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) }) {
                fields.set("http_status", status)
            } else if line.hasPrefix("Date:") {
                // The server's clock as the device received it: evidence for the device clock's offset.
                let value = String(line.dropFirst(5).drop { $0 == " " }.trimmingTrailingWhitespace)
                fields.set("http_date", value)
                if let seconds = HTTPDate.parse(value) { fields.set("http_date_epoch", seconds) }
            }
        }
    }
}

/// RFC 7231 dates (`Sat, 09 Jul 2022 16:31:33 GMT`), parsed by hand: no `DateFormatter` per line.
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Nil for anything but a date of years 1970 to 9999 with each part in its range: the header is
    /// whatever the log holds, and a day of `9223372036854775807` must not reach the calendar arithmetic.
    static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]), (1 ... 31).contains(day),
              let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int64(parts[3]), (1970 ... 9999).contains(year) else { return nil }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false).map { Int64($0) }
        guard time.count == 3, let hour = time[0], let minute = time[1], let second = time[2],
              (0 ... 23).contains(hour), (0 ... 59).contains(minute), (0 ... 60).contains(second) else { return nil }
        return UTCDateTime.epochSeconds(year: year, month: Int64(monthIndex + 1), day: day, hour: hour, minute: minute, second: second)
    }
}

/// `[    2.306924] message`: kernel and boot logs stamped with seconds since boot.
struct KernelLinePrefix {
    var uptimeMicroseconds: Int64
    var uptime: Range<Int>
    var message: Range<Int>

    static func parse(_ line: UnsafeRawBufferPointer) -> KernelLinePrefix? {
        guard line.first == UInt8(ascii: "["), let close = ByteSearch.firstIndex(of: UInt8(ascii: "]"), in: line), close <= 24 else { return nil }
        var index = 1
        while index < close, line[index] == UInt8(ascii: " ") { index += 1 }
        let start = index
        var seconds: Int64 = 0, micros: Int64 = 0, fractionDigits = 0, sawDot = false, digits = 0
        while index < close {
            let byte = line[index]
            if byte == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else if byte &- UInt8(ascii: "0") < 10 {
                if sawDot {
                    if fractionDigits < 6 { micros = micros * 10 + Int64(byte - 48); fractionDigits += 1 }
                } else {
                    seconds = seconds * 10 + Int64(byte - 48)
                    digits += 1
                    guard digits <= 12 else { return nil }
                }
            } else {
                return nil
            }
            index += 1
        }
        guard sawDot, digits > 0, fractionDigits > 0 else { return nil }
        while fractionDigits < 6 { micros *= 10; fractionDigits += 1 }
        var messageStart = close + 1
        if messageStart < line.count, line[messageStart] == UInt8(ascii: " ") { messageStart += 1 }
        return KernelLinePrefix(uptimeMicroseconds: seconds * 1_000_000 + micros, uptime: start ..< close, message: messageStart ..< line.count)
    }
}
