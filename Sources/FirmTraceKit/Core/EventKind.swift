/// The dotted name of what an event is (`tuya.post_url`). The names are the contract users filter on,
/// so each is declared once here.
public struct EventKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    /// The name's hash, compared before the name: kinds are compared in switches several times for every
    /// event, nearly always with a different kind, and comparing the names cost a call into the String
    /// library each time.
    private let nameHash: Int

    public init(rawValue: String) {
        self.rawValue = rawValue
        nameHash = rawValue.hashValue
    }

    public static func == (lhs: EventKind, rhs: EventKind) -> Bool {
        lhs.nameHash == rhs.nameHash && lhs.rawValue == rhs.rawValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawValue)
    }

    public var description: String { rawValue }

    public static let tuyaPostData = EventKind(rawValue: "tuya.post_data")
    public static let tuyaPostURL = EventKind(rawValue: "tuya.post_url")
    public static let tuyaResponse = EventKind(rawValue: "tuya.response")
    public static let tuyaConnect = EventKind(rawValue: "tuya.connect")
    public static let tuyaTLS = EventKind(rawValue: "tuya.tls")
    public static let tuyaBindSchema = EventKind(rawValue: "tuya.bind_schema")
    public static let tuyaDeviceInfo = EventKind(rawValue: "tuya.device_info")
    public static let tuyaMQTT = EventKind(rawValue: "tuya.mqtt")
    public static let tuyaRPC = EventKind(rawValue: "tuya.rpc")
    public static let tuyaTimeSync = EventKind(rawValue: "tuya.time_sync")
    public static let tuyaLine = EventKind(rawValue: "tuya.line")

    public static let miioHTTPDNS = EventKind(rawValue: "miio.http_dns")
    public static let miioServerConnection = EventKind(rawValue: "miio.server_connection")
    public static let miioLine = EventKind(rawValue: "miio.line")

    public static let kernelLine = EventKind(rawValue: "kernel.line")

    public static let netDNSQuery = EventKind(rawValue: "net.dns_query")
    public static let netDNSAnswer = EventKind(rawValue: "net.dns_answer")
    public static let netMDNS = EventKind(rawValue: "net.mdns")
    public static let netDHCP = EventKind(rawValue: "net.dhcp")
    public static let netARP = EventKind(rawValue: "net.arp")
    public static let netSSDP = EventKind(rawValue: "net.ssdp")
    public static let netTLSClientHello = EventKind(rawValue: "net.tls_client_hello")
    public static let netHTTPRequest = EventKind(rawValue: "net.http_request")
    public static let netTuyaDiscovery = EventKind(rawValue: "net.tuya_discovery")
    public static let netTuya = EventKind(rawValue: "net.tuya")
    public static let netMiio = EventKind(rawValue: "net.miio")
    public static let netMQTT = EventKind(rawValue: "net.mqtt")
    public static let netFlow = EventKind(rawValue: "net.flow")

    /// Every kind the capture decoders produce.
    public static let captureKinds: [EventKind] = [
        .netDNSQuery, .netDNSAnswer, .netMDNS, .netDHCP, .netARP, .netSSDP, .netTLSClientHello, .netHTTPRequest,
        .netTuyaDiscovery, .netTuya, .netMiio, .netMQTT, .netFlow,
    ]

    public static var all: [EventKind] { logKinds + captureKinds }

    /// Every kind the log decoders produce, for `--kind` globs and help text.
    public static let logKinds: [EventKind] = [
        .tuyaPostData, .tuyaPostURL, .tuyaResponse, .tuyaConnect, .tuyaTLS, .tuyaBindSchema, .tuyaDeviceInfo,
        .tuyaMQTT, .tuyaRPC, .tuyaTimeSync, .tuyaLine, .miioHTTPDNS, .miioServerConnection, .miioLine, .kernelLine,
    ]
}
