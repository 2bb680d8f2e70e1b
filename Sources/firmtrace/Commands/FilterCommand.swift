import ArgumentParser
import FirmTraceKit

struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Select packets with a Wireshark display filter and write them to a new capture.",
        discussion: """
            Reads pcap and pcapng (any byte order, nanosecond or microsecond, several sections and link \
            types), also gzip- or zstd-compressed, and folders of captures. Matching packets are written \
            with their original bytes, timestamps and link types: pcapng, or pcap when the output ends in \
            .pcap and all packets share one link type. Without -Y every packet is copied.

            Fields: eth.src/dst/addr, eth.type, arp.src.hw_mac, arp.dst.hw_mac, arp.src/dst.proto_ipv4, \
            arp.opcode, ip.src/dst/addr (also a network like 10.10.10.0/24), ip.proto, ip.flags.mf, \
            ip.frag_offset, ipv6.src/dst/addr, \
            tcp/udp.port/srcport/dstport, tcp.flags.syn/ack/fin/reset, and the protocols eth, arp, ip, ipv6, \
            tcp, udp, icmp, icmpv6, stp, cdp, lldp, mndp, dns, mdns, dhcp, ssdp, ntp.

            Examples:
              firmtrace filter caps/ -Y 'eth.addr == 64:90:c1:1d:24:c4' -w robot.pcapng
              firmtrace filter caps/ --device 64:90:c1:1d:24:c4 --each
              firmtrace filter capture.pcapng.gz --drop-noise Samples/noise-filters.txt -w quiet.pcapng
            """
    )

    @Argument(help: "Captures or folders of captures.")
    var inputs: [String]

    @Option(name: [.customShort("Y"), .customLong("display-filter")], help: ArgumentHelp("Display filter, as typed in Wireshark.", valueName: "expr"))
    var displayFilter: String?

    @Option(name: .customShort("w"), help: ArgumentHelp("Write matching packets here (.pcapng, or .pcap; add .gz or .zst to compress; - for standard output, as pcapng).", valueName: "file"))
    var output: String?

    @Flag(help: "Write clean.<name> beside each input capture instead of one output.")
    var each = false

    @Option(help: ArgumentHelp("Keep only packets to or from this MAC address.", valueName: "mac"))
    var device: String?

    @Option(name: .customLong("drop-noise"), help: ArgumentHelp("Drop packets matching any filter in this file ('name: expression' per line).", valueName: "file"))
    var dropNoise: String?

    @Flag(help: "Replace outputs that already exist.")
    var force = false

    func validate() throws {
        if each == (output != nil) { throw ValidationError("give either -w FILE or --each") }
        try Terminal.refuseBinaryOnTerminal(output, what: "a capture", remedy: "pipe it (| tshark -r -), or name a file with -w")
    }

    func run() throws {
        var noise: [NamedFilter] = []
        if let dropNoise {
            guard let text = try? String(contentsOfFile: dropNoise, encoding: .utf8) else {
                Terminal.printError("--drop-noise: cannot read \(dropNoise)")
                throw ExitCode(64)
            }
            do {
                noise = try NamedFilter.parseList(text, source: dropNoise)
            } catch {
                Terminal.printError("--drop-noise \(dropNoise): \(error)")
                throw ExitCode(64)
            }
        }
        let request = CaptureFilterRequest(inputs: inputs, expression: displayFilter, deviceMAC: device, noiseFilters: noise,
                                           output: output, each: each, overwrite: force)
        Terminal.ignoreBrokenPipe()
        let outcome: CaptureFilterOutcome
        do {
            outcome = try CaptureFilter.run(request)
        } catch {
            Terminal.printError("-Y: \(error)")
            throw ExitCode(64)
        }
        for diagnostic in outcome.diagnostics.all {
            Terminal.printError(diagnostic.description)
        }
        // A run its reader stopped (`| head`) has no count to give.
        if !outcome.readerClosed {
            if outcome.outputs.isEmpty {
                Terminal.printSummary("no capture written (\(outcome.packetsRead) packets read)", wrote: output)
            } else {
                let names = outcome.outputs.map(AtomicOutputFile.name(of:)).joined(separator: ", ")
                Terminal.printSummary("\(outcome.packetsWritten) of \(outcome.packetsRead) packets written to \(names)", wrote: output)
            }
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
