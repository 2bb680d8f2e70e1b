/// Which firmware process talks to which host and port, and how often: from the lines where a process
/// names its server (Connect:, Post URL, the MQTT broker, TLS connects, miio's HTTP-DNS and server
/// connections), with the flows the capture shows to that host's addresses on that port.
public struct ProcessEndpoint: Sendable, Equatable {
    public let process: String
    public let host: String
    public let port: Int64
    public var logLines = 0
    /// Flows to an address the host resolved to (or the host itself, when it is an address) on the port.
    public var flows = 0
}

struct EndpointCollector {
    private var endpoints: [String: ProcessEndpoint] = [:]
    private var flows: [String: Int] = [:]
    static let maxEntries = 100_000

    mutating func accept(_ event: Event) {
        let fields = event.fields
        switch event.kind {
        case .netFlow:
            guard let address = fields.text("dst_ip"), let port = fields.integer("dst_port") else { return }
            let key = "\(address):\(port)"
            if flows[key] != nil || flows.count < Self.maxEntries { flows[key, default: 0] += 1 }
        case .tuyaConnect where fields.text("phase") == "begin":
            add(event, host: fields.text("host"), port: fields.integer("port") ?? 443)
        case .tuyaPostURL:
            add(event, host: fields.text("host"), port: fields.integer("port") ?? (fields.text("scheme") == "http" ? 80 : 443))
        case .tuyaMQTT:
            add(event, host: fields.text("broker_host"), port: fields.integer("broker_port") ?? 8883)
        case .tuyaTLS where fields.text("stage") == "begin":
            add(event, host: fields.text("host"), port: fields.integer("port") ?? 443)
        case .miioHTTPDNS where event.message.hasPrefix("HTTP-DNS request"):
            add(event, host: fields.text("server"), port: fields.integer("port") ?? 80)
        case .miioServerConnection:
            add(event, host: fields.text("host"), port: fields.integer("port") ?? 0)
        default: break
        }
    }

    private mutating func add(_ event: Event, host: String?, port: Int64) {
        guard let host else { return }
        let key = "\(event.origin)\u{0}\(host)\u{0}\(port)"
        if endpoints[key] == nil {
            guard endpoints.count < Self.maxEntries else { return }
            endpoints[key] = ProcessEndpoint(process: event.origin, host: host, port: port)
        }
        endpoints[key]!.logLines += 1
    }

    /// Endpoints by process, then by how often they were named.
    func table(names: [ResolvedName]) -> [ProcessEndpoint] {
        let addresses = Dictionary(names.map { ($0.name, $0.addresses.map(\.address)) }, uniquingKeysWith: { first, _ in first })
        return endpoints.values.map { endpoint in
            var endpoint = endpoint
            let targets = addresses[endpoint.host] ?? [endpoint.host]
            endpoint.flows = Set(targets).reduce(0) { $0 + (flows["\($1):\(endpoint.port)"] ?? 0) }
            return endpoint
        }.sorted { ($0.process, -$0.logLines, $0.host, $0.port) < ($1.process, -$1.logLines, $1.host, $1.port) }
    }
}
