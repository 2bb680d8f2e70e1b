import _CryptoExtras
import Crypto

/// Tuya LAN frames: `000055AA seq cmd len [retcode] payload crc 0000AA55` (and `00006699…00009966` for
/// v3.5), big-endian. Discovery broadcasts on UDP 6667 are AES-128-ECB with the key every device shares,
/// `md5("yGAdlopoPVldABfn")`, over bytes [20, len−8); on 6666 they are plain JSON.
struct TuyaFrame {
    let prefix: UInt32
    let sequence: UInt32
    let command: UInt32
    let length: Int
    /// The payload after the header (and return code for 55AA), before the CRC or tag.
    let payload: Range<Int>

    static let prefix55AA: UInt32 = 0x0000_55AA
    static let prefix6699: UInt32 = 0x0000_6699
    static let discoveryKeyBytes = Array(Insecure.MD5.hash(data: Array("yGAdlopoPVldABfn".utf8)))

    static func parse(_ bytes: UnsafeRawBufferPointer) -> TuyaFrame? {
        let reader = ByteOrderedReader(bytes: bytes, bigEndian: true)
        guard let prefix = reader.u32(0) else { return nil }
        if prefix == prefix55AA, let sequence = reader.u32(4), let command = reader.u32(8), let length = reader.u32(12),
           16 + Int(length) <= bytes.count, length >= 12 {
            return TuyaFrame(prefix: prefix, sequence: sequence, command: command, length: Int(length),
                             payload: 20 ..< 16 + Int(length) - 8)
        }
        if prefix == prefix6699, let sequence = reader.u32(6), let command = reader.u32(10), let length = reader.u32(14),
           18 + Int(length) + 4 <= bytes.count {
            return TuyaFrame(prefix: prefix, sequence: sequence, command: command, length: Int(length), payload: 18 ..< 18 + Int(length))
        }
        return nil
    }

    /// The discovery JSON: decrypted for UDP 6667, as is when the payload already is JSON (UDP 6666).
    func discoveryJSON(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        guard prefix == Self.prefix55AA, payload.lowerBound < payload.upperBound, payload.upperBound <= bytes.count else { return nil }
        var body = Array(UnsafeRawBufferPointer(rebasing: bytes[payload]))
        if body.first != UInt8(ascii: "{") {
            guard body.count % 16 == 0, !body.isEmpty else { return nil }
            let key = SymmetricKey(data: Self.discoveryKeyBytes)
            for start in stride(from: 0, to: body.count, by: 16) {
                var block = body[start ..< start + 16]
                guard (try? AES.inversePermute(&block, key: key)) != nil else { return nil }
                body.replaceSubrange(start ..< start + 16, with: block)
            }
            guard let padding = body.last, (1 ... 16).contains(padding), body.suffix(Int(padding)).allSatisfy({ $0 == padding }) else {
                return nil
            }
            body.removeLast(Int(padding))
        }
        return body.withUnsafeBytes { try? JSONParser.parse($0) }
    }
}

/// miIO over UDP 54321: a 32-byte header (magic 0x2131, length, unknown, device id, stamp, checksum), then
/// AES-128-CBC data with key md5(token) and IV md5(key + token).
struct MiioPacket {
    let length: Int
    let deviceID: UInt32
    let stamp: UInt32
    let checksum: String
    let payload: Range<Int>

    static func parse(_ bytes: UnsafeRawBufferPointer) -> MiioPacket? {
        let reader = ByteOrderedReader(bytes: bytes, bigEndian: true)
        guard reader.u16(0) == 0x2131, let length = reader.u16(2), let deviceID = reader.u32(8), let stamp = reader.u32(12),
              bytes.count >= 32 else { return nil }
        let end = min(bytes.count, max(32, Int(length)))
        return MiioPacket(length: Int(length), deviceID: deviceID, stamp: stamp,
                          checksum: UnsafeRawBufferPointer(rebasing: bytes[16 ..< 32]).hexString, payload: 32 ..< end)
    }

    /// The decrypted payload (usually JSON) with the device's 16-byte token.
    func decrypt(_ bytes: UnsafeRawBufferPointer, token: [UInt8]) -> String? {
        guard !payload.isEmpty, payload.count % 16 == 0 else { return nil }
        let key = Array(Insecure.MD5.hash(data: token))
        let iv = Array(Insecure.MD5.hash(data: key + token))
        guard let vector = try? AES._CBC.IV(ivBytes: iv),
              let plain = try? AES._CBC.decrypt(Array(UnsafeRawBufferPointer(rebasing: bytes[payload])), using: SymmetricKey(data: key), iv: vector)
        else { return nil }
        return EscapedText.escaping(Array(plain).filter { $0 != 0 })
    }
}

/// Plain MQTT on TCP 1883: CONNECT (client id, user) and PUBLISH (topic) from the first packet of a segment.
struct MQTTPacket {
    let type: String
    var clientID: String?
    var username: String?
    var topic: String?

    static func parse(_ bytes: UnsafeRawBufferPointer) -> MQTTPacket? {
        guard let first = bytes.first else { return nil }
        // The remaining length: up to four bytes of seven bits each.
        var offset = 1, remaining = 0, shift = 0
        while offset < bytes.count, offset <= 4 {
            remaining |= Int(bytes[offset] & 0x7F) << shift
            shift += 7
            offset += 1
            if bytes[offset - 1] & 0x80 == 0 { break }
        }
        let reader = ByteOrderedReader(bytes: bytes, bigEndian: true)
        func string(at position: Int) -> (String, Int)? {
            guard let length = reader.u16(position), position + 2 + Int(length) <= bytes.count else { return nil }
            return (EscapedText.escaping(UnsafeRawBufferPointer(rebasing: bytes[position + 2 ..< position + 2 + Int(length)])), position + 2 + Int(length))
        }
        switch first >> 4 {
        case 1:
            guard let (name, afterName) = string(at: offset), name == "MQTT" || name == "MQIsdp", afterName + 4 <= bytes.count else { return nil }
            let level = bytes[afterName], flags = bytes[afterName + 1]
            var position = afterName + 4
            if level == 5, position < bytes.count {
                // MQTT 5 properties: a variable-length size, then skip them.
                var size = 0, shift = 0
                while position < bytes.count {
                    size |= Int(bytes[position] & 0x7F) << shift
                    shift += 7
                    position += 1
                    if bytes[position - 1] & 0x80 == 0 { break }
                }
                position += size
            }
            var packet = MQTTPacket(type: "connect")
            guard let (clientID, afterClient) = string(at: position) else { return packet }
            packet.clientID = clientID
            position = afterClient
            if flags & 0x04 != 0 {
                guard let (_, afterTopic) = string(at: position), let (_, afterMessage) = string(at: afterTopic) else { return packet }
                position = afterMessage
            }
            if flags & 0x80 != 0 { packet.username = string(at: position)?.0 }
            return packet
        case 3:
            var packet = MQTTPacket(type: "publish")
            packet.topic = string(at: offset)?.0
            return packet
        default:
            return nil
        }
    }
}
