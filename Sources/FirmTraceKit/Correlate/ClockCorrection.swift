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
        /// Whether `from` is the time of a line written on the stepped clock (a time sync line, or the line
        /// after the pause the step left), so that every line before it in the log came before it; else the
        /// step was only put between the pairs on either side.
        let beginsAtLine: Bool

        init(from: Int64, constant: Int64, drift: ClockDrift?, beginsAtLine: Bool = false) {
            (self.from, self.constant, self.drift, self.beginsAtLine) = (from, constant, drift, beginsAtLine)
        }

        func offset(at time: Int64) -> Int64 { drift?.offset(at: time) ?? constant }
    }

    /// In order of `from`, the first from the start.
    let pieces: [Piece]
    /// By piece: where it begins on the capture's clock. Its times are kept at or after that, and the
    /// piece before it at or before, so that times stay in order across a step whichever way it went.
    private let starts: [Int64]

    init(constant: Int64, drift: ClockDrift?) {
        self.init(pieces: [Piece(from: .min, constant: constant, drift: drift)])
    }

    init(pieces: [Piece]) {
        precondition(pieces.first?.from == .min, "a correction covers the whole clock")
        self.pieces = pieces
        var starts = [Int64.min]
        for (index, piece) in pieces.enumerated().dropFirst() {
            // A step at a line begins where that line goes. One put between the pairs begins where the
            // stretch before would put it: none of that stretch's lines is moved, whichever side of the
            // real step they lie.
            let offset = piece.beginsAtLine ? piece.offset(at: piece.from) : pieces[index - 1].offset(at: piece.from)
            starts.append(max(starts[index - 1], Self.moved(piece.from, by: offset)))
        }
        self.starts = starts
    }

    func offset(at time: Int64) -> Int64 { pieces[piece(at: time)].offset(at: time) }

    /// `time` on the capture's clock, kept within its piece's start and the next one's: a line written
    /// between the last pair before a step and the first after it may lie on either side of it, and times
    /// going back would unsort its source's run. A time so near the ends of 64 bits that moving it would
    /// overflow stays where it is.
    func captureTime(_ time: Int64) -> Int64 {
        let index = piece(at: time)
        let moved = max(Self.moved(time, by: pieces[index].offset(at: time)), starts[index])
        return index + 1 < starts.count ? min(moved, starts[index + 1]) : moved
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
