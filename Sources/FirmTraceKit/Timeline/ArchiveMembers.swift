import Dispatch

/// An archive member read into memory, so that its slices can be read side by side as a file's are: an
/// archive is one stream, and read member after member on one thread its events all went through one
/// formatting thread (a bundle of 279 rotated logs took a fifth longer than the same files in a folder).
/// A member larger than `wholeLimit` is held only that far; the rest is read on from the archive.
struct MemberBytes {
    /// Rotated logs in device bundles are a few megabytes; a log past this is read in windows.
    static let wholeLimit = 32 << 20
    /// How far an archive's reading thread reads members ahead of the threads decoding them.
    static let aheadBytes = 16 << 20

    private(set) var bytes: [UInt8]
    /// The archive's stream at the end of `bytes`, when the member goes on past its limit: it can be read
    /// on only while the walk is at this member.
    let rest: InputSource?
    var isWhole: Bool { rest == nil }
    /// What stopped the member being read to its end (a truncated gzip): the bytes before it are read.
    let damage: InputError?
    private let member: InputSource

    init(_ member: InputSource, wholeLimit: Int = Self.wholeLimit) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(member.size ?? 0, Int64(wholeLimit))))
        var isWhole = true
        var damage: InputError?
        do throws(InputError) {
            try member.read { chunk in
                bytes.append(contentsOf: chunk)
                isWhole = bytes.count <= wholeLimit
                return isWhole
            }
        } catch {
            damage = error
        }
        (self.bytes, self.rest, self.damage, self.member) = (bytes, isWhole ? nil : member, damage, member)
    }

    /// The member as a source giving `bytes` and the rest.
    var source: InputSource { Self.source(member, giving: bytes, then: rest) }

    /// The member as a source that only names and dates it, for a log read in windows.
    var naming: InputSource { Self.source(member, giving: [], then: nil) }

    /// Hands `bytes` over, keeping none: a log read in windows is cut from them as they grow.
    mutating func takeBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    /// `member` as a source giving `bytes`, then what `rest` still gives. Given once: read on as a stream,
    /// it lets go of `bytes` as soon as they are read.
    static func source(_ member: InputSource, giving bytes: [UInt8], then rest: InputSource?) -> InputSource {
        let held = Locked(bytes)
        var source = InputSource(location: member.location, modificationTime: member.modificationTime, isExplicit: member.isExplicit,
                                 file: nil) { body throws(InputError) in
            let part = held.withLock { held in
                defer { if rest != nil { held = [] } }
                return held
            }
            let keepGoing = part.withUnsafeBytes { all in
                stride(from: 0, to: all.count, by: InputWalker.chunkSize).allSatisfy { start in
                    body(UnsafeRawBufferPointer(rebasing: all[start ..< min(all.count, start + InputWalker.chunkSize)]))
                }
            }
            if keepGoing, let rest { try rest.read(body) }
        }
        source.firstBytes = Array(bytes.prefix(ContentSniffer.prefixLength))
        return source
    }
}

/// One slice of an archive member's log, for whichever reading thread is free.
struct MemberSlice: @unchecked Sendable {
    // @unchecked: `SlicedLog` orders its slices' access itself; `ArchiveMembers` is behind a lock.
    let archive: ArchiveMembers
    /// The unit its records and ordinals belong to.
    let unit: Int
    let log: SlicedLog
    let slice: Int
    let bytes: Int
}

/// The pieces one archive's members were read as, in walk order, and their results as they come in.
final class ArchiveMembers: Sendable {
    typealias Parts = [(unit: Int, result: UnitResult)]
    /// The archive's path when it may repeat another file (`RepeatedEvidence`): each piece keeps a digest.
    let comparing: String?
    /// Where results go as soon as those before them are in; none for an archive that may repeat another,
    /// whose results wait for its end.
    private let forward: (@Sendable (Parts) -> Void)?
    private let state = Locked(State())
    /// Signalled once for each piece done, for the archive's reading thread to wait on.
    private let completed = DispatchSemaphore(value: 0)

    private struct State {
        var units: [Int] = []
        var results: [Int: UnitResult] = [:]
        /// How many of `units` have been forwarded, in order.
        var forwarded = 0
        var unfinished = 0
        var outstandingBytes = 0
        var failed = false
    }

    init(comparing: String?, forward: @escaping @Sendable (Parts) -> Void) {
        self.comparing = comparing
        self.forward = comparing == nil ? forward : nil
    }

    /// Notes a piece about to be read, of `bytes` held in memory until it is.
    func expect(_ unit: Int, bytes: Int) {
        state.withLock { state in
            state.units.append(unit)
            state.unfinished += 1
            state.outstandingBytes += bytes
        }
    }

    /// Takes a piece's result (nil when it failed), and forwards those now in order. Forwarded under the
    /// lock, so that they leave in walk order whichever thread completes them.
    func complete(_ unit: Int, result: UnitResult?, bytes: Int) {
        state.withLock { state in
            if let result { state.results[unit] = result } else { state.failed = true }
            state.unfinished -= 1
            state.outstandingBytes -= bytes
            guard let forward, !state.failed else { return }
            var ready: Parts = []
            while state.forwarded < state.units.count, let result = state.results.removeValue(forKey: state.units[state.forwarded]) {
                ready.append((state.units[state.forwarded], result))
                state.forwarded += 1
            }
            if !ready.isEmpty { forward(ready) }
        }
        completed.signal()
    }

    var outstandingBytes: Int { state.withLock { $0.outstandingBytes } }
    var isComplete: Bool { state.withLock { $0.unfinished == 0 } }

    /// Waits until some piece is done (perhaps one done already).
    func awaitCompletion() {
        completed.wait()
    }

    /// The results not forwarded, in walk order, once all are in; nil when one failed.
    var results: Parts? {
        state.withLock { state in
            state.failed ? nil : state.units[state.forwarded...].map { ($0, state.results[$0]!) }
        }
    }
}

/// Archive members' slices waiting for a reading thread, first offered first taken: a slice's placing
/// waits for the slice before it, which must have been taken already.
final class MemberWork: Sendable {
    private let state: Locked<State>
    /// Signalled for each slice offered and, for every reader, when the last archive is walked or reading stopped.
    private let arrived = DispatchSemaphore(value: 0)
    private let readers: Int

    private struct State {
        var waiting: [MemberSlice] = []
        var next = 0
        /// Archives not yet walked to their end: more slices may come, unless reading has stopped (an
        /// archive not yet begun never will be).
        var archives: Int
        var stopped = false

        /// Taken slices leave the front now and then, not each time (that moved every slice behind them);
        /// kept until the queue emptied, they held every member read in memory.
        mutating func take() -> MemberSlice? {
            guard next < waiting.count else { return nil }
            defer {
                next += 1
                if next >= 64, 2 * next >= waiting.count {
                    waiting.removeFirst(next)
                    next = 0
                }
            }
            return waiting[next]
        }
    }

    init(archives: Int, readers: Int) {
        state = Locked(State(archives: archives))
        self.readers = readers
    }

    func offer(_ slice: MemberSlice) {
        state.withLock { $0.waiting.append(slice) }
        arrived.signal()
    }

    /// The first slice waiting, if any.
    func take() -> MemberSlice? {
        state.withLock { $0.take() }
    }

    /// The first slice waiting, waiting for one while an archive is still being walked; nil when none will come.
    func next() -> MemberSlice? {
        while true {
            let (slice, more) = state.withLock { state in (state.take(), state.archives > 0 && !state.stopped) }
            if let slice { return slice }
            guard more else { return nil }
            arrived.wait()
        }
    }

    func archiveDone() {
        let last = state.withLock { state in
            state.archives -= 1
            return state.archives == 0
        }
        if last { wakeReaders() }
    }

    /// No more slices will be waited for: a reading thread failed.
    func stop() {
        state.withLock { $0.stopped = true }
        wakeReaders()
    }

    private func wakeReaders() {
        (0 ..< readers).forEach { _ in arrived.signal() }
    }
}
