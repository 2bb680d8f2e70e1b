/// A stretch of one log source's clock (`ClockSegments`): what a correction applies to.
struct LogClock: Hashable, Sendable {
    let source: String
    let segment: Int32
}

extension Event {
    var logClock: LogClock { LogClock(source: source, segment: clockSegment) }
}

/// How to move a log source's device time onto the capture's clock: an offset, constant or drifting, for
/// each stretch between the steps its pairs show (an NTP correction while the clock ran).
struct ClockCorrection: Sendable {
    struct Piece: Sendable {
        /// The device time (as placed on UTC) it applies from; `Int64.min` for the first.
        let from: Int64
        let constant: Int64
        let drift: ClockDrift?

        func offset(at time: Int64) -> Int64 { drift?.offset(at: time) ?? constant }
    }

    /// In order of `from`, the first from the start.
    let pieces: [Piece]
    /// By piece: the latest capture time any earlier piece moves a time to, which its times are kept at or
    /// after.
    private let floors: [Int64]

    init(constant: Int64, drift: ClockDrift?) {
        self.init(pieces: [Piece(from: .min, constant: constant, drift: drift)])
    }

    init(pieces: [Piece]) {
        precondition(pieces.first?.from == .min, "a correction covers the whole clock")
        self.pieces = pieces
        var floors = [Int64.min]
        for index in pieces.indices.dropFirst() {
            let step = pieces[index].from
            floors.append(max(floors[index - 1], Self.moved(step, by: pieces[index - 1].offset(at: step))))
        }
        self.floors = floors
    }

    func offset(at time: Int64) -> Int64 { pieces[piece(at: time)].offset(at: time) }

    /// `time` on the capture's clock. Past a step, never before where the stretches before it ended: a
    /// line written between the last pair before a step and the first after it may lie on either side of
    /// it, and times going back would unsort its source's run. A time so near the ends of 64 bits that
    /// moving it would overflow stays where it is.
    func captureTime(_ time: Int64) -> Int64 {
        let index = piece(at: time)
        return max(Self.moved(time, by: pieces[index].offset(at: time)), floors[index])
    }

    private static func moved(_ time: Int64, by offset: Int64) -> Int64 {
        let (moved, overflow) = time.subtractingReportingOverflow(offset)
        return overflow ? time : moved
    }

    /// The last piece that begins at or before `time`.
    func piece(at time: Int64) -> Int {
        var low = 1, high = pieces.count
        while low < high {
            let middle = (low + high) / 2
            if pieces[middle].from <= time { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }
}
