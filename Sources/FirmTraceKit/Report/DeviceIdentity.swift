/// Who the device is, from everything that names it: its MAC and vendor, addresses and DHCP hostname from
/// the capture; Tuya ids, firmware versions and the data-point schema from its logs and broadcasts.
public struct DeviceIdentity: Sendable, Equatable {
    public struct DataPoint: Sendable, Equatable {
        public let id: Int64
        public let mode: String?
        public let type: String?
        /// Range, min/max/scale, as written in the schema.
        public let detail: String
    }

    public var mac: String?
    public var vendor: String?
    public var addresses: [String] = []
    public var hostname: String?
    public var dhcpVendorClass: String?
    public var tuyaDeviceID: String?
    public var tuyaProductKey: String?
    public var tuyaLANProtocol: String?
    public var miioDeviceID: String?
    public var serial: String?
    /// Versions by where they were read: `gw_di swv`, `bundle`, `gw_di bv`, …
    public var firmware: [(source: String, version: String)] = []
    public var dataPoints: [DataPoint] = []
    /// Other stations seen, with what they did: the context a device lives in (router, access point, laptop).
    public var neighbours: [(mac: String, vendor: String?, address: String?, events: Int)] = []

    public static func == (lhs: DeviceIdentity, rhs: DeviceIdentity) -> Bool {
        lhs.mac == rhs.mac && lhs.addresses == rhs.addresses && lhs.tuyaDeviceID == rhs.tuyaDeviceID
            && lhs.firmware.map(\.version) == rhs.firmware.map(\.version) && lhs.dataPoints == rhs.dataPoints
    }
}

struct DeviceIdentityCollector {
    private struct Station {
        var addresses: [String] = []
        var events = 0
        var dnsQueries = 0
        var hostname: String?
        var vendorClass: String?
        var tuyaID: String?
        var tuyaProductKey: String?
        var tuyaVersion: String?
    }

    private var stations: [String: Station] = [:]
    private var identity = DeviceIdentity()
    static let maxStations = 10_000

    mutating func accept(_ event: Event) {
        let text = event.fields.text
        if event.origin == "capture" {
            acceptPacket(event)
            return
        }
        if identity.serial == nil, let serial = text("bundle_serial") { identity.serial = serial }
        if let firmware = text("bundle_firmware") { noteFirmware("bundle", firmware) }
        switch event.kind {
        case .tuyaDeviceInfo:
            identity.tuyaDeviceID = identity.tuyaDeviceID ?? text("id")
            identity.tuyaProductKey = identity.tuyaProductKey ?? text("pk")
            for (key, label) in [("swv", "gw_di swv"), ("bv", "gw_di bv (base)"), ("pv", "gw_di pv (protocol)"), ("lpv", "gw_di lpv (LAN protocol)"),
                                 ("dev_swv", "gw_di dev_swv")] {
                if let version = text(key) { noteFirmware(label, version) }
            }
        case .tuyaBindSchema where identity.dataPoints.isEmpty:
            identity.tuyaDeviceID = identity.tuyaDeviceID ?? text("devId")
            identity.dataPoints = Self.dataPoints(event.fields)
        case .miioHTTPDNS, .miioServerConnection:
            identity.miioDeviceID = identity.miioDeviceID ?? text("did")
        default: break
        }
    }

    private mutating func acceptPacket(_ event: Event) {
        let text = event.fields.text
        guard let mac = text("src_mac") else { return }
        if stations[mac] == nil {
            guard stations.count < Self.maxStations else { return }
            stations[mac] = Station()
        }
        stations[mac]!.events += 1
        if let address = text("src_ip"), address != "0.0.0.0", !stations[mac]!.addresses.contains(address), stations[mac]!.addresses.count < 16 {
            stations[mac]!.addresses.append(address)
        }
        switch event.kind {
        case .netDNSQuery: stations[mac]!.dnsQueries += 1
        case .netDHCP:
            let client = text("client_mac") ?? mac
            guard client == mac else { return }
            stations[mac]!.hostname = text("hostname") ?? stations[mac]!.hostname
            stations[mac]!.vendorClass = text("vendor_class") ?? stations[mac]!.vendorClass
            if let requested = text("requested_ip"), !stations[mac]!.addresses.contains(requested) { stations[mac]!.addresses.append(requested) }
        case .netTuyaDiscovery:
            stations[mac]!.tuyaID = text("gwId") ?? stations[mac]!.tuyaID
            stations[mac]!.tuyaProductKey = text("productKey") ?? stations[mac]!.tuyaProductKey
            stations[mac]!.tuyaVersion = text("version") ?? stations[mac]!.tuyaVersion
        default: break
        }
    }

    private mutating func noteFirmware(_ source: String, _ version: String) {
        guard !identity.firmware.contains(where: { $0.source == source && $0.version == version }), identity.firmware.count < 32 else { return }
        identity.firmware.append((source, version))
    }

    /// The device is the station whose Tuya broadcasts carry the logs' device id; else the DHCP client
    /// that asked most DNS questions; else whoever asked most.
    func identify(registry: String = OUIRegistry.defaultPath) -> DeviceIdentity {
        var identity = self.identity
        let ranked = stations.sorted { ($0.value.dnsQueries, $0.value.events, $1.key) > ($1.value.dnsQueries, $1.value.events, $0.key) }
        let device = ranked.first { identity.tuyaDeviceID != nil && $0.value.tuyaID == identity.tuyaDeviceID }
            ?? ranked.first { $0.value.hostname != nil && $0.value.dnsQueries > 0 }
            ?? ranked.first { $0.value.dnsQueries > 0 }
        let vendors = OUIRegistry.vendors(for: stations.keys.sorted(), registry: registry)
        if let (mac, station) = device {
            identity.mac = mac
            identity.vendor = vendors[mac]
            identity.addresses = station.addresses
            identity.hostname = station.hostname
            identity.dhcpVendorClass = station.vendorClass
            identity.tuyaDeviceID = identity.tuyaDeviceID ?? station.tuyaID
            identity.tuyaProductKey = identity.tuyaProductKey ?? station.tuyaProductKey
            identity.tuyaLANProtocol = station.tuyaVersion
        }
        identity.neighbours = ranked.filter { $0.key != device?.key && $0.key != "ff:ff:ff:ff:ff:ff" }.prefix(12).map {
            (mac: $0.key, vendor: vendors[$0.key], address: $0.value.addresses.first, events: $0.value.events)
        }
        return identity
    }

    private static func dataPoints(_ fields: EventFields) -> [DeviceIdentity.DataPoint] {
        var byID: [Int64: [(String, String)]] = [:]
        for field in fields where field.key.hasPrefix("dp.") {
            let parts = field.key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, let id = Int64(parts[1]) else { continue }
            byID[id, default: []].append((String(parts[2]), field.value.description))
        }
        return byID.keys.sorted().map { id in
            let attributes = byID[id]!
            func value(_ name: String) -> String? { attributes.first { $0.0 == name }?.1 }
            let detail = attributes.filter { !["mode", "type"].contains($0.0) }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            return DeviceIdentity.DataPoint(id: id, mode: value("mode"), type: value("type"), detail: detail)
        }
    }
}
