/// The same evidence given twice — a bundle as `.tar.gz` and as `.tar.zst` in one folder, a capture beside
/// its `.gz` — would count every behaviour twice. A source whose identity (its path inside the archive, or
/// its file name without a compression suffix) and first event match an earlier source's is the same
/// evidence: it is left out of the report, and said so.
struct DuplicateSources {
    private struct FirstEvent: Equatable {
        let line: Int?, frame: Int?, time: Int64?, message: String
    }

    private var firstEvents: [String: (source: String, event: FirstEvent)] = [:]
    private var verdicts: [String: Bool] = [:]
    /// Each left-out source with the one it repeats.
    private(set) var duplicates: [(source: String, sameAs: String)] = []

    /// Decided on a source's first event, then remembered for the rest of it.
    mutating func isDuplicate(_ event: Event) -> Bool {
        if let verdict = verdicts[event.source] { return verdict }
        let identity = Self.identity(event.source)
        let first = FirstEvent(line: event.line, frame: event.frame, time: event.time, message: event.message)
        if let earlier = firstEvents[identity], earlier.event == first {
            verdicts[event.source] = true
            duplicates.append((event.source, earlier.source))
            return true
        }
        if firstEvents[identity] == nil { firstEvents[identity] = (event.source, first) }
        verdicts[event.source] = false
        return false
    }

    /// `a.tar.gz!a/rrlog/tuya.log` → `a/rrlog/tuya.log`; `dir/capture.pcapng.gz` → `capture.pcapng`.
    static func identity(_ source: String) -> String {
        if let bang = source.firstIndex(of: "!") { return String(source[source.index(after: bang)...]) }
        let name = source.split(separator: "/").last.map(String.init) ?? source
        return SingleFileName.strippingCompression(name)
    }
}
