/// Where a clock segment's lines pause, for placing a step forward that no time sync line shows: the device's
/// stamps jump over the step, so its lines pause there for at least the step's size, while the pairs on either
/// side only say it lies between them. Only the longest pause of each stretch between claims is kept, since
/// steps are looked for between pairs: memory grows with the claims, not with the lines.
struct LinePauses {
    struct Pause {
        /// The time of the line that ended it.
        let end: Int64
        let length: Int64
    }

    private var pauses: [Pause] = []
    private var lastLine: Int64
    private let firstLine: Int64
    /// Whether the last pause kept may still be outdone: no claim has come since.
    private var open = false

    /// Shorter pauses cannot hold a step the pairs can show.
    private static let shortest = CorrelationCollector.stepThreshold - CorrelationCollector.stepSizeSlack

    init(firstLine: Int64) {
        (self.firstLine, lastLine) = (firstLine, firstLine)
    }

    /// The next line in read order.
    mutating func line(at time: Int64) {
        keep(Pause(end: time, length: time - lastLine))
        lastLine = time
    }

    /// A claim ends the stretch: pauses after it are kept apart from those before.
    mutating func claimed() {
        open = false
    }

    /// The pauses of the lines read next, in another read of the same source.
    mutating func append(_ later: LinePauses) {
        keep(Pause(end: later.firstLine, length: later.firstLine - lastLine))
        pauses += later.pauses
        open = later.open
        lastLine = later.lastLine
    }

    /// The longest pause ended by a line after `after` and at or before `end`.
    func longest(after: Int64, upTo end: Int64) -> Pause? {
        pauses.filter { $0.end > after && $0.end <= end }.max { $0.length < $1.length }
    }

    private mutating func keep(_ pause: Pause) {
        guard pause.length >= Self.shortest else { return }
        if open {
            if pause.length > pauses[pauses.count - 1].length { pauses[pauses.count - 1] = pause }
        } else {
            pauses.append(pause)
            open = true
        }
    }
}
