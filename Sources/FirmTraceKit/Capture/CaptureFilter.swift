#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `firmtrace filter`: packets selected by a display filter, a device whitelist and named noise filters,
/// written with their original bytes, timestamps and link types.
public struct CaptureFilterRequest: Sendable {
    public var inputs: [String]
    /// The user's display filter (`-Y`).
    public var expression: String?
    /// Keep only packets to or from this MAC (the seed's whitelist).
    public var deviceMAC: String?
    /// Named filters whose packets are dropped (the seed's blacklist), as `name: expression` lines.
    public var noiseFilters: [NamedFilter]
    /// One output for all inputs; nil with `each`.
    public var output: String?
    /// One `clean.<name>` beside each input instead of one output.
    public var each: Bool
    public var overwrite: Bool

    public init(inputs: [String], expression: String? = nil, deviceMAC: String? = nil, noiseFilters: [NamedFilter] = [],
                output: String? = nil, each: Bool = false, overwrite: Bool = false) {
        self.inputs = inputs
        self.expression = expression
        self.deviceMAC = deviceMAC
        self.noiseFilters = noiseFilters
        self.output = output
        self.each = each
        self.overwrite = overwrite
    }

    /// The whole selection as one display filter, as a user could type it into Wireshark.
    public var combinedExpression: String? {
        var parts: [String] = []
        if let expression { parts.append("(\(expression))") }
        if let deviceMAC { parts.append("(eth.src == \(deviceMAC) || eth.dst == \(deviceMAC))") }
        if !noiseFilters.isEmpty { parts.append("!(" + noiseFilters.map { "(\($0.expression))" }.joined(separator: " || ") + ")") }
        return parts.isEmpty ? nil : parts.joined(separator: " && ")
    }
}

public struct NamedFilter: Sendable, Hashable {
    public let name: String
    public let expression: String

    /// `name: expression` lines; blank lines and `#` comments are skipped. Each expression is checked.
    public static func parseList(_ text: String, source: String) throws(FilterError) -> [NamedFilter] {
        var filters: [NamedFilter] = []
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") else { continue }
            let filter = NamedFilter(name: String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces),
                                     expression: String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            _ = try PacketFilter(filter.expression)
            filters.append(filter)
        }
        return filters
    }
}

public struct CaptureFilterOutcome: Sendable {
    public let packetsRead: Int
    public let packetsWritten: Int
    public let outputs: [String]
    public let diagnostics: Diagnostics
    /// Standard output's reader closed it before the end (`| head`): the run stopped there, as asked.
    public let readerClosed: Bool

    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : 0 }
}

public enum CaptureFilter {
    public static func run(_ request: CaptureFilterRequest) throws(FilterError) -> CaptureFilterOutcome {
        let filter = try request.combinedExpression.map { text throws(FilterError) in try PacketFilter(text) }
        var diagnostics = Diagnostics()
        var read = 0, written = 0
        var outputs: [String] = []
        var readerClosed = false
        let jobs: [(inputs: [String], output: String)] = request.each
            ? expandFolders(request.inputs, &diagnostics).map { ([$0], cleanPath(for: $0)) }
            : [(request.inputs, request.output ?? "filtered.pcapng")]
        for job in jobs {
            let writer: CaptureWriter
            do {
                writer = try CaptureWriter(path: job.output, format: CaptureWriter.format(forPath: job.output), overwrite: request.overwrite)
            } catch {
                diagnostics.report(.error, at: error.location, error.explanation)
                continue
            }
            var failure: InputError?
            CaptureInputs.forEachPacket(job.inputs, diagnostics: &diagnostics) { packet, location in
                read += 1
                if let filter, !filter.matches(packet) { return true }
                do throws(InputError) {
                    try writer.write(packet, source: location.source)
                } catch {
                    failure = error
                    return false
                }
                return true
            }
            do throws(InputError) {
                if let failure { throw failure }
                try writer.commit()
                written += writer.packetsWritten
                outputs.append(job.output)
            } catch {
                writer.discard()
                if error.isReaderClosed {
                    readerClosed = true
                    break
                }
                diagnostics.report(.error, at: error.location, error.explanation)
            }
        }
        return CaptureFilterOutcome(packetsRead: read, packetsWritten: written, outputs: outputs, diagnostics: diagnostics,
                                    readerClosed: readerClosed)
    }

    /// Files below the given folders, as `find` would list them, each once, leaving out earlier `clean.`
    /// outputs.
    static func expandFolders(_ paths: [String], _ diagnostics: inout Diagnostics) -> [String] {
        var admission = InputAdmission()
        func expand(_ paths: [String], explicit: Bool) -> [String] {
            paths.flatMap { path -> [String] in
                var status = stat()
                guard stat(path, &status) == 0 else { return [path] }
                guard admission.admits(path, status, explicit: explicit, diagnostics: &diagnostics) else { return [] }
                guard status.st_mode & S_IFMT == S_IFDIR else { return [path] }
                return expand(InputWalker.directoryEntries(path, diagnostics: &diagnostics), explicit: false)
                    .filter { !baseName($0).hasPrefix("clean.") }
            }
        }
        return expand(paths, explicit: true)
    }

    /// `caps/x.pcap` → `caps/clean.x.pcap`; a compressed input's output is written uncompressed.
    static func cleanPath(for input: String) -> String {
        let slash = input.lastIndex(of: "/")
        let directory = slash.map { String(input[...$0]) } ?? ""
        var name = slash.map { String(input[input.index(after: $0)...]) } ?? input
        for suffix in [".gz", ".zst", ".xz"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return directory + "clean." + name
    }
}
