/// MAC vendors from the IEEE registry as Debian ships it (`ieee-data`), never from a hand-kept table that
/// would go stale. Only the prefixes asked for are kept from the 5 MB file.
public enum OUIRegistry {
    public static let defaultPath = "/usr/share/ieee-data/oui.txt"
    static let maxRegistrySize = 64 << 20

    /// Vendor per MAC (`64:90:c1:1d:24:c4` → `Beijing Xiaomi Mobile Software Co., Ltd`). Locally administered
    /// addresses (randomised, virtual) are said to be so; without the registry every vendor is nil.
    public static func vendors(for macs: [String], registry path: String = defaultPath) -> [String: String] {
        var wanted: [String: [String]] = [:]
        var result: [String: String] = [:]
        for mac in macs {
            let octets = mac.split(separator: ":")
            guard octets.count == 6, let first = UInt8(octets[0], radix: 16) else { continue }
            if first & 0x02 != 0 {
                result[mac] = "locally administered (not a vendor address)"
                continue
            }
            wanted[octets.prefix(3).joined(separator: "-").uppercased(), default: []].append(mac)
        }
        guard !wanted.isEmpty, let reader = try? FileChunkReader(path: path) else { return result }
        var bytes: [UInt8] = []
        try? reader.forEachChunk { chunk in
            bytes.append(contentsOf: chunk)
            return bytes.count < maxRegistrySize
        }
        // Registry lines read `64-90-C1   (hex)\t\tBeijing Xiaomi Mobile Software Co., Ltd`.
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) where line.contains("(hex)") {
            guard let macsWithPrefix = wanted[String(line.prefix(8))], let tab = line.firstIndex(of: "\t") else { continue }
            let vendor = line[tab...].drop { $0.isWhitespace }
            for mac in macsWithPrefix { result[mac] = String(vendor.prefix { $0 != "\r" }) }
        }
        return result
    }
}
