import ArgumentParser
import FirmTraceKit

struct GrepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grep",
        abstract: "Search firmware logs by meaning: typed events, filtered by kind, fields and time.",
        discussion: """
            INPUT is any mix of log files, packet captures (pcap, pcapng), folders (read recursively, rotated logs \
            oldest first), archives and compressed files (read in place: the source of an event is \
            bundle.tar.gz!rrlog/tuya.log). Tuya SDK (rriot_tuya), miio_client and kernel logs are recognised \
            from their lines, captures from their bytes; captures give net.* events.

            Kinds: \(EventKind.all.map(\.rawValue).joined(separator: ", ")).

            --where takes the same expressions as Wireshark display filters, over an event's fields and its \
            names kind, origin, source, message, line, device_time, time_basis: ==, !=, <, >, <=, >=, \
            contains, matches (a case-insensitive regular expression), in {a, b}, and/or/not (&&, ||, !), \
            parentheses. Exit status: 0 something matched, 1 nothing did, 2 an input could not be read.

            Examples:
              firmtrace grep bundle.tar.gz --kind tuya.post_url --where 'api == "tuya.device.timer.count"'
              firmtrace grep rrlog/ --kind 'tuya.*' --where 'host contains "tuyaeu"' --since 2022-07-09T16:00:00Z --json
              firmtrace grep bundle.tar.gz --kind tuya.post_url --tuya-key 7c4f9e1a2b3d5e6f --where 'sign_ok == false'
              firmtrace grep tuya.log --count
              firmtrace grep capture.pcapng.gz --kind net.tls_client_hello --where 'sni contains "tuyaeu"'
              firmtrace grep capture.pcapng.gz --kind net.dns_query -e datetime -e src_ip -e name | sort -k3 | uniq -c -f2
            """
    )

    @Argument(help: "Log files, folders, archives or compressed files.")
    var inputs: [String]

    @OptionGroup var query: QueryOptions

    @Flag(name: [.short, .long], help: "Print only the number of matching events.")
    var count = false

    @Flag(help: "Write JSON Lines, one event per line.")
    var json = false

    @Flag(help: "Write CSV with Timesketch's columns first.")
    var csv = false

    @Option(name: [.customShort("e"), .customLong("field")],
            help: ArgumentHelp("Print only this field (or datetime, kind, source, frame, message, …), tab-separated, like tshark -T fields -e. Repeatable.",
                               valueName: "name"))
    var fields: [String] = []

    @Option(name: .customLong("tuya-key"), help: ArgumentHelp("A device secKey: check every Post URL's sign= and the MQTT passwd.", valueName: "key"))
    var tuyaKey: String?

    @Option(name: .customLong("miio-token"), help: ArgumentHelp("A miIO device token (32 hex digits): decrypt net.miio payloads.", valueName: "hex"))
    var miioToken: String?

    @OptionGroup var clock: ClockOptions

    func validate() throws {
        if [json, csv, !fields.isEmpty].filter({ $0 }).count > 1 { throw ValidationError("--json, --csv and --field cannot be combined") }
        if let miioToken, HexBytes.parse(miioToken)?.count != 16 { throw ValidationError("--miio-token must be 32 hex digits") }
    }

    func makeRequest() throws -> GrepRequest {
        var request = GrepRequest(inputs: inputs, query: try query.query(), countOnly: count, tuyaKey: tuyaKey, miioToken: miioToken.flatMap(HexBytes.parse))
        (request.assumedZone, request.assumedYear) = (clock.zoneSeconds, clock.year)
        return request
    }

    func run() throws {
        let request = try makeRequest()
        Terminal.ignoreBrokenPipe()
        let output = OutputWriter.standardOutput()
        let sink: EventSink? = if count {
            nil
        } else if json {
            JSONLSink(output: output)
        } else if csv {
            CSVSink(output: output)
        } else if !fields.isEmpty {
            FieldsSink(output: output, names: fields)
        } else {
            HumanEventSink(output: output, colour: Terminal.standardOutputIsTerminal)
        }
        let outcome = Grep.run(request, sink: sink)
        if count {
            output.write("\(outcome.matched)\n")
            output.flush()
        }
        for diagnostic in outcome.diagnostics.all {
            Terminal.printError(diagnostic.description)
        }
        if let failure = output.failure {
            Terminal.printError("cannot write the output: \(failure)")
            throw ExitCode(2)
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
