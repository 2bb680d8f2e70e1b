public struct GrepRequest: Sendable {
    public var inputs: [String]
    public var query: EventQuery
    /// Only count matching events (`--count`).
    public var countOnly: Bool
    /// A device secKey: `tuya.post_url` events get `sign_ok`, MQTT `passwd:` lines `passwd_ok`.
    public var tuyaKey: String?

    public init(inputs: [String], query: EventQuery = EventQuery(), countOnly: Bool = false, tuyaKey: String? = nil) {
        self.inputs = inputs
        self.query = query
        self.countOnly = countOnly
        self.tuyaKey = tuyaKey
    }
}

public struct GrepOutcome: Sendable {
    public let matched: Int
    public let diagnostics: Diagnostics

    /// As grep: 0 when something matched, 1 when nothing did, 2 when an input could not be read.
    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : matched > 0 ? 0 : 1 }
}

/// `firmtrace grep`: every input turned into events, the query applied, matches handed to a sink.
public enum Grep {
    /// A NUL in the first 8 KiB means a binary file, as for grep and ripgrep.
    static let binaryProbeLength = 8 << 10

    public static func run(_ request: GrepRequest, sink: EventSink?) -> GrepOutcome {
        var diagnostics = Diagnostics()
        var sourceReports = Diagnostics()
        var matched = 0
        var stopped = false
        let query = request.query
        let countOnly = request.countOnly || sink == nil
        let plan = LogReadPlan(wantsKind: query.wantsKind, needsEvents: !(countOnly && query.decidedByKind),
                               tuyaKey: request.tuyaKey)
        let emit: (Event) -> Bool = { event in
            guard query.matches(event) else { return true }
            matched += 1
            if countOnly { return true }
            if sink?.accept(event) == false {
                stopped = true
                return false
            }
            return true
        }
        InputWalker.walk(request.inputs, diagnostics: &diagnostics) { source throws(InputError) in
            var reader: LogSourceReader?
            var refused = false
            var sourceDiagnostics = Diagnostics()
            if let mapped = source.mapped, let literal = query.requiredLiteral,
               let dialect = recognise(mapped, source, &sourceDiagnostics), dialect == .tuya {
                let bundle = RRLogBundle.find(in: source.location.chain)
                let candidates = LogSourceReader(source: source.location.source, dialect: dialect, bundle: bundle, plan: plan, emit: emit)
                matched += candidates.readCandidates(mapped, literal: literal)
                for diagnostic in sourceDiagnostics.all { sourceReports.report(diagnostic) }
                return !stopped
            }
            try source.read { chunk in
                if reader == nil && !refused {
                    guard let dialect = recognise(chunk, source, &sourceDiagnostics) else {
                        refused = true
                        return false
                    }
                    reader = LogSourceReader(source: source.location.source, dialect: dialect,
                                             bundle: RRLogBundle.find(in: source.location.chain), plan: plan, emit: emit)
                }
                reader?.feed(chunk)
                return reader?.stopped == false
            }
            if let reader {
                reader.finish()
                matched += reader.counted
                if reader.cutLines > 0 {
                    sourceDiagnostics.report(.warning, at: source.location,
                                             "\(reader.cutLines) lines longer than \(LineFramer.maxLineLength) bytes were cut there")
                }
            }
            for diagnostic in sourceDiagnostics.all { sourceReports.report(diagnostic) }
            return !stopped
        }
        for diagnostic in sourceReports.all { diagnostics.report(diagnostic) }
        sink?.finish()
        return GrepOutcome(matched: matched, diagnostics: diagnostics)
    }

    /// The source's dialect, or nil with a message saying why it is not read: binary, encrypted, a
    /// capture, or text in no known format. Files the user named are errors; files met inside folders
    /// and archives are notices, as a recursive grep passes over binaries.
    private static func recognise(_ head: UnsafeRawBufferPointer, _ source: InputSource,
                                  _ diagnostics: inout Diagnostics) -> LogDialect? {
        let severity: Diagnostic.Severity = source.isExplicit ? .error : .notice
        let kind = ContentSniffer.kind(of: UnsafeRawBufferPointer(rebasing: head.prefix(ContentSniffer.prefixLength)))
        let name = source.location.chain.last ?? ""
        if EncryptedRRLog.matches(name: name, size: Int64(head.count), kind: kind)
            || (EncryptedRRLog.suffixes.contains { name.hasSuffix($0) } && head.count < EncryptedRRLog.wrappedKeyLength) {
            diagnostics.report(.notice, at: source.location, InputError(.encryptedRRLog, at: source.location).explanation + "; skipped")
            return nil
        }
        if kind == .pcap || kind == .pcapng {
            diagnostics.report(severity, at: source.location, "packet capture: grep does not read captures yet; skipped")
            return nil
        }
        if let nul = ByteSearch.firstIndex(of: 0, in: UnsafeRawBufferPointer(rebasing: head.prefix(binaryProbeLength))) {
            diagnostics.report(severity, at: source.location.at(byte: Int64(nul)), "binary file (a NUL byte); skipped")
            return nil
        }
        guard let dialect = LogDialect.detect(head) else {
            if !head.isEmpty {
                diagnostics.report(severity, at: source.location,
                                   "not a log firmtrace knows (Tuya SDK, miio_client, kernel); skipped")
            }
            return nil
        }
        return dialect
    }
}

extension LogSourceReader {
    /// Reads only the lines that contain `literal`, found with `memmem` over a mapped file, and the
    /// continuation lines after them: every event of the wanted kind contains the literal on its first
    /// line, so none is missed, and the rest of the file is never decoded. Line numbers come from counting
    /// newlines between hits. Returns the number counted when only counting.
    func readCandidates(_ bytes: UnsafeRawBufferPointer, literal: String) -> Int {
        settleClock(bytes)
        var needle = Array(literal.utf8)
        return needle.withUnsafeMutableBytes { rawNeedle in
            let needle = UnsafeRawBufferPointer(rawNeedle)
            var position = 0
            var lineNumber = 1
            var countedUpTo = 0
            while !stopped, let hit = ByteSearch.firstIndex(of: needle, in: bytes, from: position) {
                let lineStart = (ByteSearch.lastIndex(of: 0x0A, in: bytes, before: hit) ?? -1) + 1
                lineNumber += ByteSearch.countNewlines(in: UnsafeRawBufferPointer(rebasing: bytes[countedUpTo ..< lineStart]))
                countedUpTo = lineStart
                var end = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: hit) ?? bytes.count
                // The event goes on over the following lines that carry no prefix of their own.
                while end < bytes.count {
                    let nextEnd = ByteSearch.firstIndex(of: 0x0A, in: bytes, from: end + 1) ?? bytes.count
                    if TuyaLinePrefix.find(in: UnsafeRawBufferPointer(rebasing: bytes[end + 1 ..< nextEnd])) != nil { break }
                    end = nextEnd
                }
                readExcerpt(UnsafeRawBufferPointer(rebasing: bytes[lineStart ..< end]), firstLine: lineNumber)
                position = min(end + 1, bytes.count)
            }
            return counted
        }
    }
}
