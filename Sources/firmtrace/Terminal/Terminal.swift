#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import FirmTraceKit
import Synchronization

enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// A closed pipe then shows up as EPIPE from write, which the output writer turns into a quiet stop.
    static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// A file size limit (`ulimit -f`) then shows up as EFBIG from write, which ends the run like a full
    /// disk (a message, exit 2, the partial files removed), not as SIGXFSZ killing it with them left behind.
    static func ignoreFileSizeLimitSignal() {
        signal(SIGXFSZ, SIG_IGN)
    }

    /// What a command says of its work: on standard output, unless the file it wrote is standard output.
    static func printSummary(_ text: String, wrote output: String?) {
        if let output, AtomicOutputFile.isStandardOutput(output) {
            writeStandardError(text + "\n")
        } else {
            print(text)
        }
    }

    /// Binary output (a database, a capture) sent to standard output while that is a terminal would fill it
    /// with noise: refused before any work, as zstd and tcpdump refuse it.
    static func refuseBinaryOnTerminal(_ output: String?, what: String, remedy: String) throws {
        guard let output, AtomicOutputFile.isStandardOutput(output), standardOutputIsTerminal else { return }
        throw ValidationError("\(what) is not written to a terminal: \(remedy)")
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
/// and nothing at all when standard error is not a terminal. Its state is behind a lock: a timeline
/// reports from every thread it reads on.
final class ProgressLine: Sendable {
    private let enabled = Terminal.standardErrorIsTerminal
    private let started = Terminal.monotonicSeconds()
    private let state = Mutex<(lastShown: Double, visible: Bool)>((0, false))
    /// The phase of the last timeline update and when it began.
    private let phase = Mutex<(phase: TimelineProgress.Phase, started: Double)?>(nil)

    func show(_ status: String, bytes: Int64) {
        show(status, rate: "\(ByteCount(Int64(Double(bytes) / max(Terminal.monotonicSeconds() - started, 0.001))))/s")
    }

    /// `reading: 35% of 677.1 MiB, 2400000 events  410000 events/s`, then `writing: 56% of 6777733 events
    /// 2067587 events/s  2 s left` (and for SQLite `indexing 6777733 events`), for the commands that read as
    /// a timeline does. Rates are the phase's own.
    func show(_ update: TimelineProgress) {
        let now = Terminal.monotonicSeconds()
        let (phaseStarted, isNewPhase) = phase.withLock { phase in
            let isNew = phase?.phase != update.phase
            if isNew { phase = (update.phase, now) }
            return (phase!.started, isNew)
        }
        guard update.phase != .indexing else {
            show("indexing \(update.events) events", rate: "", always: true)
            return
        }
        let elapsed = max(now - phaseStarted, 0.001)
        let fraction = update.total > 0 ? min(Double(update.done) / Double(update.total), 1) : 0
        var status = "\(update.phase.rawValue): \(Int(fraction * 100))% of "
        status += update.phase == .reading ? "\(ByteCount(update.total)), \(update.events) events" : "\(update.total) events"
        var rate = "\(Int(Double(update.events) / elapsed)) events/s"
        // Only for writing: a file read whole (a capture, an archive) counts when it is finished, so the
        // share read moves in jumps and a guess from it would mislead.
        if update.phase == .writing, fraction > 0.01, elapsed >= 1 { rate += "  \(Int((elapsed / fraction - elapsed).rounded(.up))) s left" }
        show(status, rate: rate, always: isNewPhase)
    }

    /// At most ten times a second, but `always` for a line that will stand a while (a new phase).
    private func show(_ status: String, rate: String, always: Bool = false) {
        guard enabled else { return }
        let now = Terminal.monotonicSeconds()
        state.withLock { state in
            guard always || now - state.lastShown >= 0.1 else { return }
            state.lastShown = now
            let line = rate.isEmpty ? status : "\(status)  \(rate)"
            Terminal.writeStandardError("\r\u{1B}[K" + String(line.prefix(columns - 1)))
            state.visible = true
        }
    }

    func clear() {
        state.withLock { state in
            guard state.visible else { return }
            Terminal.writeStandardError("\r\u{1B}[K")
            state.visible = false
        }
    }

    private var columns: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
