/// The first flight of a TLS client: record and handshake headers, then the ClientHello's version, SNI and
/// ALPN. Every length is checked against what encloses it.
struct TLSClientHello {
    let version: UInt16
    let serverName: String?
    let alpn: [String]

    /// The length of the TLS record at the start of `bytes` when it opens a handshake, for reassembly.
    static func recordLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 6, bytes[0] == 0x16, bytes[1] == 0x03, bytes[5] == 0x01 else { return nil }
        return 5 + (Int(bytes[3]) << 8 | Int(bytes[4]))
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> TLSClientHello? {
        guard let recordEnd = recordLength(bytes).map({ min($0, bytes.count) }) else { return nil }
        let reader = ByteOrderedReader(bytes: UnsafeRawBufferPointer(rebasing: bytes[0 ..< recordEnd]), bigEndian: true)
        guard let version = reader.u16(9) else { return nil }
        var offset = 11 + 32
        guard offset < recordEnd else { return nil }
        offset += 1 + Int(bytes[offset])                                // session id
        guard let suites = reader.u16(offset) else { return nil }
        offset += 2 + Int(suites)
        guard offset < recordEnd else { return nil }
        offset += 1 + Int(bytes[offset])                                // compression methods
        var serverName: String?
        var alpn: [String] = []
        var highestOffered = version
        guard let extensionsLength = reader.u16(offset) else { return TLSClientHello(version: version, serverName: nil, alpn: []) }
        offset += 2
        let extensionsEnd = min(recordEnd, offset + Int(extensionsLength))
        while offset + 4 <= extensionsEnd, let type = reader.u16(offset), let length = reader.u16(offset + 2) {
            let body = offset + 4, bodyEnd = min(extensionsEnd, body + Int(length))
            switch type {
            case 0:
                if let nameLength = reader.u16(body + 3), body + 5 + Int(nameLength) <= bodyEnd {
                    serverName = EscapedText.escaping(UnsafeRawBufferPointer(rebasing: bytes[body + 5 ..< body + 5 + Int(nameLength)]))
                }
            case 16:
                var position = body + 2
                while position < bodyEnd {
                    let size = Int(bytes[position])
                    guard position + 1 + size <= bodyEnd else { break }
                    alpn.append(EscapedText.escaping(UnsafeRawBufferPointer(rebasing: bytes[position + 1 ..< position + 1 + size])))
                    position += 1 + size
                }
            case 43:
                // supported_versions: TLS 1.3 keeps the legacy field at 1.2 and offers itself here.
                var position = body + 1
                while position + 2 <= bodyEnd, let offered = reader.u16(position) {
                    if offered & 0x0F0F != 0x0A0A, offered > highestOffered, offered <= 0x0304 { highestOffered = offered }
                    position += 2
                }
            default:
                break
            }
            offset = body + Int(length)
        }
        return TLSClientHello(version: highestOffered, serverName: serverName, alpn: alpn)
    }

    static func versionName(_ version: UInt16) -> String {
        switch version {
        case 0x0300: "SSL 3.0"
        case 0x0301: "TLS 1.0"
        case 0x0302: "TLS 1.1"
        case 0x0303: "TLS 1.2"
        case 0x0304: "TLS 1.3"
        default: "0x" + String(version, radix: 16)
        }
    }
}

/// `GET /gslb?… HTTP/1.1` and its Host header, from the first segment of a request.
struct HTTPRequest {
    let method: String
    let path: String
    let host: String?
    let userAgent: String?

    static let methods = ["GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "]

    static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPRequest? {
        guard let method = methods.first(where: { method in bytes.starts(with: method.utf8) }) else { return nil }
        // Split over the bytes, each piece made text (invalid bytes escaped) once it is wanted: split
        // Character-wise at "\r\n" and case-folded line by line, a request cost some 160,000 instructions.
        let head = UnsafeRawBufferPointer(rebasing: bytes.prefix(8192))
        func text(_ range: Range<Int>) -> String { EscapedText.escaping(UnsafeRawBufferPointer(rebasing: head[range])) }
        /// The text without the blanks around it, as Foundation trims `.whitespaces`: spaces and tabs cut from
        /// the bytes, Foundation asked only when a non-ASCII byte is left at an end (it knows Unicode's other
        /// spaces). Asked for every header, it was a tenth of decoding a request.
        func trimmedText(_ range: Range<Int>) -> String {
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var (start, end) = (range.lowerBound, range.upperBound)
            while start < end, isBlank(head[start]) { start += 1 }
            while end > start, isBlank(head[end - 1]) { end -= 1 }
            guard start < end else { return "" }
            if head[start] < 0x80, head[end - 1] < 0x80 { return text(start ..< end) }
            return text(start ..< end).trimmingCharacters(in: .whitespaces)
        }
        var lines: [Range<Int>] = []
        var start = 0
        while let end = ByteSearch.firstIndex(ofPair: 0x0D, 0x0A, in: head, from: start) {
            lines.append(start ..< end)
            start = end + 2
        }
        lines.append(start ..< head.count)
        let words = head[lines[0]].split(separator: UInt8(ascii: " ")).map { $0.startIndex ..< $0.endIndex }
        guard words.count >= 3, head[words[words.count - 1]].starts(with: "HTTP/".utf8) else { return nil }
        /// The value of the first line after the request line that starts with `name` and a colon, in any case.
        func header(_ name: String) -> String? {
            let name = Array(name.utf8)
            let line = lines.dropFirst().first { line in
                line.count > name.count && head[line.lowerBound + name.count] == UInt8(ascii: ":")
                    && zip(head[line.lowerBound ..< line.lowerBound + name.count], name).allSatisfy { byte, wanted in
                        (UInt8(ascii: "A") ... UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 == wanted : byte == wanted
                    }
            }
            return line.map { trimmedText($0.lowerBound + name.count + 1 ..< $0.upperBound) }
        }
        return HTTPRequest(method: String(method.dropLast()), path: text(words[1]), host: header("host"), userAgent: header("user-agent"))
    }
}

/// SSDP over UDP 1900: the request or status line and the headers that identify the device.
struct SSDPMessage {
    let startLine: String
    let headers: [(String, String)]

    static func parse(_ bytes: UnsafeRawBufferPointer) -> SSDPMessage? {
        let text = EscapedText.escaping(UnsafeRawBufferPointer(rebasing: bytes.prefix(4096)))
        let lines = text.split(separator: "\r\n").map(String.init)
        guard let first = lines.first, first.hasSuffix("HTTP/1.1") || first.hasPrefix("HTTP/1.1") else { return nil }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return SSDPMessage(startLine: first, headers: headers)
    }
}
