/// BOOTP/DHCP: message type, client MAC, addresses, and the options an analyst asks for (hostname,
/// requested address, vendor class, server, lease).
struct DHCPMessage {
    let operation: UInt8
    let transactionID: UInt32
    let clientMAC: String
    let yourAddress: String
    var messageType: String?
    var hostname: String?
    var requestedAddress: String?
    var vendorClass: String?
    var serverIdentifier: String?
    var leaseSeconds: UInt32?

    static let magicCookie: UInt32 = 0x6382_5363

    static func parse(_ bytes: UnsafeRawBufferPointer) -> DHCPMessage? {
        let reader = ByteOrderedReader(bytes: bytes, bigEndian: true)
        guard bytes.count >= 240, let transactionID = reader.u32(4), reader.u32(236) == magicCookie else { return nil }
        var message = DHCPMessage(operation: bytes[0], transactionID: transactionID,
                                  clientMAC: AddressText.mac(UnsafeRawBufferPointer(rebasing: bytes[28 ..< 34])),
                                  yourAddress: AddressText.ipv4(UnsafeRawBufferPointer(rebasing: bytes[16 ..< 20])))
        var offset = 240
        while offset < bytes.count {
            let code = bytes[offset]
            if code == 255 { break }
            if code == 0 { offset += 1; continue }
            guard offset + 1 < bytes.count else { break }
            let length = Int(bytes[offset + 1])
            guard offset + 2 + length <= bytes.count else { break }
            let value = UnsafeRawBufferPointer(rebasing: bytes[offset + 2 ..< offset + 2 + length])
            switch code {
            case 53 where length == 1: message.messageType = Self.messageTypeName(value[0])
            // A hostname may carry a trailing NUL; Wireshark shows the text before it.
            case 12: message.hostname = EscapedText.escaping(UnsafeRawBufferPointer(rebasing: value.prefix { $0 != 0 }))
            case 50 where length == 4: message.requestedAddress = AddressText.ipv4(value)
            case 60: message.vendorClass = EscapedText.escaping(value)
            case 54 where length == 4: message.serverIdentifier = AddressText.ipv4(value)
            case 51 where length == 4: message.leaseSeconds = ByteOrderedReader(bytes: value, bigEndian: true).u32(0)
            default: break
            }
            offset += 2 + length
        }
        return message
    }

    static func messageTypeName(_ type: UInt8) -> String {
        switch type {
        case 1: "discover"
        case 2: "offer"
        case 3: "request"
        case 4: "decline"
        case 5: "ack"
        case 6: "nak"
        case 7: "release"
        case 8: "inform"
        default: String(type)
        }
    }
}
