#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// A closed pipe then shows up as EPIPE from write, which the output writer turns into a quiet stop.
    static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    static func printError(_ message: String) {
        writeStandardError("firmtrace: \(message)\n")
    }

    static func writeStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// One self-overwriting status line on standard error while long work runs, at most ten times a second,
/// and nothing at all when standard error is not a terminal. `@unchecked Sendable`: it is called from one
/// thread at a time (the work's own), and its state is only the time of the last line.
final class ProgressLine: @unchecked Sendable {
    private let enabled = Terminal.standardErrorIsTerminal
    private let started = Terminal.monotonicSeconds()
    private var lastShown = 0.0
    private var visible = false

    func show(_ status: String, bytes: Int64) {
        show(status, rate: "\(ByteCount(Int64(Double(bytes) / max(Terminal.monotonicSeconds() - started, 0.001))))/s")
    }

    func show(_ status: String, count: Int, unit: String) {
        show(status, rate: "\(Int(Double(count) / max(Terminal.monotonicSeconds() - started, 0.001))) \(unit)/s")
    }

    private func show(_ status: String, rate: String) {
        guard enabled else { return }
        let now = Terminal.monotonicSeconds()
        guard now - lastShown >= 0.1 else { return }
        lastShown = now
        let line = "\(status)  \(rate)"
        Terminal.writeStandardError("\r\u{1B}[K" + String(line.prefix(columns - 1)))
        visible = true
    }

    func clear() {
        guard visible else { return }
        Terminal.writeStandardError("\r\u{1B}[K")
        visible = false
    }

    private var columns: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
