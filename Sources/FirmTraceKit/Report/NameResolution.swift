/// Every DNS name the device asked for, what it resolved to and when, through which CNAMEs, and how much
/// traffic then went to those addresses: the seed's domain → address tables.
public struct ResolvedName: Sendable, Equatable {
    public struct Address: Sendable, Equatable {
        public let address: String
        public var first: Int64?
        public var last: Int64?
        public var answers: Int
    }

    public let name: String
    public var queries = 0
    public var answers = 0
    /// Answers with a failure code (NXDOMAIN, SERVFAIL, …) and none of them with an address.
    public var failures = 0
    public var cnames: [String] = []
    public var addresses: [Address] = []
    public var minTTL: Int64?
    /// Flows to any of the addresses, and the `proto/port`s they used.
    public var flows = 0
    public var ports: [String] = []
}

struct NameResolutionCollector {
    private var names: [String: ResolvedName] = [:]
    private var flowsByAddress: [String: (count: Int, ports: Set<String>)] = [:]
    static let maxNames = 50_000
    static let maxAddressesPerName = 256

    mutating func accept(_ event: Event) {
        switch event.kind {
        case .netDNSQuery:
            guard let name = event.fields.text("name"), track(name) else { return }
            names[name]!.queries += 1
        case .netDNSAnswer:
            guard let name = event.fields.text("name"), track(name) else { return }
            names[name]!.answers += 1
            let addresses = event.fields.text("addresses")?.split(separator: ",").map(String.init) ?? []
            if addresses.isEmpty, let code = event.fields.text("rcode"), code != "NOERROR" { names[name]!.failures += 1 }
            for cname in event.fields.text("cnames")?.split(separator: ",").map(String.init) ?? [] where !names[name]!.cnames.contains(cname) {
                names[name]!.cnames.append(cname)
            }
            if case .integer(let ttl)? = event.fields["ttl"] { names[name]!.minTTL = min(names[name]!.minTTL ?? ttl, ttl) }
            for address in addresses {
                if let known = names[name]!.addresses.firstIndex(where: { $0.address == address }) {
                    names[name]!.addresses[known].answers += 1
                    if let time = event.time { names[name]!.addresses[known].last = time }
                } else if names[name]!.addresses.count < Self.maxAddressesPerName {
                    names[name]!.addresses.append(.init(address: address, first: event.time, last: event.time, answers: 1))
                }
            }
        case .netFlow:
            guard let address = event.fields.text("dst_ip"), let proto = event.fields.text("proto"), let port = event.fields["dst_port"] else { return }
            if flowsByAddress[address] == nil, flowsByAddress.count >= Self.maxNames { return }
            flowsByAddress[address, default: (0, [])].count += 1
            flowsByAddress[address, default: (0, [])].ports.insert("\(proto)/\(port)")
        default: break
        }
    }

    /// Makes room for `name`; false once the table is full.
    private mutating func track(_ name: String) -> Bool {
        if names[name] == nil {
            guard names.count < Self.maxNames else { return false }
            names[name] = ResolvedName(name: name)
        }
        return true
    }

    /// Names by how often they were asked for.
    func table() -> [ResolvedName] {
        names.values.map { name in
            var name = name
            var ports: Set<String> = []
            for address in name.addresses {
                guard let flows = flowsByAddress[address.address] else { continue }
                name.flows += flows.count
                ports.formUnion(flows.ports)
            }
            name.ports = ports.sorted()
            return name
        }.sorted { ($0.queries, $1.name) > ($1.queries, $0.name) }
    }
}
