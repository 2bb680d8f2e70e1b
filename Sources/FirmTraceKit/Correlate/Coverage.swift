/// The stretches of time something was recorded in: when a capture ran, when a log was written. A claim
/// made while no capture ran is not missing from it, and traffic sent while no log was written is not
/// missing from the log: a bundle's logs often span weeks around an hour's capture, and without this
/// every line outside that hour would be a finding.
struct Coverage: Sendable {
    /// Sorted, none overlapping another.
    let spans: [ClosedRange<Int64>]

    init(_ spans: some Sequence<ClosedRange<Int64>>) {
        var merged: [ClosedRange<Int64>] = []
        for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, span.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound ... max(last.upperBound, span.upperBound)
            } else {
                merged.append(span)
            }
        }
        self.spans = merged
    }

    /// Whether one span holds all of `range`.
    func covers(_ range: ClosedRange<Int64>) -> Bool {
        var low = 0, high = spans.count
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].lowerBound <= range.lowerBound { low = middle + 1 } else { high = middle }
        }
        return low > 0 && spans[low - 1].upperBound >= range.upperBound
    }
}

/// The first and last instant of what one source recorded.
struct RecordedSpan: Sendable {
    private(set) var first: Int64
    private(set) var last: Int64

    init(_ time: Int64) {
        (first, last) = (time, time)
    }

    mutating func include(_ time: Int64) {
        if time < first { first = time }
        if time > last { last = time }
    }

    mutating func include(_ other: RecordedSpan) {
        include(other.first)
        include(other.last)
    }

    var range: ClosedRange<Int64> { first ... last }
}
