@testable import FirmTraceKit
import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

/// The clock model, the correlation and the linked timeline on a log and a capture together: the first
/// byte picks the log's name (and so its dialect), the next four (little-endian) how many of the bytes
/// after them are the log; the rest is the capture. The timeline written must read back with every
/// link resolving to an event that links back.
public func fuzzCorrelate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 5 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let names = ["tuya.log", "miio.log", "tuya.log.1"]
    let declared = Int(bytes[1]) | Int(bytes[2]) << 8 | Int(bytes[3]) << 16 | Int(bytes[4]) << 24
    let logBytes = min(declared, size - 5)
    let log = FuzzInput.file(data + 5, logBytes, name: names[Int(bytes[0]) % names.count])
    let capture = FuzzInput.file(data + 5 + logBytes, size - 5 - logBytes, name: "capture.pcapng")
    let output = FuzzInput.folder + "/linked.jsonl"
    // The last run's timeline is gone first: a run that reads no event writes none (`isWritten`).
    unlink(output)
    let request = CorrelateRequest(logs: [log], captures: [capture], output: output, format: .jsonl, overwrite: true)
    guard let outcome = try? Correlate.run(request) else { return 0 }
    _ = CorrelationReport.text(outcome)
    _ = CorrelationReport.json(outcome)
    guard outcome.timeline?.isWritten != false else {
        precondition(access(output, F_OK) != 0, "a timeline said to be not written is there")
        return 0
    }
    let events = FuzzInput.contents(of: output).split(separator: 0x0A).compactMap { line in
        line.withUnsafeBytes { idAndLinks($0) }
    }
    precondition(events.count == outcome.timeline?.written ?? 0, "the timeline reads back with fewer events than were written")
    var linksOf: [String: [String]] = [:]
    for event in events { if let id = event.id { linksOf[id] = event.links } }
    for event in events {
        for link in event.links {
            precondition(linksOf[link]?.contains(event.id ?? "") == true, "\(event.id ?? "?") links to \(link), which does not link back")
        }
    }
    return 0
}

/// A JSONL event's `id` and `link`, nil when the line is no JSON object.
private func idAndLinks(_ line: UnsafeRawBufferPointer) -> (id: String?, links: [String])? {
    guard case .object(let members)? = try? JSONParser.parse(line) else { return nil }
    var (id, links): (String?, [String]) = (nil, [])
    for member in members {
        switch (member.key, member.value) {
        case ("id", .string(let text)): id = text
        case ("link", .array(let values)): links = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: continue
        }
    }
    return (id, links)
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzCorrelate_main")
public func fuzzCorrelateMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzCorrelate)
}
