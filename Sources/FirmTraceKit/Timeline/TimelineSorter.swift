#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts events in time order without holding them all: events are sorted in memory up to a bound, each
/// full batch is written as JSON Lines to one run file per source, and the runs are merged at the end (a
/// k-way merge; ties keep arrival order). Runs hold one source each so that a correction found only at the
/// end (a log's clock offset against the capture) shifts a whole run without unsorting it. Events without
/// a time keep their arrival order and come last.
final class TimelineSorter {
    private let memoryLimit: Int
    private let scratch: String
    private var batch: [(time: Int64, event: Event)] = []
    private var untimed: [Event] = []
    private var runs: [String] = []
    private var untimedRuns: [String] = []
    private(set) var timedCount = 0
    private(set) var untimedCount = 0

    /// `scratch` is a folder for run files; the sorter removes what it writes there.
    init(memoryLimit: Int, scratch: String) {
        self.memoryLimit = max(1, memoryLimit)
        self.scratch = scratch
    }

    deinit {
        for path in runs + untimedRuns { unlink(path) }
    }

    func add(_ event: Event) throws(InputError) {
        if let time = event.time {
            batch.append((time, event))
            timedCount += 1
            if batch.count >= memoryLimit { try spillTimed() }
        } else {
            untimed.append(event)
            untimedCount += 1
            if untimed.count >= memoryLimit {
                untimedRuns.append(try spill(untimed))
                untimed.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Hands every event over in order, after `adjust` (which may move a source's times uniformly);
    /// `body` returns false to stop.
    func finish(adjust: (inout Event) -> Void, _ body: (Event) -> Bool) throws(InputError) {
        if runs.isEmpty {
            for index in batch.indices {
                adjust(&batch[index].event)
                batch[index].time = batch[index].event.time ?? batch[index].time
            }
            sortBatch()
            for entry in batch where !body(entry.event) { return }
        } else {
            try spillTimed()
            guard try merge(adjust: adjust, body) else { return }
        }
        for path in untimedRuns {
            var stopped = false
            try RunFileReader.forEachEvent(path) { event in
                var event = event
                adjust(&event)
                stopped = !body(event)
                return !stopped
            }
            if stopped { return }
        }
        for var event in untimed {
            adjust(&event)
            if !body(event) { return }
        }
    }

    private func sortBatch() {
        // Swift's sort is stable: equal times keep the order they arrived in.
        batch.sort { $0.time < $1.time }
    }

    private func spillTimed() throws(InputError) {
        guard !batch.isEmpty else { return }
        sortBatch()
        var order: [String] = []
        var bySource: [String: [Event]] = [:]
        for entry in batch {
            if bySource[entry.event.source] == nil { order.append(entry.event.source) }
            bySource[entry.event.source, default: []].append(entry.event)
        }
        for source in order { runs.append(try spill(bySource[source]!)) }
        batch.removeAll(keepingCapacity: true)
    }

    /// Writes one run and returns its path.
    private func spill(_ events: [Event]) throws(InputError) -> String {
        let path = scratch + "/run-\(runs.count + untimedRuns.count).jsonl"
        let file = try AtomicOutputFile(path: path, overwrite: true)
        var line: [UInt8] = []
        for event in events {
            line.removeAll(keepingCapacity: true)
            JSONLSink.append(event, to: &line)
            line.append(0x0A)
            try file.write(line)
        }
        try file.commit()
        return path
    }

    /// Merges the sorted runs, always taking the earliest head (the earlier run on a tie).
    private func merge(adjust: (inout Event) -> Void, _ body: (Event) -> Bool) throws(InputError) -> Bool {
        var readers: [RunFileReader] = []
        for path in runs { readers.append(try RunFileReader(path: path)) }
        func next(_ reader: RunFileReader) throws(InputError) -> Event? {
            guard var event = try reader.next() else { return nil }
            adjust(&event)
            return event
        }
        var heads: [Event?] = []
        for reader in readers { heads.append(try next(reader)) }
        while true {
            var best: Int?
            for index in heads.indices {
                guard let time = heads[index]?.time else { continue }
                if best == nil || time < heads[best!]!.time! { best = index }
            }
            guard let chosen = best, let event = heads[chosen] else { return true }
            if !body(event) { return false }
            heads[chosen] = try next(readers[chosen])
        }
    }
}

/// Reads a run file back one event at a time, through a reused buffer.
final class RunFileReader {
    private let file: FileChunkReader
    private let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

    init(path: String) throws(InputError) {
        self.path = path
        do {
            file = try FileChunkReader(path: path)
        } catch {
            chunk.deallocate()
            throw InputError(.unreadable(error.description), at: InputLocation(path: path))
        }
    }

    deinit {
        chunk.deallocate()
    }

    static func forEachEvent(_ path: String, _ body: (Event) -> Bool) throws(InputError) {
        let reader = try RunFileReader(path: path)
        while let event = try reader.next(), body(event) {}
    }

    func next() throws(InputError) -> Event? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let event = buffer[start ..< newline].withUnsafeBytes { EventJSONDecoder.decode($0) }
                start = newline + 1
                if let event { return event }
                continue
            }
            if atEnd { return nil }
            buffer.removeFirst(start)
            start = 0
            let count = read(file.descriptor, chunk.baseAddress, chunk.count)
            if count < 0 { throw InputError(.unreadable(SystemCallError("read").description), at: InputLocation(path: path)) }
            if count == 0 { atEnd = true } else { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0 ..< count])) }
        }
    }
}
