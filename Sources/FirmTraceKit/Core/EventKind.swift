/// The dotted name of what an event is (`tuya.post_url`). The names are the contract users filter on,
/// so each is declared once here.
public struct EventKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    /// Compared before the name: kinds are compared in switches several times for every event, nearly always
    /// with a different kind, and comparing the names cost a call into the String library each time. For
    /// the kinds declared here, a number of its own, written as a constant so that each declared kind is a
    /// constant too: built by an initializer that hashed its name, each was a global made on first use, and
    /// every use of one called `swift_once` (a tenth of a microsecond per log line). For any other name, its
    /// hash, kept negative so that it is never a declared kind's number.
    private let code: Int

    public init(rawValue: String) {
        self.rawValue = rawValue
        code = Self.declaredCodes[rawValue] ?? (rawValue.hashValue | Int.min)
    }

    @inline(__always) private init(_ code: Int, _ name: String) {
        rawValue = name
        self.code = code
    }

    private static let declaredCodes = Dictionary(uniqueKeysWithValues: all.map { ($0.rawValue, $0.code) })

    public static func == (lhs: EventKind, rhs: EventKind) -> Bool {
        lhs.code == rhs.code && lhs.rawValue == rhs.rawValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawValue)
    }

    public var description: String { rawValue }

    public static let tuyaPostData = EventKind(1, "tuya.post_data")
    public static let tuyaPostURL = EventKind(2, "tuya.post_url")
    public static let tuyaResponse = EventKind(3, "tuya.response")
    public static let tuyaConnect = EventKind(4, "tuya.connect")
    public static let tuyaTLS = EventKind(5, "tuya.tls")
    public static let tuyaBindSchema = EventKind(6, "tuya.bind_schema")
    public static let tuyaDeviceInfo = EventKind(7, "tuya.device_info")
    public static let tuyaMQTT = EventKind(8, "tuya.mqtt")
    public static let tuyaRPC = EventKind(9, "tuya.rpc")
    public static let tuyaTimeSync = EventKind(10, "tuya.time_sync")
    public static let tuyaLine = EventKind(11, "tuya.line")

    public static let miioHTTPDNS = EventKind(12, "miio.http_dns")
    public static let miioServerConnection = EventKind(13, "miio.server_connection")
    public static let miioLine = EventKind(14, "miio.line")

    public static let kernelLine = EventKind(15, "kernel.line")

    public static let netDNSQuery = EventKind(16, "net.dns_query")
    public static let netDNSAnswer = EventKind(17, "net.dns_answer")
    public static let netMDNS = EventKind(18, "net.mdns")
    public static let netDHCP = EventKind(19, "net.dhcp")
    public static let netARP = EventKind(20, "net.arp")
    public static let netSSDP = EventKind(21, "net.ssdp")
    public static let netTLSClientHello = EventKind(22, "net.tls_client_hello")
    public static let netHTTPRequest = EventKind(23, "net.http_request")
    public static let netTuyaDiscovery = EventKind(24, "net.tuya_discovery")
    public static let netTuya = EventKind(25, "net.tuya")
    public static let netMiio = EventKind(26, "net.miio")
    public static let netMQTT = EventKind(27, "net.mqtt")
    public static let netFlow = EventKind(28, "net.flow")

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
