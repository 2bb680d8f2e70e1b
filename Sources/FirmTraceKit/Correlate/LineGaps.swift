/// Where in a clock segment's lines a step that its pairs show can lie. The pairs on either side only say
/// it lies between them; the lines say more, since a step forward makes the device's stamps jump: its lines
/// gap there for at least the step's size. It keeps the gap before each time sync line, and the longest gap
/// of each stretch between claims (steps are looked for between pairs): memory grows with the claims and
/// the time syncs, not with the lines.
struct LineGaps {
    struct Gap {
        /// The time of the line that ended it.
        let end: Int64
        /// `unknown`, taken to hold any step, for a time sync line read first until the line before it is known.
        let length: Int64

        static let unknown = Int64.max
    }

    private var pauses: [Gap] = []
    private var timeSyncs: [Gap] = []
    private var lastLine: Int64
    private let firstLine: Int64
    /// Whether the last pause kept may still be outdone: no claim has come since.
    private var open = false

    /// Shorter pauses cannot hold a step the pairs can show.
    private static let shortest = CorrelationCollector.stepThreshold - CorrelationCollector.stepSizeSlack

    init(firstLine: Int64, isTimeSync: Bool) {
        (self.firstLine, lastLine) = (firstLine, firstLine)
        if isTimeSync { timeSyncs.append(Gap(end: firstLine, length: Gap.unknown)) }
    }

    /// The next line in read order.
    mutating func line(at time: Int64, isTimeSync: Bool) {
        keep(Gap(end: time, length: time - lastLine))
        if isTimeSync { timeSyncs.append(Gap(end: time, length: time - lastLine)) }
        lastLine = time
    }

    /// A claim ends the stretch: pauses after it are kept apart from those before.
    mutating func claimed() {
        open = false
    }

    /// The gaps of the lines read next, in another read of the same source.
    mutating func append(_ later: LineGaps) {
        let bridge = Gap(end: later.firstLine, length: later.firstLine - lastLine)
        keep(bridge)
        pauses += later.pauses
        timeSyncs += later.timeSyncs.map { $0.length == Gap.unknown ? bridge : $0 }
        open = later.open
        lastLine = later.lastLine
    }

    /// The longest pause ended by a line after `after` and at or before `end`.
    func longestPause(after: Int64, upTo end: Int64) -> Gap? {
        pauses.filter { $0.end > after && $0.end <= end }.max { $0.length < $1.length }
    }

    /// The time sync lines after `after` and at or before `end`, in order, with the gap before each.
    func timeSyncs(after: Int64, upTo end: Int64) -> [Gap] {
        timeSyncs.filter { $0.end > after && $0.end <= end }.sorted { $0.end < $1.end }
    }

    private mutating func keep(_ pause: Gap) {
        guard pause.length >= Self.shortest else { return }
        if open {
            if pause.length > pauses[pauses.count - 1].length { pauses[pauses.count - 1] = pause }
        } else {
            pauses.append(pause)
            open = true
        }
    }
}
