/// The log formats firmtrace reads, recognised from their lines, never from a file name.
public enum LogDialect: String, Sendable, Hashable {
    case tuya, miio, kernel

    /// The process whose log this is, the `origin` of its events.
    public var origin: String {
        switch self {
        case .tuya: "rriot_tuya"
        case .miio: "miio_client"
        case .kernel: "kernel"
        }
    }

    /// True when `line` begins an event of this dialect (has its prefix), rather than continuing one.
    func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .tuya: TuyaLinePrefix.find(in: line) != nil
        case .miio: MiioLinePrefix.parse(line) != nil
        case .kernel: KernelLinePrefix.parse(line) != nil
        }
    }

    /// True when a slice of a log may begin at `line`, to be decoded apart from the lines before it: the
    /// line starts an event, so no event spans two slices, and holds no ANSI escape, as a line with one is
    /// read only after the escapes are stripped, and no NUL byte, as a line with one is read in pieces
    /// around its zeros, which count on the event before them, and the text before them continues it (the
    /// fuzzer found zeros at a slice's start counted on no event).
    func beginsSlice(_ line: UnsafeRawBufferPointer) -> Bool {
        ByteSearch.firstIndex(of: 0x1B, in: line) == nil && ByteSearch.firstIndex(of: 0, in: line) == nil && startsEvent(line)
    }

    /// Looks at the first lines (up to 64 KiB) and picks the dialect most of them are written in.
    static func detect(_ head: UnsafeRawBufferPointer) -> LogDialect? {
        var votes: [LogDialect: Int] = [:]
        var framer = LineFramer()
        var lines = 0
        // The head may end inside a line (a long first line): that part is judged too.
        let vote = { (line: LogLine) in
            guard lines < 50, !line.bytes.isEmpty else { return }
            lines += 1
            if MiioLinePrefix.parse(line.bytes) != nil {
                votes[.miio, default: 0] += 1
            } else if KernelLinePrefix.parse(line.bytes) != nil {
                votes[.kernel, default: 0] += 1
            } else if TuyaLinePrefix.find(in: line.bytes) != nil
                        || (ByteSearch.contains("\u{1B}[", in: line.bytes)
                            && ANSIEscapes.strip(line.bytes).withUnsafeBytes { TuyaLinePrefix.find(in: $0) } != nil) {
                votes[.tuya, default: 0] += 1
            }
        }
        framer.feed(UnsafeRawBufferPointer(rebasing: head.prefix(64 << 10)), vote)
        framer.finish(vote)
        return votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }?.key
    }
}
