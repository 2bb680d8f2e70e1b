/// Every packet of every capture among the inputs: files, folders (rotated captures in name order) and
/// compressed captures (`.pcapng.gz`, `.zst`), read as streams through a reused buffer.
public enum CaptureInputs {
    /// Calls `body` with each packet and where it came from; `body` returns false to stop. Inputs
    /// that are not captures are reported (errors when named, notices when met in a folder or archive);
    /// a truncated capture gives its complete packets and a warning.
    public static func forEachPacket(_ paths: [String], diagnostics: inout Diagnostics,
                                     _ body: (CapturedPacket, InputLocation) -> Bool) {
        var reports = Diagnostics()
        // The reader keeps its packet callback, but never beyond this call.
        withoutActuallyEscaping(body) { body in
            InputWalker.walk(paths, diagnostics: &diagnostics) { source throws(InputError) in
                var reader: CaptureFileReader?
                var stopped = false
                var failure: CaptureError?
                var skipped = false
                try source.read { chunk in
                    if reader == nil {
                        let kind = ContentSniffer.kind(of: UnsafeRawBufferPointer(rebasing: chunk.prefix(ContentSniffer.prefixLength)))
                        guard kind == .pcap || kind == .pcapng else {
                            reports.report(source.isExplicit ? .error : .notice, at: source.location, "not a pcap or pcapng capture; skipped")
                            skipped = true
                            return false
                        }
                        reader = CaptureFileReader(location: source.location) { packet in
                            if !body(packet, source.location) { stopped = true }
                            return !stopped
                        }
                    }
                    do throws(CaptureError) {
                        return try reader!.feed(chunk)
                    } catch {
                        failure = error
                        return false
                    }
                }
                guard !skipped, let reader else { return !stopped }
                if failure == nil, !stopped {
                    do throws(CaptureError) { try reader.finish() } catch { failure = error }
                }
                if reader.outOfRangeFractions > 0 {
                    reports.report(.warning, at: source.location,
                                   "\(reader.outOfRangeFractions) packets have a sub-second time field out of range; their times are as written")
                }
                if let failure {
                    if case .truncated = failure.kind {
                        reports.report(.warning, at: failure.location, failure.explanation)
                    } else {
                        reports.report(.error, at: failure.location, "\(failure.explanation) (after \(reader.frames) packets)")
                    }
                }
                return !stopped
            }
        }
        reports.all.forEach { diagnostics.report($0) }
    }
}
