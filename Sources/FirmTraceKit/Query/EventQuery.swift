/// Which events a user asked for: kinds by glob, a `--where` expression over fields, a time window and a
/// text to find anywhere. Checks run cheapest first, so most lines are decided by their kind alone.
public struct EventQuery: Sendable {
    public var kindPatterns: [String] {
        didSet { wantedKinds = Self.kinds(matching: kindPatterns) }
    }
    /// The kinds the patterns select, resolved once: a per-line check is then a few comparisons of
    /// short strings, not a glob match. Nil selects every kind.
    private var wantedKinds: [EventKind]?
    public var expression: FilterExpression?
    /// UTC nanoseconds; events without a time never fall inside a window.
    public var since: Int64?
    public var until: Int64?
    /// Found in the message or any field value (`--text bf7e9b4aacf4f733d8o3zz`).
    public var text: String?

    public init(kindPatterns: [String] = [], expression: FilterExpression? = nil, since: Int64? = nil, until: Int64? = nil,
                text: String? = nil) {
        self.kindPatterns = kindPatterns
        wantedKinds = Self.kinds(matching: kindPatterns)
        self.expression = expression
        self.since = since
        self.until = until
        self.text = text
    }

    /// True when no part of the query is set.
    public var selectsEverything: Bool { wantedKinds == nil && decidedByKind }

    /// True when nothing but the kind decides: events need not be built to be counted.
    public var decidedByKind: Bool { expression == nil && since == nil && until == nil && text == nil }

    public func wantsKind(_ kind: EventKind) -> Bool {
        guard let wantedKinds else { return true }
        return wantedKinds.contains(kind)
    }

    private static func kinds(matching patterns: [String]) -> [EventKind]? {
        guard !patterns.isEmpty else { return nil }
        return EventKind.all.filter { kind in patterns.contains { Glob.matches($0, kind.rawValue) } }
    }

    /// `since` and `until` together; nil when neither is set.
    var window: TimeBounds? { TimeBounds(since: since, until: until) }

    public func matches(_ event: Event) -> Bool {
        guard wantsKind(event.kind) else { return false }
        if let window {
            guard let time = event.time, window.contains(time) else { return false }
        }
        if let text, !event.message.contains(text), !event.fields.contains(where: { $0.value.description.contains(text) }) {
            return false
        }
        if let expression, !expression.matches(event) { return false }
        return true
    }

    /// The single literal every wanted event's line must contain, when the kinds imply one: lines without
    /// it need not be decoded at all (ripgrep's candidate lines).
    var requiredLiteral: String? {
        guard kindPatterns.count == 1, !kindPatterns[0].contains("*"), !kindPatterns[0].contains("?") else { return nil }
        return TuyaMessage.requiredLiteral(for: EventKind(rawValue: kindPatterns[0]))
    }
}

/// From `since` (included) to `until` (left out), UTC nanoseconds; either end may be open.
struct TimeBounds: Sendable {
    let since: Int64?
    let until: Int64?

    init?(since: Int64?, until: Int64?) {
        guard since != nil || until != nil else { return nil }
        (self.since, self.until) = (since, until)
    }

    func contains(_ time: Int64) -> Bool {
        (since.map { time >= $0 } ?? true) && !isPast(time)
    }

    func isPast(_ time: Int64) -> Bool {
        until.map { time >= $0 } ?? false
    }
}

/// Shell-style globs over kind names: `*` any run of characters, `?` one character.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let pattern = Array(pattern.utf8), text = Array(text.utf8)
        var patternIndex = 0, textIndex = 0
        var starPattern = -1, starText = 0
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] == UInt8(ascii: "?") || pattern[patternIndex] == text[textIndex] {
                patternIndex += 1
                textIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == UInt8(ascii: "*") {
                starPattern = patternIndex
                starText = textIndex
                patternIndex += 1
            } else if starPattern >= 0 {
                patternIndex = starPattern + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while patternIndex < pattern.count, pattern[patternIndex] == UInt8(ascii: "*") { patternIndex += 1 }
        return patternIndex == pattern.count
    }
}

/// Events answer filters by their own names (`kind`, `origin`, `source`, `message`, `line`, `device_time`,
/// `time_basis`, `time`) and by their fields' keys.
extension Event: FilterSubject {
    public func values(of field: String) -> [FieldValue] {
        switch field {
        case "kind": return [.string(kind.rawValue)]
        case "origin": return [.string(origin)]
        case "source": return [.string(source)]
        case "message": return [.string(message)]
        case "line": return line.map { [.integer(Int64($0))] } ?? []
        case "frame": return frame.map { [.integer(Int64($0))] } ?? []
        case "device_time": return deviceTime.map { [.string($0)] } ?? []
        case "time_basis": return [.string(timeBasis.rawValue)]
        case "time": return time.map { [.integer($0)] } ?? []
        default: return fields[field].map { [$0] } ?? []
        }
    }
}
