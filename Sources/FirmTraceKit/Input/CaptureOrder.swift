#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotated captures are named by whatever wrote them (`dump.pcap0`, `dump.pcap10`, `cap-2022…`), and name
/// order is not time order: the captures in a folder are read in the order of their first packet's time.
/// Other files keep their places; a capture whose first packet has no time (a pcapng simple packet) or
/// cannot be read keeps its place among the captures by name.
enum CaptureOrder {
    /// Decompressed or read from the start of each file to find its first packet: enough for the
    /// headers, interface blocks and one packet of any capture.
    static let peekLength = 512 << 10

    static func arranged(_ paths: [String]) -> [String] {
        arrangedWithTimes(paths).map(\.path)
    }

    /// As `arranged`, with each capture's first packet time (nil for anything else).
    static func arrangedWithTimes(_ paths: [String]) -> [(path: String, firstPacketTime: Int64?)] {
        let entries = paths.map { (path: $0, firstPacketTime: firstPacketTime($0)) }
        let slots = entries.indices.filter { entries[$0].firstPacketTime != nil }
        guard slots.count > 1 else { return entries }
        let ordered = slots.sorted { (entries[$0].firstPacketTime!, $0) < (entries[$1].firstPacketTime!, $1) }
        var result = entries
        for (slot, source) in zip(slots, ordered) { result[slot] = entries[source] }
        return result
    }

    /// The UTC year of the earliest first packet among the capture units: a year for logs read alongside
    /// whose lines, archive and bundle name give none. Files found in folders were peeked already.
    static func firstYear(among units: [InputWalker.Unit]) -> Int64? {
        let times = units.compactMap { $0.isExplicit ? firstPacketTime($0.path) : $0.firstPacketTime }
        guard let first = times.filter({ PlausibleTime.range.contains($0) }).min() else { return nil }
        return UTCDateTime.civilDate(daysSinceEpoch: first.floorDivided(by: 86_400_000_000_000).quotient).year
    }

    /// The time of the first packet of the capture at `path` (plain or a compressed single file); nil for
    /// anything else.
    static func firstPacketTime(_ path: String) -> Int64? {
        // Only files are opened: a fifo found in a folder, opened here, would wait for a writer forever.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
              let file = try? FileChunkReader(path: path), let prefix = try? file.head(ContentSniffer.prefixLength) else { return nil }
        if CaptureInputs.isCapture(prefix) {
            return (try? file.head(peekLength))?.withUnsafeBytes(firstPacketTime(in:))
        }
        guard ContentSniffer.kind(of: prefix).isCompression, let mapped = try? MappedFile(descriptor: file.descriptor) else { return nil }
        return withExtendedLifetime(mapped) { () -> Int64? in
            let location = InputLocation(path: path)
            guard let reader = try? ArchiveReader(bytes: mapped.bytes, location: location),
                  (try? reader.nextEntry(warn: { _ in })) != nil, reader.isBareStream else { return nil }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: peekLength, alignment: 16)
            defer { buffer.deallocate() }
            var filled = 0
            while filled < peekLength,
                  let count = try? reader.readData(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), member: location),
                  count > 0 {
                filled += count
                // A compressed log is not decompressed further once its first bytes say it is no capture.
                if filled >= ContentSniffer.prefixLength, !CaptureInputs.isCapture(Array(buffer[0 ..< ContentSniffer.prefixLength])) { return nil }
            }
            return firstPacketTime(in: UnsafeRawBufferPointer(rebasing: buffer[0 ..< filled]))
        }
    }

    private static func firstPacketTime(in bytes: UnsafeRawBufferPointer) -> Int64? {
        var time: Int64?
        let reader = CaptureFileReader(location: InputLocation(path: "")) { packet in
            time = packet.timestamp
            return false
        }
        _ = try? reader.feed(bytes)
        return time
    }
}
