/// DNS and mDNS messages: the questions, and the answers' addresses, CNAMEs and TTLs. Names follow
/// compression pointers a bounded number of times, so a pointer loop ends as a malformed name, not a hang.
struct DNSMessage {
    /// An answer; its owner name is not kept (nothing reads it), only walked past.
    struct Record {
        let type: UInt16
        let ttl: UInt32
        /// An address, a target name (CNAME, PTR, NS) or nil for other data.
        let data: String?
    }

    let id: UInt16
    let isResponse: Bool
    let responseCode: UInt8
    let questions: [(name: String, type: UInt16)]
    let answers: [Record]

    static let maxPointerJumps = 64
    static let maxRecords = 256

    /// `questionsOnly` stops after the first question: a query's answers section is empty anyway.
    static func parse(_ bytes: UnsafeRawBufferPointer, questionsOnly: Bool = false) -> DNSMessage? {
        let reader = ByteOrderedReader(bytes: bytes, bigEndian: true)
        guard let id = reader.u16(0), let flags = reader.u16(2), let questionCount = reader.u16(4), let answerCount = reader.u16(6)
        else { return nil }
        var offset = 12
        var questions: [(name: String, type: UInt16)] = []
        for _ in 0 ..< min(Int(questionCount), questionsOnly ? 1 : maxRecords) {
            guard let (name, next) = readName(bytes, at: offset), let type = reader.u16(next) else { return nil }
            questions.append((name, type))
            offset = next + 4
        }
        var answers: [Record] = []
        for _ in 0 ..< (questionsOnly ? 0 : min(Int(answerCount), maxRecords)) {
            guard let next = skipName(bytes, at: offset), let type = reader.u16(next), let ttl = reader.u32(next + 4),
                  let length = reader.u16(next + 8), next + 10 + Int(length) <= bytes.count else { break }
            let start = next + 10
            let rdata = UnsafeRawBufferPointer(rebasing: bytes[start ..< start + Int(length)])
            var data: String?
            switch type {
            case 1 where length == 4: data = AddressText.ipv4(rdata)
            case 28 where length == 16: data = AddressText.ipv6(rdata)
            case 5, 12, 2: data = readName(bytes, at: start)?.name
            default: data = nil
            }
            answers.append(Record(type: type, ttl: ttl, data: data))
            offset = start + Int(length)
        }
        return DNSMessage(id: id, isResponse: flags & 0x8000 != 0, responseCode: UInt8(flags & 0x000F), questions: questions,
                          answers: answers)
    }

    /// A possibly compressed name at `offset`, and the offset just after it in the message. The name is
    /// gathered as bytes on the stack (a name is at most 255 bytes) and made a string once.
    static func readName(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (name: String, next: Int)? {
        withUnsafeTemporaryAllocation(byteCount: maxNameLength + 1, alignment: 1) { text in
            walkName(bytes, at: offset, into: text.baseAddress).map { walked in
                (EscapedText.escaping(UnsafeRawBufferPointer(rebasing: text[0 ..< walked.length])), walked.next)
            }
        }
    }

    /// The offset just after a name, checked as `readName` checks it but not made a string.
    static func skipName(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        walkName(bytes, at: offset, into: nil)?.next
    }

    static let maxNameLength = 255

    /// Follows a name's labels and pointers: its length as text, the offset after it, its text written to
    /// `text` (room for `maxNameLength` bytes) when given.
    private static func walkName(_ bytes: UnsafeRawBufferPointer, at offset: Int, into text: UnsafeMutableRawPointer?)
        -> (length: Int, next: Int)? {
        var length = 0
        var position = offset
        var next: Int?
        var jumps = 0
        while true {
            guard position < bytes.count else { return nil }
            let size = Int(bytes[position])
            if size == 0 {
                return (length, next ?? position + 1)
            } else if size & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count, jumps < maxPointerJumps else { return nil }
                if next == nil { next = position + 2 }
                position = (size & 0x3F) << 8 | Int(bytes[position + 1])
                jumps += 1
            } else if size & 0xC0 == 0 {
                guard position + 1 + size <= bytes.count, length + size + 1 <= maxNameLength else { return nil }
                if length > 0 {
                    text?.storeBytes(of: UInt8(ascii: "."), toByteOffset: length, as: UInt8.self)
                    length += 1
                }
                text?.advanced(by: length).copyMemory(from: bytes.baseAddress! + position + 1, byteCount: size)
                length += size
                position += 1 + size
            } else {
                return nil
            }
        }
    }

    static func typeName(_ type: UInt16) -> String {
        switch type {
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 12: "PTR"
        case 15: "MX"
        case 16: "TXT"
        case 28: "AAAA"
        case 33: "SRV"
        case 65: "HTTPS"
        case 255: "ANY"
        default: String(type)
        }
    }

    static func responseCodeName(_ code: UInt8) -> String {
        switch code {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 5: "REFUSED"
        default: String(code)
        }
    }
}
