import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files a run is writing under temporary names. An interrupted run (Ctrl-C, `kill`, a closed
/// terminal) removes them before it dies: a timeline is written under a hidden name, an unpacked member
/// too, and left behind they were gigabytes of litter beside the output.
public enum PartialFiles {
    /// A file named relative to an open folder: `unpack` writes through folder descriptors only, and
    /// paths are relative to the working folder (`AT_FDCWD`).
    private struct Entry: Hashable {
        let directory: Int32
        let name: String
    }

    private static let entries = Locked<Set<Entry>>([])
    /// Kept alive for the life of the process. Unchecked: filled once, by `removeOnInterrupt` at start-up,
    /// and never read.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// `.NAME.firmtrace-ROLE-PID` beside `path`: hidden, and named for the run that writes it.
    static func temporaryPath(beside path: String, role: String = "partial") -> String {
        let directory = scratchDirectory(beside: path)
        let name = AtomicOutputFile.isStandardOutput(path) ? "stdout" : String(path.dropFirst(directory.count))
        return directory + ".\(name).firmtrace-\(role)-\(getpid())"
    }

    /// The folder of `path` as a prefix (`""`, `"out/"`, `"/"`), where its scratch files go: on the same
    /// file system, so that a finished file is renamed into place. Standard output has no folder; its
    /// scratch goes to `TMPDIR`.
    static func scratchDirectory(beside path: String) -> String {
        if AtomicOutputFile.isStandardOutput(path) {
            let temporary = getenv("TMPDIR").map { String(cString: $0) } ?? ""
            return (temporary.isEmpty ? "/tmp" : temporary) + "/"
        }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    /// Creates `name` (relative to the folder open as `directory`) with `create` and registers it under the
    /// lock the interrupt handler takes and keeps until the process dies: registered after creating, a signal
    /// between the two left the file behind, unknown to the handler; registered before, a file created just
    /// after the handler had run was left behind too. The folder's descriptor must stay open until the file
    /// is unregistered.
    static func create(_ name: String, in directory: Int32 = AT_FDCWD,
                       with create: () throws(SystemCallError) -> Int32) throws(SystemCallError) -> Int32 {
        try entries.withLock { entries throws(SystemCallError) in
            let descriptor = try create()
            entries.insert(Entry(directory: directory, name: name))
            return descriptor
        }
    }

    /// The file is complete and in place under its own name, or already removed.
    static func unregister(_ name: String, in directory: Int32 = AT_FDCWD) {
        entries.withLock { _ = $0.remove(Entry(directory: directory, name: name)) }
    }

    /// The file is given up.
    static func remove(_ path: String) {
        unlink(path)
        unregister(path)
    }

    /// Catches SIGINT, SIGTERM and SIGHUP: removes the partial files, then dies of the same signal, so the
    /// shell still sees an interrupted run. A signal the process was started ignoring (a background job,
    /// `nohup`) stays ignored.
    public static func removeOnInterrupt() {
        let queue = DispatchQueue(label: "firmtrace.interrupt")
        for number in [SIGINT, SIGTERM, SIGHUP] {
            let previous = signal(number, SIG_IGN)
            // Compared as addresses: C function pointers are not Equatable in Swift.
            guard unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) else { continue }
            // A queue of its own: a serial queue gets a thread even while the reading threads hold every
            // thread of the global pool, where the handler would wait until the run had finished.
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                // The lock is never given back: a thread about to create a partial file waits for the end.
                entries.withLock { entries in
                    for entry in entries { unlinkat(entry.directory, entry.name, 0) }
                    // Dies of the signal itself; libdispatch keeps it blocked on its threads, so it is
                    // unblocked here first, and should it still be held back the exit status says the same.
                    signal(number, SIG_DFL)
                    var set = sigset_t()
                    sigemptyset(&set)
                    sigaddset(&set, number)
                    pthread_sigmask(SIG_UNBLOCK, &set, nil)
                    raise(number)
                    _exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}
