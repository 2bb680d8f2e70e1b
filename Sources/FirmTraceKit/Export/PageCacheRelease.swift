import CShims

/// Gives a large output's pages back as it is written: each stretch written is sent to the disk at once
/// (without waiting), and a stretch well behind is dropped from the page cache once it is there (pages
/// not yet on disk stay, so a slow disk never holds the writing up). A multi-gigabyte timeline would
/// otherwise push the user's captures and logs out of the cache for a file read once, and a virtual
/// machine that hands freed memory back to its host makes every fresh page cache page cost a fault: 2 GB
/// took 5.1 s of kernel time to write onto fresh pages, 0.4–0.6 s onto recycled ones, and the benchmark's
/// timeline, its output recycling its own pages, spends 1.4 s in the kernel instead of 3.3 s.
struct PageCacheRelease {
    /// Files smaller than this stay cached, to be read back at once.
    let largeFileBytes: Int64
    /// Sent to the disk in steps of this many bytes.
    let writebackStep: Int64
    /// How far behind the writing a stretch is dropped: long enough for the disk to have taken it.
    let dropDistance: Int64
    private var written: Int64 = 0
    private var sent: Int64 = 0
    /// Bytes from the start of the file asked to leave the page cache.
    private(set) var dropped: Int64 = 0

    init(largeFileBytes: Int64 = 64 << 20, writebackStep: Int64 = 8 << 20, dropDistance: Int64 = 64 << 20) {
        (self.largeFileBytes, self.writebackStep, self.dropDistance) = (largeFileBytes, writebackStep, dropDistance)
    }

    mutating func wrote(_ count: Int, to descriptor: Int32) {
        written += Int64(count)
        guard written >= largeFileBytes, written - sent >= writebackStep else { return }
        _ = firmtrace_start_writeback(descriptor, sent, written - sent)
        sent = written
        let behind = sent - dropDistance
        guard behind > dropped else { return }
        _ = firmtrace_drop_cached(descriptor, dropped, behind - dropped)
        dropped = behind
    }
}
