/// Every packet of every capture among the inputs: files, folders (rotated captures in time order) and
/// compressed captures (`.pcapng.gz`, `.zst`), read as streams through a reused buffer.
public enum CaptureInputs {
    /// Calls `body` with each packet and where it came from; `body` returns false to stop. Inputs that
    /// are not captures are reported (errors when named, notices when met in a folder or archive); a
    /// truncated capture gives its complete packets and a warning.
    public static func forEachPacket(_ paths: [String], diagnostics: inout Diagnostics,
                                     _ body: (CapturedPacket, InputLocation) -> Bool) {
        var reports = Diagnostics()
        InputWalker.walk(paths, diagnostics: &diagnostics) { source throws(InputError) in
            let head = try source.head()
            guard isCapture(head) else {
                reports.report(source.isExplicit ? .error : .notice, at: source.location, "not a pcap or pcapng capture; skipped")
                return true
            }
            return try readPackets(source, reports: &reports) { body($0, source.location) }
        }
        reports.all.forEach { diagnostics.report($0) }
    }

    static func isCapture(_ head: [UInt8]) -> Bool {
        let kind = ContentSniffer.kind(of: head)
        return kind == .pcap || kind == .pcapng
    }

    /// Reads one capture source; false when `body` asked to stop.
    static func readPackets(_ source: InputSource, reports: inout Diagnostics,
                            _ body: (CapturedPacket) -> Bool) throws(InputError) -> Bool {
        var stopped = false
        var failure: CaptureError?
        // The reader keeps its packet callback, but never beyond this block.
        let outcome: Result<Void, InputError> = withoutActuallyEscaping(body) { body in
            let fileReader = CaptureFileReader(location: source.location) { packet in
                if !body(packet) { stopped = true }
                return !stopped
            }
            do throws(InputError) {
                try source.read { chunk in
                    do throws(CaptureError) {
                        return try fileReader.feed(chunk)
                    } catch {
                        failure = error
                        return false
                    }
                }
            } catch {
                return .failure(error)
            }
            if failure == nil, !stopped {
                do throws(CaptureError) { try fileReader.finish() } catch { failure = error }
            }
            if fileReader.outOfRangeFractions > 0 {
                reports.report(.warning, at: source.location,
                               "\(fileReader.outOfRangeFractions) packets have a sub-second time field out of range; their times are as written")
            }
            if let failure {
                if case .truncated = failure.kind {
                    reports.report(.warning, at: failure.location, failure.explanation)
                } else {
                    reports.report(.error, at: failure.location, "\(failure.explanation) (after \(fileReader.frames) packets)")
                }
            }
            return .success(())
        }
        if case .failure(let error) = outcome { throw error }
        return !stopped
    }
}
